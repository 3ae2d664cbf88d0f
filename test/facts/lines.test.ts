/** Lines of therapy read as a payer's clinical reviewer reads them, on charts with several lines, premedication, added drugs. */
import type { MedicationRequest, Observation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { ICD10CM, RXNORM, code, condition, draftOrder, medicationRequest } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const RX = { doxorubicin: '3639', cyclophosphamide: '3002', paclitaxel: '56946', trastuzumab: '224905', pertuzumab: '1298944', docetaxel: '72962', capecitabine: '194000', dexamethasone: '3264', lenalidomide: '602910' };

/** an order that ran from `start` to `end` (its validity period) */
const ran = (id: string, drug: keyof typeof RX, start: string, end: string): MedicationRequest =>
  medicationRequest(id, RX[drug], start, { dispenseRequest: { validityPeriod: { start, end } } });
const progression = (id: string, date: string): Observation => ({
  resourceType: 'Observation', id, status: 'final', subject: { reference: 'Patient/p1' }, effectiveDateTime: date,
  code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
  valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '271299001' }] },
});
const breast = condition('breast', code(ICD10CM, 'C50.911'), { onsetDateTime: '2022-11-15' });
const boneMets = (onset: string) => condition('bone', code(ICD10CM, 'C79.51'), { onsetDateTime: onset });
const ixabepilone = draftOrder('ixa', code(RXNORM, '337523'), { authoredOn: '2026-12-01' });

// adjuvant AC (4 cycles) then TH, with pertuzumab added for THP, finishing trastuzumab in 2023-12
const adjuvant = [
  ran('dox', 'doxorubicin', '2023-01-05', '2023-03-16'),
  ran('cyc', 'cyclophosphamide', '2023-01-05', '2023-03-16'),
  ran('pac', 'paclitaxel', '2023-03-30', '2023-06-15'),
  ran('tra', 'trastuzumab', '2023-03-30', '2023-12-14'),
  ran('per', 'pertuzumab', '2023-04-20', '2023-12-14'),
];
const metastaticLines = [
  ran('doc', 'docetaxel', '2025-07-01', '2025-12-20'),
  ran('tra2', 'trastuzumab', '2025-07-01', '2026-02-20'),
  ran('per2', 'pertuzumab', '2025-07-01', '2026-02-20'),
  ran('cape', 'capecitabine', '2026-03-20', '2026-10-30'),
];

describe('setting: curative-intent (neo)adjuvant therapy is not a line for advanced disease', () => {
  it('AC→TH→THP adjuvant, metastatic 18 months later, THP then capecitabine: ixabepilone is third line, not sixth', () => {
    const chart = emptyChart({ conditions: [breast, boneMets('2025-06-10')], medicationRequests: [...adjuvant, ...metastaticLines], observations: [progression('prog', '2026-03-05')] });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(2);
    expect(facts.therapy.lineOfTherapy.value).toBe(3);
    const texts = facts.therapy.priorLines.evidence.map((e) => e.text);
    expect(texts).toEqual([
      'Line 1 2025-07-01 to 2026-02-20: docetaxel, trastuzumab, pertuzumab; progression 2026-03-05 (Observation/prog) ended it',
      'Line 2 2026-03-20 to 2026-10-30: capecitabine; course completed (MedicationRequest/cape: status completed)',
      'Curative-intent (neo)adjuvant therapy 2023-01-05 to 2023-12-14: doxorubicin, cyclophosphamide, paclitaxel, trastuzumab, pertuzumab; course completed (MedicationRequest/per: status completed); before the first metastatic evidence (2025-06-10), not a line for advanced disease',
    ]);
  });

  it('relapse within 12 months of the end of adjuvant therapy counts the adjuvant course as a line', () => {
    const chart = emptyChart({ conditions: [breast, boneMets('2024-09-01')], medicationRequests: [...adjuvant, ...metastaticLines], observations: [progression('prog', '2026-03-05')] });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(3);
    expect(facts.therapy.priorLines.evidence[0]?.text).toContain('relapse 2024-09-01 within 12 months of it counts it as a line');
  });
});

describe('regimen episodes', () => {
  it('pertuzumab added to a running TH at cycle 3 joins it; a dexamethasone premedication is not a line', () => {
    const chart = emptyChart({
      conditions: [breast, boneMets('2022-11-15')],
      medicationRequests: [ran('pac', 'paclitaxel', '2025-01-06', '2025-06-30'), ran('tra', 'trastuzumab', '2025-01-06', '2025-12-31'), ran('per', 'pertuzumab', '2025-03-10', '2025-12-31'), ran('dex', 'dexamethasone', '2026-02-01', '2026-02-02')],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.priorLines.evidence.map((e) => e.text)).toEqual(['Line 1 2025-01-06 to 2025-12-31: paclitaxel, trastuzumab, pertuzumab; course completed (MedicationRequest/per: status completed)']);
  });

  it('retreatment with the same drugs after a progression is a new line; a restart without progression is the same line', () => {
    const ixazomib = draftOrder('ixz', code(RXNORM, '1723735'), { authoredOn: '2026-12-01' });
    const rd = [ran('len1', 'lenalidomide', '2024-01-08', '2024-08-31'), ran('dex1', 'dexamethasone', '2024-01-08', '2024-08-31')];
    const restart = [ran('len2', 'lenalidomide', '2025-01-06', '2025-10-31'), ran('dex2', 'dexamethasone', '2025-01-06', '2025-10-31')];
    const afterProgression = buildFacts(emptyChart({ medicationRequests: [...rd, ...restart], observations: [progression('p1', '2024-10-15')] }), ixazomib, catalog);
    expect(afterProgression.therapy.priorLines.value).toBe(2);
    expect(afterProgression.therapy.priorLines.evidence[0]?.text).toBe('Line 1 2024-01-08 to 2024-08-31: lenalidomide; progression 2024-10-15 (Observation/p1) ended it');
    const holiday = buildFacts(emptyChart({ medicationRequests: [...rd, ...restart], observations: [progression('p1', '2025-11-20')] }), ixazomib, catalog);
    expect(holiday.therapy.priorLines.value).toBe(1);
  });
});

describe('a medication the catalog does not recognise is never dropped', () => {
  const uncoded = (id: string, text: string, start: string): MedicationRequest =>
    medicationRequest(id, 'x', start, { medicationCodeableConcept: { text }, dispenseRequest: { validityPeriod: { start, end: start } } });

  it('started outside every line it may be a line: the count is not documented and names it', () => {
    const chart = emptyChart({ conditions: [breast, boneMets('2022-11-15')], medicationRequests: [ran('cape', 'capecitabine', '2025-01-06', '2025-06-30'), uncoded('ola', 'study drug XT-4410 100 mg tablet', '2025-09-01')] });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBeNull();
    expect(facts.therapy.lineOfTherapy.value).toBeNull();
    expect(facts.therapy.priorLines.unknownReason).toContain('study drug XT-4410 100 mg tablet (2025-09-01) not recognised by the drug catalog');
    expect(facts.therapy.priorLines.evidence.map((e) => e.text)).toContain('study drug XT-4410 100 mg tablet started 2025-09-01: not recognised by the drug catalog; it may be a line of therapy');
  });

  it('started during a line it cannot open one: the count stands and the evidence still names it', () => {
    const chart = emptyChart({ conditions: [breast, boneMets('2022-11-15')], medicationRequests: [ran('cape', 'capecitabine', '2025-01-06', '2025-06-30'), uncoded('ond', 'ondansetron 8 mg', '2025-01-06')] });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.priorLines.evidence.map((e) => e.text)).toContain('ondansetron 8 mg started 2025-01-06: not recognised by the drug catalog (started during a line, cannot open one)');
  });
});

describe('last therapy = the most recent line, dated by its last administration', () => {
  it('a dexamethasone re-order after lenalidomide is not the last therapy: progression 30 days after lenalidomide is on it', () => {
    const ixazomib = draftOrder('ixz', code(RXNORM, '1723735'), { authoredOn: '2026-12-01' });
    const chart = emptyChart({
      medicationRequests: [ran('len', 'lenalidomide', '2025-01-06', '2026-09-30'), ran('dex', 'dexamethasone', '2026-05-01', '2026-05-01')],
      observations: [progression('p', '2026-10-30')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.disease.progressionWithin60DaysOfLastTherapy.value).toBe(true);
    expect(facts.disease.progressionWithin60DaysOfLastTherapy.evidence.map((e) => e.text)).toEqual([
      'Progression 2026-10-30, on the last therapy or within 60 days of its last administration',
      'Last therapy (advanced setting): lenalidomide from 2025-01-06, dated by 2026-09-30 (lenalidomide 2025-01-06 to 2026-09-30, from its dispense validity period); progression 2026-10-30 (Observation/p) ended it',
    ]);
    expect(facts.therapy.lastTherapy.drugs.value).toEqual(['lenalidomide']);
    expect(facts.therapy.lastTherapy.endedBy.value).toBe('progression');
  });
});

describe("the line still running on the service date is the order's own line (a drug added to a running regimen joins it)", () => {
  // THP ended by progression, then capecitabine running (active order to the end of the year) when ixabepilone is ordered
  const capecitabineRunning: MedicationRequest = { ...ran('cape', 'capecitabine', '2026-03-20', '2026-12-31'), status: 'active' };
  const history = [...metastaticLines.filter((r) => r.id !== 'cape'), capecitabineRunning];

  it('no progression since capecitabine started: ixabepilone joins it, so one prior line (THP) and capecitabine is a partner, not a prior drug', () => {
    const chart = emptyChart({ conditions: [breast, boneMets('2025-06-10')], medicationRequests: history, observations: [progression('prog', '2026-03-05')] });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.lineOfTherapy.value).toBe(2);
    const running = facts.therapy.priorLines.evidence.find((e) => e.text?.includes('capecitabine'));
    expect(running?.text).toMatch(/^Line 2 2026-03-20 to .*: capecitabine; running on 2026-12-01 with no progression since it started: the order joins it, so it is the order's line, not a prior one$/);
    expect(facts.therapy.priorDrugs.value).not.toContain('capecitabine');
    expect(facts.order.partners.value).toContain('capecitabine');
  });

  it('progression documented on capecitabine: ixabepilone starts a new line, capecitabine is a prior line', () => {
    const chart = emptyChart({ conditions: [breast, boneMets('2025-06-10')], medicationRequests: history, observations: [progression('prog', '2026-03-05'), progression('prog2', '2026-11-15')] });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(2);
    expect(facts.therapy.lineOfTherapy.value).toBe(3);
    expect(facts.therapy.priorDrugs.value).toContain('capecitabine');
  });
});
