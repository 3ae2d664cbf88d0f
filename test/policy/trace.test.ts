import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ClinicalFacts } from '../../src/facts/types.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { traceLines } from '../../src/policy/trace.js';

const policy = loadPolicyFile(fileURLToPath(new URL('../fixtures/policies/test-drug-a.json', import.meta.url)));
const facts = JSON.parse(readFileSync(new URL('../fixtures/facts/drug-a-over-dose.facts.json', import.meta.url), 'utf8')) as ClinicalFacts;

describe('trace', () => {
  it('prints each criterion with status, value and evidence, then the dose check and the outcome', () => {
    const text = traceLines(evaluatePolicy(policy, facts)).join('\n');
    expect(text).toContain('✓ metastatic: Metastatic [§2.1a] = true → met  ⟵ Condition/m1 "Metastatic disease"');
    expect(text).toContain('– all line-before: Third line or later (through 2023-10-29) [§2.2a] (not in effect on the service date)');
    expect(text).toContain('ordered: 90 mg = 50 mg/m² at 1.80 m²');
    expect(text).toContain('limit: ≤ 40 mg/m², ≤ 1 per 21 d');
    expect(text).toContain('covered maximum: 72 mg per administration');
    expect(text).toContain('Outcome: covered=covered, pa-needed=auth-needed, doc-needed=clinical');
  });
});
