/**
 * Response categories and MRD from response-assessment Observations (LOINC 97509-4), as a bone-marrow report or a
 * disease-status entry states them; the latest on or before the service date counts.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { evaluateLeaf } from '../../src/policy/criteria.js';
import type { Observation } from 'fhir/r4.js';
import type { ClinicalFacts } from '../../src/facts/types.js';
import { code, coded, draftOrder, LOINC, observation, RXNORM, SNOMED } from '../fixtures/facts/builders.js';
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
  it('the latest result that names a category, with its date; a later "stable" status keeps it; MRD from the latest that states it', () => {
    expect(facts.response.category).toEqual({
      value: 'CRi',
      evidence: [
        { reference: 'Observation/bm-oct', date: '2026-10-15', text: 'Response CRi', supports: ['CRi'] },
        { reference: 'Observation/status-nov', date: '2026-11-10', text: "Disease stable (coded SNOMED CT 359746009 Patient's condition stable (finding)): CRi kept", supports: ['CRi'] },
      ],
    });
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

  it('negated words name no category ("no evidence of progressive disease" is not PD); a category coded only in interpretation is read', () => {
    const read = (o: Observation) => buildFacts(emptyChart({ observations: [o] }), order, catalog, SERVICE).response.category;
    expect(read(observation('bm', '97509-4', '2026-11-02', { valueString: 'No evidence of progressive disease; MRD positive 0.05%' })).value).toBeNull();
    expect(read(observation('bm', '97509-4', '2026-11-02', { valueString: 'Not in complete remission: 12% blasts, progressive disease' })).value).toBe('PD');
    const interpreted = read(observation('bm', '97509-4', '2026-11-02', { interpretation: [{ coding: [{ system: SNOMED, code: '103338009', display: 'In full remission' }] }] }));
    expect(interpreted).toMatchObject({ value: 'CR', evidence: [{ reference: 'Observation/bm', text: 'Response CR (coded SNOMED CT 103338009 In full remission (qualifier value))' }] });
  });

  it('a policy leaf reads them: in CR or CRi, MRD negative', () => {
    const leaf = { id: 'r', label: 'CR or CRi', source: 'test', fact: '$.response.category', op: 'in' as const, value: ['CR', 'CRi'] };
    expect(evaluateLeaf(leaf, facts).status).toBe('met');
    expect(evaluateLeaf({ ...leaf, fact: '$.response.mrd', op: 'equals', value: 'negative' }, facts).status).toBe('met');
  });

  describe('from codes (catalog responseCategories, each code with its source)', () => {
    const at = (observations: Observation[]): ClinicalFacts['response'] => buildFacts(emptyChart({ observations }), order, catalog, SERVICE).response;
    // an mCODE STU1-style result: LOINC 88040-1 "Response to cancer treatment"
    const response = (id: string, date: string, value: Partial<Observation>): Observation => observation(id, '88040-1', date, value);

    it('a SNOMED CT remission concept with no words is CR; the LOINC answer for partial response is PR', () => {
      const cr = at([observation('bm-day29', '97509-4', '2026-10-30', { valueCodeableConcept: { coding: [{ system: SNOMED, code: '103338009' }] } })]);
      expect(cr.category.value).toBe('CR');
      expect(cr.category.evidence[0]?.text).toBe('Response CR (coded SNOMED CT 103338009 In full remission (qualifier value))');
      expect(at([response('ct-restage', '2026-10-01', { valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA28369-9', display: 'Partial response' }] } })]).category.value).toBe('PR');
    });

    it('the code decides over contradicting words, except that words may name the finer category (CRi within CR)', () => {
      // the display says "stable disease" out of a template; the code says progression
      const pd = at([observation('bm-relapse', '97509-4', '2026-11-01', coded(SNOMED, '271299001', 'Stable disease per template; blasts 35%'))]);
      expect(pd.category.value).toBe('PD');
      const cri = at([observation('bm-c2', '97509-4', '2026-11-01', { valueCodeableConcept: { coding: [{ system: SNOMED, code: '550991000124107', display: 'Malignant neoplasm in full remission' }], text: 'CRi (ANC 0.6, platelets 45); MRD negative' } })]);
      expect(cri.category.value).toBe('CRi');
      expect(cri.mrd.value).toBe('negative');
    });

    it('"stable" after progression, or with nothing before it, is SD; "improved" with no earlier response says which is not stated', () => {
      const progressed = observation('bm-jun', '97509-4', '2026-06-01', coded(SNOMED, '271299001', 'Worsened'));
      const stable = observation('status-sep', '97509-4', '2026-09-01', coded(SNOMED, '359746009', 'Stable'));
      expect(at([progressed, stable]).category.value).toBe('SD');
      expect(at([stable]).category.value).toBe('SD');
      const improved = at([progressed, observation('status-oct', '97509-4', '2026-10-01', coded(SNOMED, '268910001', 'Improved'))]);
      expect(improved.category.value).toBeNull();
      expect(improved.category.unknownReason).toBe('Disease improved on 2026-10-01, with no earlier response category: "improved" does not say which response (CR or PR)');
      expect(improved.category.evidence.map((e) => e.reference)).toEqual(['Observation/status-oct', 'Observation/bm-jun']);
    });

    it('an improvement after a partial response keeps PR; a code the catalog lists as unconfirmed is read from its words only', () => {
      const pr = observation('ct-aug', '97509-4', '2026-08-01', coded(LOINC, 'LA28369-9', 'Partial response'));
      expect(at([pr, observation('status-oct', '97509-4', '2026-10-01', coded(SNOMED, '268910001', 'Improved'))]).category.value).toBe('PR');
      expect(at([response('ct-nov', '2026-11-01', coded(LOINC, 'LA28371-5', 'Stable disease'))]).category.value).toBe('SD');
      expect(at([response('ct-nov', '2026-11-01', { valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA28371-5' }] } })]).category.value).toBeNull();
    });

    it('every code in the catalog names its source', () => {
      const { categories, trends } = catalog.observations.responseCategories;
      const all = [...categories.flatMap((c) => c.codes ?? []), ...(trends ?? []).flatMap((t) => t.codes)];
      expect(all.length).toBeGreaterThanOrEqual(10);
      for (const c of all) expect(c.source.length, c.code).toBeGreaterThan(20);
    });
  });
});
