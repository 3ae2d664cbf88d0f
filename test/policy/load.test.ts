import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicies, PolicyLoadError } from '../../src/policy/load.js';

const fixtureDir = fileURLToPath(new URL('../fixtures/policies', import.meta.url));
const fixtureText = readFileSync(join(fixtureDir, 'test-drug-a.json'), 'utf8');
type Json = Record<string, unknown>;
const OPERATOR_LIST = 'equals, notEquals, in, notIn, atLeast, atMost, greaterThan, lessThan, exists, isTrue, isFalse, startsWith, includesAny, includesAll, anyStartsWith, isEmpty, notEmpty, mentions';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A policy directory holding the fixture after `mutate`, as `name`. */
function dirWith(mutate: (p: Json) => void, name = 'broken.json'): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'policies-'));
  dirs.push(dir);
  const policy = JSON.parse(fixtureText) as Json;
  mutate(policy);
  writeFileSync(join(dir, name), JSON.stringify(policy));
  return { dir, file: join(dir, name) };
}

/** Walk into the parsed fixture by path segments. */
function at(p: Json, ...path: Array<string | number>): Json {
  let node: unknown = p;
  for (const k of path) node = (node as Record<string | number, unknown>)[k];
  return node as Json;
}

function loadError(dir: string): PolicyLoadError {
  try {
    loadPolicies(dir);
  } catch (err) {
    if (err instanceof PolicyLoadError) return err;
    throw err;
  }
  throw new Error('expected a PolicyLoadError');
}

describe('loadPolicies', () => {
  it('loads and indexes the policies of a directory', () => {
    const registry = loadPolicies(fixtureDir);
    expect(registry.all().map((p) => p.id)).toEqual(['test-drug-a']);
    expect(registry.get('test-drug-a')?.payer.id).toBe('payer-x');
    expect(registry.get('nope')).toBeUndefined();
  });

  it('select honours drug, payer and the effective period', () => {
    const registry = loadPolicies(fixtureDir);
    expect(registry.select('drug-a', 'payer-x', '2024-03-01')?.id).toBe('test-drug-a');
    expect(registry.select('drug-a', 'payer-x', '2019-12-31')).toBeUndefined();
    expect(registry.select('drug-a', 'payer-y', '2024-03-01')).toBeUndefined();
    expect(registry.select('drug-b', 'payer-x', '2024-03-01')).toBeUndefined();
  });

  it('select applies a policy only to the lines of business it names; an unknown line of business does not narrow', () => {
    const registry = loadPolicies(fixtureDir);
    // the fixture names commercial, marketplace and medicaid
    expect(registry.select('drug-a', 'payer-x', '2024-03-01', 'medicaid')?.id).toBe('test-drug-a');
    expect(registry.select('drug-a', 'payer-x', '2024-03-01', 'medicare')).toBeUndefined();
    expect(registry.inEffect('drug-a', 'payer-x', '2024-03-01').map((p) => p.id)).toEqual(['test-drug-a']);
    expect(registry.select('drug-a', 'payer-x', '2024-03-01', null)?.id).toBe('test-drug-a');
  });

  it('lines of business are catalog data: a policy naming one the catalog cannot read is refused, a new one the catalog lists is accepted', () => {
    const { dir } = dirWith((p) => {
      p['linesOfBusiness'] = ['commercial', 'tricare'];
    });
    expect(() => loadPolicies(dir, { linesOfBusiness: new Set(['commercial', 'medicaid']) })).toThrow(/linesOfBusiness\/1 "tricare" is not a line of business of catalog\/lines-of-business.json/);
    expect(loadPolicies(dir, { linesOfBusiness: new Set(['commercial', 'marketplace', 'medicaid', 'tricare']) }).all()).toHaveLength(1);
  });

  it('select prefers the version in effect when several are', () => {
    const { dir } = dirWith((p) => {
      p['effective'] = { from: '2020-01-01', to: '2023-12-31' };
    }, 'a-old.json');
    const newer = JSON.parse(fixtureText) as Json;
    newer['id'] = 'test-drug-a-2024';
    newer['effective'] = { from: '2024-01-01' };
    writeFileSync(join(dir, 'b-new.json'), JSON.stringify(newer));
    const registry = loadPolicies(dir);
    expect(registry.select('drug-a', 'payer-x', '2023-06-01')?.id).toBe('test-drug-a');
    expect(registry.select('drug-a', 'payer-x', '2024-06-01')?.id).toBe('test-drug-a-2024');
  });

  it('skips files starting with "_"', () => {
    const { dir } = dirWith((p) => {
      p['op'] = 'broken on purpose';
    }, '_draft.json');
    expect(loadPolicies(dir).all()).toEqual([]);
  });

  it('checks drug and payer ids against a catalog when given one', () => {
    const drugs = new Set(['drug-b']);
    expect(() => loadPolicies(fixtureDir, { drugs })).toThrow(/test-drug-a\.json: \/drug\/id "drug-a" is not a drug id of catalog\/drugs\.json — did you mean "drug-b"\?/);
  });
});

describe('PolicyLoadError names the file and the JSON path', () => {
  it('an unknown operator', () => {
    const { dir, file } = dirWith((p) => {
      at(p, 'indications', 0, 'criteria', 'all', 1)['op'] = 'equalz';
    });
    const err = loadError(dir);
    expect(err.message).toBe(`${file}: /indications/0/criteria/all/1/op "equalz" is not allowed; expected one of ${OPERATOR_LIST} — did you mean "equals"?`);
    expect(err.file).toBe(file);
    expect(err.pointer).toBe('/indications/0/criteria/all/1/op');
  });

  it('a misspelt property', () => {
    const { dir, file } = dirWith((p) => {
      const leaf = at(p, 'indications', 0, 'criteria', 'all', 0, 'any', 0);
      leaf['ifNotMett'] = 'not-documented';
    });
    expect(loadError(dir).message).toBe(`${file}: /indications/0/criteria/all/0/any/0 must NOT have additional properties: "ifNotMett"`);
  });

  it('an unknown dose unit', () => {
    const { dir, file } = dirWith((p) => {
      at(p, 'indications', 0, 'doseLimits', 0, 'alternatives', 0, 'dose')['unit'] = 'mg/m^2';
    });
    expect(loadError(dir).message).toBe(`${file}: /indications/0/doseLimits/0/alternatives/0/dose/unit "mg/m^2" is not allowed; expected one of mg, mg/m2, mg/kg, ug, ug/d, ug/m2/d — did you mean "mg/m2"?`);
  });

  it('a fact path that names no fact', () => {
    const { dir, file } = dirWith((p) => {
      at(p, 'indications', 0, 'criteria', 'all', 1)['fact'] = '$.diagnosis.icd10';
    });
    expect(loadError(dir).message).toBe(`${file}: /indications/0/criteria/all/1/fact "$.diagnosis.icd10" names no fact of ClinicalFacts (docs/facts.md lists them) — did you mean "$.diagnoses.icd10"?`);
  });

  it('a script expression in a path', () => {
    const { dir, file } = dirWith((p) => {
      at(p, 'indications', 0, 'criteria', 'all', 1)['fact'] = '$.authorizations[?(@.appliesToOrder)]';
    });
    expect(loadError(dir).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: /indications/0/criteria/all/1/fact .*script expression`));
  });

  it('a duplicate id', () => {
    const { dir, file } = dirWith((p) => {
      at(p, 'indications', 0, 'criteria', 'all', 1)['id'] = 'metastatic';
    });
    expect(loadError(dir).message).toBe(`${file}: /indications/0/criteria/all/1/id duplicates id "metastatic" first used at /indications/0/criteria/all/0/any/0`);
  });

  it('a value of the wrong shape for its operator', () => {
    const { dir, file } = dirWith((p) => {
      at(p, 'indications', 0, 'criteria', 'all', 1)['value'] = 'C50';
    });
    expect(loadError(dir).message).toBe(`${file}: /indications/0/criteria/all/1/value must be an array for op "anyStartsWith"`);
  });

  it('an impossible date, and a window that ends before it starts', () => {
    const bad = dirWith((p) => {
      at(p, 'indications', 0, 'criteria', 'all', 2, 'any', 1)['effectiveFrom'] = '2023-02-30';
    });
    expect(loadError(bad.dir).message).toBe(`${bad.file}: /indications/0/criteria/all/2/any/1/effectiveFrom must match format "date"`);
    const backwards = dirWith((p) => {
      at(p, 'indications', 0, 'criteria', 'all', 2, 'any', 1)['effectiveTo'] = '2023-01-01';
    });
    expect(loadError(backwards.dir).message).toBe(`${backwards.file}: /indications/0/criteria/all/2/any/1/effectiveTo (2023-01-01) is before the start (2023-10-30)`);
  });

  it('unreadable JSON, and a missing directory', () => {
    const { dir, file } = dirWith(() => undefined);
    writeFileSync(file, '{ "id": ');
    expect(loadError(dir).message).toMatch(/broken\.json: \/ is not readable JSON/);
    expect(loadError(join(dir, 'nope')).message).toMatch(/nope: \/ cannot be read as a policy directory/);
  });
});
