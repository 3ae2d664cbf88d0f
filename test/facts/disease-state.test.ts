import { describe, expect, it } from 'vitest';
import type { Condition } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { ICD10CM, RXNORM, SNOMED, code, coded, condition, draftOrder, medicationRequest, observation } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const ICDO3 = 'http://terminology.hl7.org/CodeSystem/icd-o-3';
const blin = draftOrder('blin', code(RXNORM, '1597262'));
const ixa = draftOrder('ixa', code(RXNORM, '1726276'));

function all(id: string, icd: string, text: string, status: string, onset: string, more: Partial<Condition> = {}): Condition {
  return condition(id, { coding: [{ system: ICD10CM, code: icd }], text }, { clinicalStatus: code(CLINICAL, status), onsetDateTime: onset, ...more });
}

describe('leukaemia state', () => {
  it('reads the ICD-10-CM remission character of the newest leukaemia diagnosis', () => {
    const chart = emptyChart({
      conditions: [all('dx-2024', 'C91.00', 'ALL', 'active', '2024-02-01'), all('dx-2026', 'C91.02', 'ALL in relapse', 'relapse', '2026-10-20')],
    });
    const state = buildFacts(chart, blin, catalog).disease.leukaemiaState;
    expect(state.value).toBe('relapse');
    expect(state.evidence[0]).toMatchObject({ reference: 'Condition/dx-2026', supports: ['relapse'] });
    expect(state.evidence[0]?.text).toContain('C91.02');
  });

  it('reads clinicalStatus remission when the code has no remission character, and refractory from text', () => {
    const remission = emptyChart({ conditions: [condition('dx', { text: 'B-ALL' }, { clinicalStatus: code(CLINICAL, 'remission') })] });
    expect(buildFacts(remission, blin, catalog).disease.leukaemiaState.value).toBe('remission');
    const refractory = emptyChart({ conditions: [all('dx', 'C91.00', 'Primary refractory B-ALL', 'active', '2026-01-01')] });
    expect(buildFacts(refractory, blin, catalog).disease.leukaemiaState.value).toBe('refractory');
  });

  it('C91.00 (also the code of ALL NOS) defers to a clinicalStatus of remission; the evidence says why', () => {
    const state = buildFacts(emptyChart({ conditions: [all('dx', 'C91.00', 'B-ALL', 'remission', '2026-01-10')] }), blin, catalog).disease.leukaemiaState;
    expect(state.value).toBe('remission');
    expect(state.evidence[0]?.text).toContain('ICD-10-CM C91.00 "not having achieved remission" also codes the disease unspecified');
  });

  it('C91.01 with clinicalStatus relapse is not settled: unknown, both states possible, and the phase is open between their phases', () => {
    const chart = emptyChart({
      conditions: [all('dx', 'C91.01', 'B-ALL', 'relapse', '2026-01-10')],
      medicationRequests: [medicationRequest('vcr', '11202', '2026-01-15')],
    });
    const facts = buildFacts(chart, blin, catalog);
    expect(facts.disease.leukaemiaState).toMatchObject({ value: null, possibleValues: ['remission', 'relapse'] });
    expect(facts.disease.leukaemiaState.unknownReason).toContain('ICD-10-CM C91.01 reads in remission, clinical status relapse reads in relapse');
    expect(facts.order.phase.value).toBeNull();
    expect([...(facts.order.phase.possibleValues ?? [])].sort()).toEqual(['consolidation', 'relapsed-refractory']);
  });

  it('the words of the same code defer to its character: "relapsed ALL, in second remission" coded C91.01 is remission', () => {
    const chart = emptyChart({ conditions: [all('dx', 'C91.01', 'Relapsed B-ALL, in second remission', 'active', '2026-01-10')] });
    expect(buildFacts(chart, blin, catalog).disease.leukaemiaState.value).toBe('remission');
  });

  it('a later response assessment updates the state: PD after remission is relapse, CR after relapse is remission', () => {
    const pd = observation('pd', '97509-4', '2026-10-01', coded(SNOMED, '271299001'));
    const relapsed = buildFacts(emptyChart({ conditions: [all('dx', 'C91.01', 'ALL', 'active', '2026-03-01')], observations: [pd] }), blin, catalog).disease.leukaemiaState;
    expect(relapsed.value).toBe('relapse');
    expect(relapsed.evidence.map((e) => e.reference)).toEqual(['Observation/pd', 'Condition/dx']);
    const cr = observation('cr', '97509-4', '2026-10-01', coded(SNOMED, '103338009'));
    expect(buildFacts(emptyChart({ conditions: [all('dx', 'C91.02', 'ALL', 'relapse', '2026-06-01')], observations: [cr] }), blin, catalog).disease.leukaemiaState.value).toBe('remission');
    // an assessment older than the diagnosis (the induction failure before the remission was recorded) changes nothing
    const early = observation('pd-early', '97509-4', '2026-02-01', coded(SNOMED, '271299001'));
    expect(buildFacts(emptyChart({ conditions: [all('dx', 'C91.01', 'ALL', 'active', '2026-03-01')], observations: [early] }), blin, catalog).disease.leukaemiaState.value).toBe('remission');
  });

  it('is unknown when no diagnosis says, not "not in remission"', () => {
    const chart = emptyChart({ conditions: [condition('dx', code(ICD10CM, 'C50.911'))] });
    expect(buildFacts(chart, blin, catalog).disease.leukaemiaState.value).toBeNull();
  });
});

describe('date and age at diagnosis', () => {
  it('infant ALL is judged by age at diagnosis, not at the order', () => {
    const chart = emptyChart({
      patient: { resourceType: 'Patient', id: 'p1', birthDate: '2025-09-15' },
      conditions: [all('dx', 'C91.01', 'KMT2A-rearranged B-ALL in remission', 'remission', '2026-03-02')],
    });
    const facts = buildFacts(chart, { ...blin, authoredOn: '2026-12-01' }, catalog);
    expect(facts.patient.ageMonths.value).toBe(14);
    expect(facts.patient.ageAtDiagnosisMonths.value).toBe(5);
    expect(facts.disease.diagnosisDate).toMatchObject({ value: '2026-03-02', evidence: [{ reference: 'Condition/dx' }] });
  });
});

describe('ALL lineage', () => {
  it('T-lineage from the condition text; never read as B', () => {
    const chart = emptyChart({ conditions: [all('dx', 'C91.02', 'Precursor T-cell lymphoblastic leukemia, in relapse', 'relapse', '2026-10-01')] });
    expect(buildFacts(chart, blin, catalog).disease.lineage).toMatchObject({ value: 't-cell', evidence: [{ reference: 'Condition/dx', supports: ['t-cell'] }] });
  });

  it('B-cell precursor from ICD-O-3 morphology or text; unknown from C91.0- alone', () => {
    const morphology = emptyChart({ conditions: [condition('dx', { coding: [{ system: ICD10CM, code: 'C91.01' }, { system: ICDO3, code: '9836/3' }] })] });
    expect(buildFacts(morphology, blin, catalog).disease.lineage.value).toBe('b-precursor');
    const text = emptyChart({ conditions: [all('dx', 'C91.01', 'Pre-B ALL in first remission', 'remission', '2026-01-01')] });
    expect(buildFacts(text, blin, catalog).disease.lineage.value).toBe('b-precursor');
    const bare = emptyChart({ conditions: [all('dx', 'C91.01', 'Acute lymphoblastic leukemia, in remission', 'remission', '2026-01-01')] });
    expect(buildFacts(bare, blin, catalog).disease.lineage.value).toBeNull();
  });
});

describe('disease groups (diagnosis criteria without a code list)', () => {
  it('C50.A- is breast cancer and inflammatory', () => {
    const chart = emptyChart({ conditions: [condition('dx', code(ICD10CM, 'C50.A1'))] });
    const facts = buildFacts(chart, ixa, catalog);
    expect(facts.diagnoses.diseases.value).toEqual(['breast-cancer']);
    expect(facts.disease.inflammatory).toMatchObject({ value: true, evidence: [{ reference: 'Condition/dx' }] });
  });

  it('every diagnosis read in ICD-10-CM and none the disease: known empty; an uncoded one leaves it unknown', () => {
    const lung = emptyChart({ conditions: [condition('lung', code(ICD10CM, 'C34.11')), condition('htn', code(ICD10CM, 'I10'))] });
    expect(buildFacts(lung, ixa, catalog).diagnoses.diseases.value).toEqual([]);
    const uncoded = emptyChart({ conditions: [condition('lung', code(ICD10CM, 'C34.11')), condition('x', code(SNOMED, '363358000'))] });
    const facts = buildFacts(uncoded, ixa, catalog);
    expect(facts.diagnoses.diseases.value).toBeNull();
    expect(facts.diagnoses.diseases.unknownReason).toContain('Condition/x');
  });

  it('Waldenström from C88.0, or C83.0- only with lymphoplasmacytic named', () => {
    const wm = emptyChart({ conditions: [condition('dx', code(ICD10CM, 'C88.0'))] });
    expect(buildFacts(wm, ixa, catalog).diagnoses.diseases.value).toEqual(['waldenstrom']);
    const smallCell = emptyChart({ conditions: [condition('dx', code(ICD10CM, 'C83.00'))] });
    expect(buildFacts(smallCell, ixa, catalog).diagnoses.diseases.value).toEqual([]);
    const lpl = emptyChart({ conditions: [condition('dx', { ...code(ICD10CM, 'C83.00'), text: 'Lymphoplasmacytic lymphoma, IgM' })] });
    expect(buildFacts(lpl, ixa, catalog).diagnoses.diseases.value).toEqual(['waldenstrom']);
  });
});

describe('extent', () => {
  const stage = (value: string, date = '2026-02-01') => observation('stage', '21908-9', date, { valueCodeableConcept: { text: value } });

  it('axillary nodes (C77.3) with a documented stage IIB are not metastatic; C77 alone is unknown; C78 is distant', () => {
    const nodesStaged = emptyChart({ conditions: [condition('bc', code(ICD10CM, 'C50.911')), condition('ax', code(ICD10CM, 'C77.3'))], observations: [stage('IIB')] });
    const staged = buildFacts(nodesStaged, ixa, catalog).disease.metastatic;
    expect(staged.value).toBe(false);
    expect(staged.evidence.map((e) => e.reference)).toEqual(['Observation/stage', 'Condition/ax']);
    const nodesOnly = emptyChart({ conditions: [condition('ax', code(ICD10CM, 'C77.3'))] });
    const open = buildFacts(nodesOnly, ixa, catalog).disease.metastatic;
    expect(open.value).toBeNull();
    expect(open.unknownReason).toContain('C77');
    const liver = emptyChart({ conditions: [condition('liver', code(ICD10CM, 'C78.7'))], observations: [stage('IIB')] });
    expect(buildFacts(liver, ixa, catalog).disease.metastatic.value).toBe(true);
  });
});

describe('no response to preoperative therapy (001)', () => {
  const stable = observation('status', '97509-4', '2026-06-01', coded(SNOMED, '359746009'));
  it('stable after preoperative therapy was given: no response, citing the therapy', () => {
    const chart = emptyChart({ medicationRequests: [medicationRequest('ac', '1790099', '2026-02-01')], observations: [stable] });
    const facts = buildFacts(chart, ixa, catalog);
    expect(facts.disease.noResponse.value).toBe(true);
    expect(facts.disease.noResponse.evidence.map((e) => e.reference)).toEqual(['Observation/status', 'MedicationRequest/ac']);
  });
  it('stable with no therapy before it: not a failure to respond', () => {
    const chart = emptyChart({ observations: [stable] });
    expect(buildFacts(chart, ixa, catalog).disease.noResponse.value).toBe(false);
  });
});

describe('prescriber specialty groups (NUCC, catalog/specialties.json)', () => {
  it('surgical, radiation, gynecologic and pediatric hem-onc are oncologists; hematology is hematology', () => {
    for (const [nucc, groups] of [
      ['2086X0206X', ['oncology']],
      ['2085R0001X', ['oncology']],
      ['207VX0201X', ['oncology']],
      ['2080P0207X', ['oncology', 'hematology']],
      ['207RH0000X', ['hematology']],
      ['207Q00000X', []],
    ] as const) {
      const chart = emptyChart({
        practitionerRoles: [{ resourceType: 'PractitionerRole', id: 'r', specialty: [code('http://nucc.org/provider-taxonomy', nucc)] }],
      });
      const facts = buildFacts(chart, { ...ixa, requester: { reference: 'PractitionerRole/r' } }, catalog);
      expect(facts.prescriber.specialtyGroups.value).toEqual(groups);
    }
  });
});

