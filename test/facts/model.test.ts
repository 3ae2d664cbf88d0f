/**
 * The facts model (src/facts/model.ts) is the one source of the fact reference: docs/facts.md and the schema's fact
 * list are generated from it, and it lists exactly the facts ClinicalFacts holds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { factEntries, factSpec } from '../../src/facts/model.js';
import { referenceFacts } from '../../src/policy/facts-skeleton.js';
import { FACTS_DOC, factsMarkdown, POLICY_SCHEMA, schemaWithFactList } from '../../scripts/lib/facts-doc.js';

const STALE = 'is stale: run `npm run facts:doc` and commit the result';

/** Every path of a ClinicalFacts value down to its facts (a Fact, or a plain value), `[*]` for list items. */
function pathsOf(node: unknown, prefix = '$'): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  if (Array.isArray(node)) return node.length === 0 ? [prefix] : pathsOf(node[0], `${prefix}[*]`);
  if ('value' in node && 'evidence' in node) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => pathsOf(v, `${prefix}.${k}`));
}

describe('the facts model', () => {
  it(`${FACTS_DOC} is generated from it`, () => {
    expect(readFileSync(FACTS_DOC, 'utf8') === factsMarkdown(), `${FACTS_DOC} ${STALE}`).toBe(true);
  });

  it(`the fact list of ${POLICY_SCHEMA} is generated from it`, () => {
    const text = readFileSync(POLICY_SCHEMA, 'utf8');
    expect(text === schemaWithFactList(text), `${POLICY_SCHEMA} ${STALE}`).toBe(true);
  });

  it('lists exactly the facts of ClinicalFacts, in every generated row a type, an origin and an example', () => {
    expect(factEntries().map(([p]) => p).sort()).toEqual(pathsOf(referenceFacts()).sort());
    for (const [path, spec] of factEntries()) {
      expect(spec.fhir, path).toMatch(/\S/);
      expect(spec.example, path).toMatch(/\S/);
      expect(factsMarkdown()).toContain(`| \`${path}\` | ${spec.type} |`);
    }
  });

  it('finds a fact by the JSONPath spellings a policy may use', () => {
    expect(factSpec('$.biomarkers.her2')?.type).toBe('text');
    expect(factSpec("$['body']['weightKg']")).toMatchObject({ type: 'number', unit: 'kg' });
    expect(factSpec('$.authorizations[0].drug')).toMatchObject({ vocabulary: 'drugs' });
    expect(factSpec('$.biomarkers.nope')).toBeUndefined();
  });
});
