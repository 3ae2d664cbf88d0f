/**
 * Response categories and MRD from response-assessment Observations (LOINC 97509-4), as a bone-marrow report or a
 * disease-status entry states them; the latest on or before the service date counts.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { evaluateLeaf } from '../../src/policy/criteria.js';
import { code, coded, draftOrder, observation, RXNORM, SNOMED } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const SERVICE = '2026-11-20';
const order = draftOrder('draft-blin', code(RXNORM, '1594696'), { dispenseRequest: { validityPeriod: { start: SERVICE } } });

const chart = emptyChart({
  observations: [
    observation('bm-aug', '97509-4', '2026-08-02', coded(SNOMED, '271299001', 'Progressive disease')),
    observation('bm-oct', '97509-4', '2026-10-15', { valueCodeableConcept: { text: 'Complete remission with incomplete hematologic recovery (CRi); MRD-negative by flow (<0.01%)' } }),
    observation('bm-dec', '97509-4', '2026-12-01', { valueString: 'CR, MRD positive' }),
    observation('status-nov', '97509-4', '2026-11-10', coded(SNOMED, '359746009', 'Stable')),
  ],
});
const facts = buildFacts(chart, order, catalog, SERVICE);

describe('response assessment', () => {
  it('the latest result that names a category, with its date; MRD from the latest that states it', () => {
    expect(facts.response.category).toEqual({ value: 'CRi', evidence: [{ reference: 'Observation/bm-oct', date: '2026-10-15', text: 'Response CRi', supports: ['CRi'] }] });
    expect(facts.response.mrd.value).toBe('negative');
  });

  it('a category stated later wins; a result after the service date does not count yet', () => {
    const laterOrder = { ...order, dispenseRequest: { validityPeriod: { start: '2026-12-02' } } };
    const later = buildFacts(chart, laterOrder, catalog, '2026-12-02');
    expect(later.response.category.value).toBe('CR');
    expect(later.response.mrd.value).toBe('positive');
  });

  it('progression in words is PD; nothing stated is not documented', () => {
    expect(buildFacts(emptyChart({ observations: [chart.observations[0]!] }), order, catalog, SERVICE).response.category.value).toBe('PD');
    expect(buildFacts(emptyChart(), order, catalog, SERVICE).response).toEqual({
      category: { value: null, evidence: [], unknownReason: 'Response assessment not documented' },
      mrd: { value: null, evidence: [], unknownReason: 'MRD not documented' },
    });
  });

  it('a policy leaf reads them: in CR or CRi, MRD negative', () => {
    const leaf = { id: 'r', label: 'CR or CRi', source: 'test', fact: '$.response.category', op: 'in' as const, value: ['CR', 'CRi'] };
    expect(evaluateLeaf(leaf, facts).status).toBe('met');
    expect(evaluateLeaf({ ...leaf, fact: '$.response.mrd', op: 'equals', value: 'negative' }, facts).status).toBe('met');
  });
});
