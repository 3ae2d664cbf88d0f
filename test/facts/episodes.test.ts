/**
 * The treatment-history model on charts that look like real ones: when each drug ran (administrations first, then the
 * order's own periods, the source named in the evidence), infusions charted only as administrations, what ended an
 * episode and a line (progression, intolerance, completion), and the last therapy.
 */
import type { MedicationAdministration, MedicationRequest, Observation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { datingFromRequest, episodeEnding } from '../../src/facts/episodes.js';
import { therapyEpisodes } from '../../src/facts/therapy.js';
import { ICD10CM, RXNORM, code, condition, draftOrder, medicationRequest } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const RX = {
  doxorubicin: '3639', cyclophosphamide: '3002', paclitaxel: '56946', docetaxel: '72962', capecitabine: '194000', trastuzumab: '224905',
  dexamethasone: '3264', bortezomib: '358258', lenalidomide: '602910', daratumumab: '1721947', carfilzomib: '1302966', blinatumomab: '1597262', pomalidomide: '1369713',
};
const STATUS_REASON = 'http://terminology.hl7.org/CodeSystem/medicationrequest-status-reason';
const SERVICE_DATE = '2026-12-01';

const breast = condition('breast', code(ICD10CM, 'C50.911'), { onsetDateTime: '2022-11-15' });
const liverMets = condition('liver', code(ICD10CM, 'C78.7'), { onsetDateTime: '2024-01-10' });
const myeloma = condition('mm', code(ICD10CM, 'C90.00'), { onsetDateTime: '2023-06-01' });
const ixabepilone = draftOrder('ixa', code(RXNORM, '337523'), { authoredOn: SERVICE_DATE });
const ixazomib = draftOrder('ixz', code(RXNORM, '1723735'), { authoredOn: SERVICE_DATE });

/** An order that ran over its dosage period. */
const ran = (id: string, drug: keyof typeof RX, start: string, end: string, over: Partial<MedicationRequest> = {}): MedicationRequest =>
  medicationRequest(id, RX[drug], start, { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start, end } } } }], ...over });

/** One administration of `drug` on `date` (for `request`, when given). */
const given = (id: string, drug: keyof typeof RX, date: string, request?: string, over: Partial<MedicationAdministration> = {}): MedicationAdministration => ({
  resourceType: 'MedicationAdministration',
  id,
  status: 'completed',
  subject: { reference: 'Patient/p1' },
  medicationCodeableConcept: code(RXNORM, RX[drug]),
  effectiveDateTime: `${date}T10:15:00-05:00`,
  ...(request !== undefined && { request: { reference: `MedicationRequest/${request}` } }),
  ...over,
});

/** Weekly (or every `every` days) administrations from `start` to `end`. */
const series = (prefix: string, drug: keyof typeof RX, start: string, end: string, every: number, request?: string): MedicationAdministration[] => {
  const out: MedicationAdministration[] = [];
  for (let d = new Date(`${start}T00:00:00Z`), i = 0; d.toISOString().slice(0, 10) <= end; d = new Date(d.getTime() + every * 86_400_000), i += 1) {
    out.push(given(`${prefix}-${i}`, drug, d.toISOString().slice(0, 10), request));
  }
  return out;
};

const worsened = (id: string, date: string): Observation => ({
  resourceType: 'Observation', id, status: 'final', subject: { reference: 'Patient/p1' }, effectiveDateTime: date,
  code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
  valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '271299001' }] },
});

describe('when each drug ran: administrations first, then the order, the source named', () => {
  it('an order with administrations is dated first to last administration, whatever its dosage period says', () => {
    const pac = ran('pac', 'paclitaxel', '2025-01-06', '2025-03-24');
    const chart = emptyChart({ medicationRequests: [pac], medicationAdministrations: series('pac', 'paclitaxel', '2025-01-13', '2025-04-14', 7, 'pac') });
    const [episode] = therapyEpisodes(chart, catalog, SERVICE_DATE);
    expect(episode).toMatchObject({ drug: 'paclitaxel', start: '2025-01-13', end: '2025-04-14', dating: { source: 'administrations', administrations: 14 } });
    expect(episode?.cite.text).toBe('paclitaxel given 2025-01-13 to 2025-04-14 (14 administrations); order completed');
  });

  it('administrations naming no order are matched to an order of the same drug by its period', () => {
    const doc = ran('doc', 'docetaxel', '2025-02-03', '2025-06-30');
    const chart = emptyChart({ medicationRequests: [doc], medicationAdministrations: [...series('d', 'docetaxel', '2025-02-03', '2025-05-19', 21), given('other-drug', 'trastuzumab', '2025-02-03')] });
    const episodes = therapyEpisodes(chart, catalog, SERVICE_DATE);
    expect(episodes.find((e) => e.drug === 'docetaxel')).toMatchObject({ start: '2025-02-03', end: '2025-05-19', dating: { source: 'administrations', administrations: 6 } });
    // the trastuzumab infusion has no order: an episode of its own, charted only as an administration
    expect(episodes.find((e) => e.drug === 'trastuzumab')).toMatchObject({ reference: 'MedicationAdministration/other-drug', request: undefined, start: '2025-02-03', end: '2025-02-03' });
    expect(episodes.find((e) => e.drug === 'trastuzumab')?.cite.text).toBe('trastuzumab given 2025-02-03 (1 administration); no order on file');
  });

  it('administrations not given (not-done, entered-in-error) and after the service date date nothing', () => {
    const pac = ran('pac', 'paclitaxel', '2025-01-06', '2025-03-24');
    const chart = emptyChart({
      medicationRequests: [pac],
      medicationAdministrations: [given('x1', 'paclitaxel', '2025-01-06', 'pac', { status: 'not-done' }), given('x2', 'paclitaxel', '2025-01-13', 'pac', { status: 'entered-in-error' }), given('late', 'paclitaxel', '2026-12-05', 'pac')],
    });
    expect(therapyEpisodes(chart, catalog, SERVICE_DATE)[0]?.dating).toMatchObject({ source: 'dosage-period', start: '2025-01-06', end: '2025-03-24' });
  });

  it('without administrations: dosage period, else validity period, else written date + supply × fills; each said', () => {
    const text = (r: MedicationRequest): string | undefined => datingFromRequest(r, SERVICE_DATE)?.text;
    expect(text(ran('a', 'paclitaxel', '2024-01-03', '2024-05-10'))).toBe('2024-01-03 to 2024-05-10, from its dosage period');
    expect(text(medicationRequest('b', RX.capecitabine, '2024-01-03', { dispenseRequest: { validityPeriod: { start: '2024-01-03', end: '2024-06-30' } } }))).toBe('2024-01-03 to 2024-06-30, from its dispense validity period');
    const len = medicationRequest('c', RX.lenalidomide, '2024-01-03', { dispenseRequest: { expectedSupplyDuration: { value: 28, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' }, numberOfRepeatsAllowed: 11 } });
    expect(datingFromRequest(len, SERVICE_DATE)).toMatchObject({ source: 'supply', end: '2024-12-03', text: 'written 2024-01-03, 28-day supply × 12 fills: to 2024-12-03' });
    expect(text(medicationRequest('d', RX.capecitabine, '2024-01-03'))).toBe('written 2024-01-03, no period stated');
    expect(text(medicationRequest('e', RX.capecitabine, '2024-01-03', { status: 'active' }))).toBe(`written 2024-01-03, no period stated: active, so to ${SERVICE_DATE}`);
  });

  it('an in-clinic regimen charted only as administrations is a line; gaps over 28 days split it into episodes', () => {
    const chart = emptyChart({
      conditions: [breast, liverMets],
      medicationAdministrations: [...series('doc', 'docetaxel', '2024-02-05', '2024-06-10', 21), ...series('tra', 'trastuzumab', '2024-02-05', '2024-06-10', 21), ...series('cape-none', 'docetaxel', '2025-03-03', '2025-03-24', 21)],
      observations: [worsened('prog1', '2024-08-01')],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(2);
    expect(facts.therapy.priorLines.evidence.map((e) => e.text)).toEqual([
      'Line 1 2024-02-05 to 2024-06-10: docetaxel, trastuzumab; progression 2024-08-01 (Observation/prog1) ended it',
      'Line 2 2025-03-03 to 2025-03-24: docetaxel',
    ]);
    expect(facts.therapy.priorDrugs.evidence.map((e) => e.text)).toContain('docetaxel given 2024-02-05 to 2024-06-10 (7 administrations); no order on file');
  });

  it('an unrecognised drug charted only as administrations is named, never dropped', () => {
    const chart = emptyChart({
      conditions: [breast, liverMets],
      medicationRequests: [ran('cape', 'capecitabine', '2024-03-01', '2024-08-31')],
      medicationAdministrations: [{ ...given('trial-1', 'paclitaxel', '2025-02-01'), medicationCodeableConcept: { text: 'investigational ADC XB-221 (trial)' } }],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBeNull();
    expect(facts.therapy.priorLines.unknownReason).toContain('investigational ADC XB-221 (trial) (2025-02-01) not recognised by the drug catalog');
  });
});

describe('what ended an episode (catalog/therapy-end-reasons.json)', () => {
  const stopped = (statusReason: MedicationRequest['statusReason']): MedicationRequest => ran('pac', 'paclitaxel', '2025-01-06', '2025-03-10', { status: 'stopped', ...(statusReason !== undefined && { statusReason }) });

  it('a coded statusReason (sintol, salg) is intolerance; the words toxicity / intolerance / adverse too; a negated phrase is not', () => {
    expect(episodeEnding(stopped({ coding: [{ system: STATUS_REASON, code: 'sintol' }] }), catalog)).toEqual({ reason: 'intolerance', reference: 'MedicationRequest/pac', detail: 'statusReason sintol (suspected intolerance)' });
    expect(episodeEnding(stopped({ coding: [{ system: STATUS_REASON, code: 'salg' }] }), catalog)?.reason).toBe('intolerance');
    expect(episodeEnding(stopped({ text: 'Stopped for grade 3 neuropathy (toxicity)' }), catalog)).toMatchObject({ reason: 'intolerance', detail: 'statusReason "Stopped for grade 3 neuropathy (toxicity)"' });
    expect(episodeEnding(stopped({ text: 'adverse reaction' }), catalog)?.reason).toBe('intolerance');
    expect(episodeEnding(stopped({ text: 'Patient preference, no toxicity' }), catalog)).toBeUndefined();
    // a code of another system is not read as the HL7 status reason
    expect(episodeEnding(stopped({ coding: [{ system: 'http://example.org/local', code: 'sintol' }] }), catalog)).toBeUndefined();
  });

  it('completion: status completed or "completed" in the reason; intolerance wins over the status', () => {
    expect(episodeEnding(ran('ac', 'doxorubicin', '2024-01-01', '2024-03-01'), catalog)).toEqual({ reason: 'completion', reference: 'MedicationRequest/ac', detail: 'status completed' });
    expect(episodeEnding(stopped({ text: 'Planned course completed' }), catalog)?.reason).toBe('completion');
    expect(episodeEnding(ran('x', 'doxorubicin', '2024-01-01', '2024-03-01', { statusReason: { coding: [{ system: STATUS_REASON, code: 'sintol' }] } }), catalog)?.reason).toBe('intolerance');
    expect(episodeEnding(stopped(undefined), catalog)).toBeUndefined();
  });
});

describe('what ends a line: progression, intolerance; a planned sequence continues', () => {
  const metastatic = { conditions: [breast, condition('bone', code(ICD10CM, 'C79.51'), { onsetDateTime: '2023-01-10' })] };

  it('a drug started after the line’s drug was stopped for intolerance opens a new line; the evidence says what ended the first', () => {
    const chart = emptyChart({
      ...metastatic,
      medicationRequests: [
        ran('doc', 'docetaxel', '2025-01-06', '2025-02-17', { status: 'stopped', statusReason: { coding: [{ system: STATUS_REASON, code: 'sintol' }], text: 'febrile neutropenia twice' } }),
        ran('dex', 'dexamethasone', '2025-01-05', '2025-02-17'),
        ran('cape', 'capecitabine', '2025-03-03', '2025-09-29'),
      ],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(2);
    expect(facts.therapy.priorLines.evidence.map((e) => e.text)).toEqual([
      'Line 1 2025-01-06 to 2025-02-17: docetaxel; ended by intolerance (MedicationRequest/doc: docetaxel stopped, statusReason sintol (suspected intolerance))',
      'Line 2 2025-03-03 to 2025-09-29: capecitabine; course completed (MedicationRequest/cape: status completed)',
    ]);
  });

  it('AC completed then paclitaxel (a planned sequence) is one line; a dose-reduced restart of the same drug after intolerance stays in it', () => {
    const chart = emptyChart({
      ...metastatic,
      medicationRequests: [
        ran('dox', 'doxorubicin', '2025-01-06', '2025-03-17'),
        ran('cyc', 'cyclophosphamide', '2025-01-06', '2025-03-17'),
        ran('pac1', 'paclitaxel', '2025-03-31', '2025-05-12', { status: 'stopped', statusReason: { text: 'neuropathy grade 2, held' } }),
        ran('pac2', 'paclitaxel', '2025-05-26', '2025-07-28'),
      ],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.priorLines.evidence[0]?.text).toBe(
      'Line 1 2025-01-06 to 2025-07-28: doxorubicin, cyclophosphamide, paclitaxel; ended by intolerance (MedicationRequest/pac1: paclitaxel stopped, statusReason "neuropathy grade 2, held")',
    );
  });
});

describe('last therapy: the most recent line, dated by its last administration', () => {
  it('names its drugs, dates and what ended it; an order-only dexamethasone after it is not it', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('vel', 'bortezomib', '2024-01-08', '2024-08-26'), ran('len', 'lenalidomide', '2024-01-08', '2024-08-26'),
        ran('dara', 'daratumumab', '2024-10-07', '2025-03-31'), ran('kyp', 'carfilzomib', '2024-10-07', '2025-03-31'),
        ran('dex', 'dexamethasone', '2026-06-01', '2026-06-05'),
      ],
      // infusions continued after the orders' periods: the last one on 2026-05-18
      medicationAdministrations: [...series('dara', 'daratumumab', '2024-10-07', '2026-05-18', 28, 'dara'), ...series('kyp', 'carfilzomib', '2024-10-07', '2026-05-18', 28, 'kyp')],
      observations: [worsened('p1', '2024-09-20'), worsened('p2', '2026-06-20')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    const last = facts.therapy.lastTherapy;
    expect(last.drugs.value).toEqual(['daratumumab', 'carfilzomib']);
    expect(last.start.value).toBe('2024-10-07');
    expect(last.end.value).toBe('2026-05-18');
    expect(last.endedBy.value).toBe('progression');
    expect(last.progressionWithin60Days.value).toBe(true);
    expect(facts.disease.progressionWithin60DaysOfLastTherapy).toBe(last.progressionWithin60Days);
    expect(last.drugs.evidence[0]?.text).toContain('dated by its last administration 2026-05-18 (carfilzomib given 2024-10-07 to 2026-05-18 (22 administrations))');
    expect(facts.therapy.refractoryTo.value).toEqual(expect.arrayContaining(['daratumumab', 'anti-cd38', 'lenalidomide']));
  });

  it('stopped for intolerance with no progression: endedBy intolerance, progression within 60 days false', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [ran('len', 'lenalidomide', '2025-01-06', '2025-06-30', { status: 'stopped', statusReason: { text: 'rash, intolerance' } })],
      observations: [worsened('p-old', '2024-11-01')],
    });
    const last = buildFacts(chart, ixazomib, catalog).therapy.lastTherapy;
    expect(last.endedBy.value).toBe('intolerance');
    expect(last.progressionWithin60Days.value).toBe(false);
    expect(last.progressionWithin60Days.evidence[0]?.text).toBe('Latest progression 2024-11-01: not on the last therapy nor within 60 days of its last administration (2025-06-30)');
  });

  it('no line: unknown, with the reason; the medication history unreadable: unknown with that reason', () => {
    const none = buildFacts(emptyChart({ conditions: [myeloma], medicationRequests: [ran('dex', 'dexamethasone', '2025-01-06', '2025-01-10')] }), ixazomib, catalog).therapy.lastTherapy;
    expect(none.drugs).toMatchObject({ value: null, unknownReason: 'No prior line of systemic therapy documented' });
    const gap = buildFacts(emptyChart({ unavailable: [{ what: 'Medication history', key: 'medicationRequests', reason: 'timeout' }] }), ixazomib, catalog).therapy.lastTherapy;
    expect(gap.end.value).toBeNull();
    expect(gap.end.unknownReason).toContain('Medication history');
  });

  it('an active order planned past the service date runs to the service date, not to its planned end', () => {
    // was: Kd "last therapy" dated to 2027-03-01, months after the order being signed; progression on Kd makes it a prior line
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('vel', 'bortezomib', '2025-01-06', '2025-06-30'), ran('len', 'lenalidomide', '2025-01-06', '2025-06-30'),
        ran('kyp', 'carfilzomib', '2026-09-01', '2027-03-01', { status: 'active' }), ran('kd', 'dexamethasone', '2026-09-01', '2027-03-01', { status: 'active' }),
      ],
      observations: [worsened('p1', '2026-08-15'), worsened('p2', '2026-11-20')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.therapy.lastTherapy.end.value).toBe(SERVICE_DATE);
    expect(facts.therapy.lastTherapy.drugs.evidence[0]?.text).toContain('2026-09-01 to 2026-12-01, from its dosage period (planned to 2027-03-01; read to the service date)');
    expect(facts.therapy.priorLines.evidence.map((e) => e.text)).toContain('Line 2 2026-09-01 to 2026-12-01: carfilzomib; progression 2026-11-20 (Observation/p2) ended it');
  });

  it("Kd still running with no progression since it started is the order's own line: the last therapy is the line before it", () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('vel', 'bortezomib', '2025-01-06', '2025-06-30'), ran('len', 'lenalidomide', '2025-01-06', '2025-06-30'),
        ran('kyp', 'carfilzomib', '2026-09-01', '2027-03-01', { status: 'active' }), ran('kd', 'dexamethasone', '2026-09-01', '2027-03-01', { status: 'active' }),
      ],
      observations: [worsened('p1', '2026-08-15')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.priorLines.evidence.map((e) => e.text)).toContain(
      "Line 2 2026-09-01 to 2026-12-01: carfilzomib; running on 2026-12-01 with no progression since it started: the order joins it, so it is the order's line, not a prior one",
    );
    expect(facts.therapy.lastTherapy.drugs.value).toEqual(['bortezomib', 'lenalidomide']);
    expect(facts.therapy.lastTherapy.end.value).toBe('2025-06-30');
  });

  it('progression on DRd, then Pd started two weeks ago and running: ixazomib joins Pd, and the last therapy is DRd with its progression (002 5.b.iii met)', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('dara', 'daratumumab', '2025-03-01', '2026-10-20'), ran('len2', 'lenalidomide', '2025-03-01', '2026-10-20'),
        ran('pom', 'pomalidomide', '2026-11-17', '2027-02-28', { status: 'active' }), ran('pdex', 'dexamethasone', '2026-11-17', '2027-02-28', { status: 'active' }),
      ],
      observations: [worsened('p-drd', '2026-11-02')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.therapy.lastTherapy.drugs.value).toEqual(['daratumumab', 'lenalidomide']);
    expect(facts.therapy.lastTherapy.progressionWithin60Days.value).toBe(true);
    expect(facts.disease.progressionWithin60DaysOfLastTherapy.value).toBe(true);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.order.partners.value).toEqual(expect.arrayContaining(['pomalidomide', 'dexamethasone']));
  });

  it("a line still running with no end reason is the order's own line: no prior line, so no last therapy", () => {
    const chart = emptyChart({ conditions: [myeloma], medicationRequests: [ran('len', 'lenalidomide', '2026-01-05', '2026-12-31', { status: 'active' })] });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.therapy.priorLines.value).toBe(0);
    expect(facts.therapy.lastTherapy.start.value).toBeNull();
    expect(facts.therapy.lastTherapy.start.unknownReason).toBe('No prior line of systemic therapy documented');
  });

  it('a line stopped with no end reason: endedBy not documented, the dates known', () => {
    const chart = emptyChart({ conditions: [myeloma], medicationRequests: [ran('len', 'lenalidomide', '2026-01-05', '2026-10-31', { status: 'stopped' })] });
    const last = buildFacts(chart, ixazomib, catalog).therapy.lastTherapy;
    expect(last.start.value).toBe('2026-01-05');
    expect(last.endedBy.value).toBeNull();
    expect(last.endedBy.unknownReason).toContain('not documented');
  });
});

describe('blinatumomab cycles from administrations', () => {
  const blin = (days: number): MedicationRequest =>
    draftOrder('blin', code(RXNORM, RX.blinatumomab), {
      dosageInstruction: [{ text: 'Blinatumomab 28 mcg/day continuous IV infusion', timing: { repeat: { boundsDuration: { value: days, code: 'd' }, frequency: 1, period: 1, periodUnit: 'd' } } }],
      dispenseRequest: { validityPeriod: { start: SERVICE_DATE } },
    });
  /** a 7-day bag from `start` */
  const bag = (id: string, start: string, request?: string): MedicationAdministration => {
    const end = new Date(Date.parse(`${start}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
    return { ...given(id, 'blinatumomab', start, request), effectiveDateTime: undefined, effectivePeriod: { start: `${start}T09:00:00Z`, end: `${end}T09:00:00Z` } } as MedicationAdministration;
  };

  it('two cycles under one long order, charted as bags: two runs, so this order is cycle 3, 49 treatment-free days after the second', () => {
    const order = blin(28);
    const oneOrder = medicationRequest('blin-hist', RX.blinatumomab, '2026-08-04', { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2026-08-04', end: '2026-11-16' } } } }] });
    const bags = [
      ...['2026-08-04', '2026-08-11', '2026-08-18', '2026-08-25'].map((d, i) => bag(`c1-${i}`, d, 'blin-hist')),
      ...['2026-09-15', '2026-09-22', '2026-09-29', '2026-10-06'].map((d, i) => bag(`c2-${i}`, d, 'blin-hist')),
    ];
    const facts = buildFacts(emptyChart({ draftOrders: [order], medicationRequests: [oneOrder], medicationAdministrations: bags }), order, catalog).order;
    expect(facts.cycleNumber.value).toBe(3);
    expect(facts.cycleNumber.evidence[0]?.text).toBe('Cycle 3 from the medication history: this order follows 2 earlier blinatumomab runs (2026-08-04–2026-08-31, 2026-09-15–2026-10-12)');
    expect(facts.cycleNumber.evidence.map((e) => e.reference)).toContain('MedicationAdministration/c2-3');
    expect(facts.treatmentFreeDaysBefore.value).toBe(49);
  });

  /** a bag charted by its start only (how many EHRs chart a 48–96 h bag change), `hours` long when its end is charted */
  const pointBag = (id: string, date: string, endDate?: string): MedicationAdministration =>
    endDate === undefined ? given(id, 'blinatumomab', date) : ({ ...given(id, 'blinatumomab', date), effectiveDateTime: undefined, effectivePeriod: { start: `${date}T09:00:00Z`, end: `${endDate}T09:00:00Z` } } as MedicationAdministration);
  const orderOn = (date: string, days: number): MedicationRequest =>
    draftOrder('blin', code(RXNORM, RX.blinatumomab), {
      authoredOn: date,
      dosageInstruction: [{ text: 'Blinatumomab 28 mcg/day continuous IV infusion', timing: { repeat: { boundsDuration: { value: days, code: 'd' }, frequency: 1, period: 1, periodUnit: 'd' } } }],
      dispenseRequest: { validityPeriod: { start: date } },
    });

  it('72-hour bags charted every 3 days by their start are one run (cycle 1), so after a 14-day break this order is cycle 2', () => {
    // was: every bag its own run, so the order read as cycle 10 with 2 treatment-free days
    const starts = ['2026-10-01', '2026-10-04', '2026-10-07', '2026-10-10', '2026-10-13', '2026-10-16', '2026-10-19', '2026-10-22'];
    const bags = [...starts.map((d, i) => pointBag(`c1-${i}`, d)), pointBag('c1-last', '2026-10-25', '2026-10-28')];
    const order = orderOn('2026-11-12', 28);
    const facts = buildFacts(emptyChart({ draftOrders: [order], medicationAdministrations: bags }), order, catalog).order;
    expect(facts.cycleNumber.value).toBe(2);
    expect(facts.cycleNumber.evidence[0]?.text).toBe('Cycle 2 from the medication history: this order follows 1 earlier blinatumomab run (2026-10-01–2026-10-28)');
    expect(facts.cycleDayStart.value).toBe(1);
    expect(facts.treatmentFreeDaysBefore.value).toBe(14);
  });

  it('an interruption of 7 days continues the cycle (label); one of 14 days starts a new cycle', () => {
    const before = ['2026-11-01', '2026-11-03', '2026-11-07'].map((d, i) => pointBag(`a-${i}`, d));
    const order = orderOn('2026-11-21', 14);
    // 7 days with no bag (11-08 to 11-14), then bags again: the same cycle, day 21 on 11-21
    const sevenDays = buildFacts(emptyChart({ draftOrders: [order], medicationAdministrations: [...before, pointBag('b-0', '2026-11-15'), pointBag('b-1', '2026-11-18')] }), order, catalog).order;
    expect(sevenDays.cycleNumber.value).toBe(1);
    expect(sevenDays.cycleDayStart.value).toBe(21);
    expect(sevenDays.cycleDayEnd.value).toBe(34);
    // 14 days with no bag after 11-07: the order starts cycle 2, day 1
    const order2 = orderOn('2026-11-22', 28);
    const fourteenDays = buildFacts(emptyChart({ draftOrders: [order2], medicationAdministrations: before }), order2, catalog).order;
    expect(fourteenDays.cycleNumber.value).toBe(2);
    expect(fourteenDays.cycleDayStart.value).toBe(1);
    expect(fourteenDays.treatmentFreeDaysBefore.value).toBe(14);
  });

  it('a bag running up to the service date continues its cycle: cycle 1, day counted from the first bag', () => {
    const order = blin(21);
    const bags = [bag('b1', '2026-11-17'), bag('b2', '2026-11-24')];
    const facts = buildFacts(emptyChart({ draftOrders: [order], medicationAdministrations: bags }), order, catalog).order;
    expect(facts.cycleNumber.value).toBe(1);
    expect(facts.cycleDayStart.value).toBe(15);
    expect(facts.cycleDayEnd.value).toBe(35);
  });
});
