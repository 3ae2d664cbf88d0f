import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { biomarkerFacts } from '../../src/facts/biomarkers.js';
import { diagnosisFacts, normaliseIcd10 } from '../../src/facts/diagnoses.js';
import { ICD10CM, LOINC, SNOMED, code, coded, condition, draftOrder, observation, quantity, RXNORM } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const order = draftOrder('d1', code(RXNORM, '1726276'));
const POS = 'LA6576-8';
const NEG = 'LA6577-6';

describe('diagnoses', () => {
  it('normalises ICD-10-CM with and without the dot', () => {
    expect(normaliseIcd10('c50911')).toBe('C50.911');
    expect(normaliseIcd10('C50.911')).toBe('C50.911');
    expect(normaliseIcd10('C78')).toBe('C78');
  });

  it('keeps current Conditions, drops refuted and resolved ones, and puts the order reason first', () => {
    const chart = emptyChart({
      conditions: [
        condition('mets', code(ICD10CM, 'C7800')),
        condition('breast', code(ICD10CM, 'C50.911'), {}),
        condition('refuted', code(ICD10CM, 'C34.90'), { verificationStatus: code('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'refuted') }),
        condition('resolved', code(ICD10CM, 'C18.9'), { clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'resolved') }),
        condition('snomed', code(SNOMED, '254840009')),
      ],
    });
    const withReason = { ...order, reasonReference: [{ reference: 'Condition/breast' }] };
    const dx = diagnosisFacts(chart, withReason, catalog);
    expect(dx.icd10.value).toEqual(['C50.911', 'C78.00']);
    expect(dx.icd10.evidence[0]).toMatchObject({ reference: 'Condition/breast', supports: ['C50.911'] });
    expect(dx.snomed.value).toEqual(['254840009']);
  });

  it('reads reasonCode as a diagnosis too', () => {
    const dx = diagnosisFacts(emptyChart(), { ...order, reasonCode: [code(ICD10CM, 'C91.00')] }, catalog);
    expect(dx.icd10.value).toEqual(['C91.00']);
    expect(dx.icd10.evidence[0]?.reference).toBe('MedicationRequest/d1');
  });

  it('leaves diagnoses unknown, not empty, when none are documented', () => {
    expect(diagnosisFacts(emptyChart(), order, catalog).icd10).toMatchObject({ value: null, unknownReason: 'ICD-10-CM diagnosis not documented' });
  });
});

describe('biomarkers', () => {
  const facts = (observations: Observation[]) => biomarkerFacts(emptyChart({ observations }), catalog);

  it('HER2 IHC 3+ is positive and 1+ negative', () => {
    expect(facts([observation('ihc', '85319-2', '2026-03-01', { valueString: '3+' })]).her2.value).toBe('positive');
    expect(facts([observation('ihc', '85319-2', '2026-03-01', { valueCodeableConcept: { text: 'IHC 1+' } })]).her2.value).toBe('negative');
  });

  it('HER2 IHC 2+ is equivocal until ISH decides', () => {
    const ihc = observation('ihc', '85319-2', '2026-03-01', { valueString: 'Score 2+' });
    expect(facts([ihc]).her2.value).toBe('equivocal');
    const ish = observation('ish', '85318-4', '2026-03-05', coded(LOINC, NEG));
    const her2 = facts([ihc, ish]).her2;
    expect(her2.value).toBe('negative');
    expect(her2.evidence.map((e) => e.reference)).toEqual(['Observation/ish', 'Observation/ihc']);
  });

  it('hormone receptor: ER+ or PR+ is positive; both negative is negative', () => {
    const er = (v: string) => observation('er', '16112-5', '2026-03-01', coded(LOINC, v));
    const pr = (v: string) => observation('pr', '16113-3', '2026-03-01', coded(LOINC, v));
    expect(facts([er(NEG), pr(POS)]).hormoneReceptor.value).toBe('positive');
    expect(facts([er(NEG), pr(NEG)]).hormoneReceptor.value).toBe('negative');
    expect(facts([er(NEG)]).hormoneReceptor.value).toBeNull();
  });

  it('germline BRCA from the genetic variant assessment component form', () => {
    const variant = (value: string, source = 'LA6683-2'): Observation =>
      observation('brca', '69548-6', '2026-02-01', {
        ...coded(LOINC, value),
        component: [
          { code: code(LOINC, '48018-6'), valueCodeableConcept: code('http://www.genenames.org/geneId', 'HGNC:1101', 'BRCA2') },
          { code: code(LOINC, '48002-0'), valueCodeableConcept: code(LOINC, source) },
        ],
      });
    expect(facts([variant('LA9633-4')]).germlineBrca.value).toBe('present');
    expect(facts([variant('LA9634-2')]).germlineBrca.value).toBe('absent');
    // a somatic finding says nothing about the germline
    expect(facts([variant('LA9633-4', 'LA6684-0')]).germlineBrca.value).toBeNull();
    expect(facts([observation('b', '59041-4', '2026-02-01', { valueString: 'Not detected' })]).germlineBrca.value).toBe('absent');
  });

  it('PD-L1 CPS from valueQuantity or a CPS component, never from a TPS', () => {
    expect(facts([observation('pd', '85147-7', '2026-02-01', quantity(12, '{score}'))]).pdl1Cps.value).toBe(12);
    const component = observation('pd2', '85147-7', '2026-02-01', {
      component: [{ code: { ...code(LOINC, '85147-7'), text: 'PD-L1 CPS' }, valueQuantity: { value: 25 } }],
    });
    expect(facts([component]).pdl1Cps.value).toBe(25);
    const tps = observation('pd3', '85147-7', '2026-02-01', { code: { ...code(LOINC, '85147-7'), text: 'PD-L1 TPS' }, ...quantity(50, '%') });
    expect(facts([tps]).pdl1Cps.value).toBeNull();
  });

  it('Philadelphia chromosome: detected / not detected and the newest result wins', () => {
    const older = observation('ph1', '51867-0', '2026-01-01', coded(SNOMED, '260373001', 'Detected'));
    const newer = observation('ph2', '46434-7', '2026-03-01', { valueCodeableConcept: { text: 'BCR-ABL1 not detected' } });
    const ph = facts([older, newer]).philadelphiaChromosome;
    expect(ph.value).toBe('negative');
    expect(ph.evidence[0]?.reference).toBe('Observation/ph2');
    expect(facts([older]).philadelphiaChromosome.value).toBe('positive');
    expect(facts([observation('t', '77037-0', '2026-01-01', coded(LOINC, POS))]).t11_14.value).toBe('positive');
  });
});
