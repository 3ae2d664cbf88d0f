/**
 * The treatment-history audit (issue 14, lane audit-history): charts as real EHRs hold them, each a wrong answer the
 * model gave before (said per test) — a regimen discontinued and replaced, retreatment after a long time off therapy,
 * a stale active order after a progression and a newer line, the negation and completion words of a stop reason.
 */
import type { MedicationRequest, Observation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { ICD10CM, RXNORM, code, condition, draftOrder, medicationRequest } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const RX = {
  docetaxel: '72962', trastuzumab: '224905', pertuzumab: '1298944', tdxd: '2267576', doxorubicin: '3639', cyclophosphamide: '3002', paclitaxel: '56946',
  dexamethasone: '3264', bortezomib: '358258', lenalidomide: '602910', daratumumab: '1721947', pomalidomide: '1369713', carfilzomib: '1302966',
};
const SERVICE_DATE = '2026-12-01';
const breast = condition('breast', code(ICD10CM, 'C50.911'), { onsetDateTime: '2023-11-15' });
const liverMets = condition('liver', code(ICD10CM, 'C78.7'), { onsetDateTime: '2024-01-10' });
const myeloma = condition('mm', code(ICD10CM, 'C90.00'), { onsetDateTime: '2021-11-01' });
const ixabepilone = draftOrder('ixa', code(RXNORM, '337523'), { authoredOn: SERVICE_DATE });
const ixazomib = draftOrder('ixz', code(RXNORM, '1723735'), { authoredOn: SERVICE_DATE });

const ran = (id: string, drug: keyof typeof RX, start: string, end: string, over: Partial<MedicationRequest> = {}): MedicationRequest =>
  medicationRequest(id, RX[drug], start, { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start, end } } } }], ...over });
const worsened = (id: string, date: string): Observation => ({
  resourceType: 'Observation', id, status: 'final', subject: { reference: 'Patient/p1' }, effectiveDateTime: date,
  code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
  valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '271299001' }] },
});
const lineTexts = (facts: ReturnType<typeof buildFacts>): string[] => facts.therapy.priorLines.evidence.map((e) => e.text ?? '');

describe('a regimen discontinued and replaced is a new line, a completed course followed by the next is not', () => {
  it('THP stopped, T-DXd started 19 days later with no progression charted: two lines (was one line of four drugs)', () => {
    const chart = emptyChart({
      conditions: [breast, liverMets],
      medicationRequests: [
        ran('doc', 'docetaxel', '2024-02-01', '2024-06-01'),
        ran('tra', 'trastuzumab', '2024-02-01', '2025-03-01', { status: 'stopped' }),
        ran('per', 'pertuzumab', '2024-02-01', '2025-03-01', { status: 'stopped' }),
        ran('tdxd', 'tdxd', '2025-03-20', '2026-10-01'),
      ],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(2);
    expect(lineTexts(facts)).toEqual(['Line 1 2024-02-01 to 2025-03-01: docetaxel, trastuzumab, pertuzumab', 'Line 2 2025-03-20 to 2026-10-01: fam-trastuzumab-deruxtecan; course completed (MedicationRequest/tdxd: status completed)']);
    expect(facts.therapy.priorRegimens.value).toEqual(['docetaxel-hp']);
    expect(facts.therapy.lastTherapy.drugs.value).toEqual(['fam-trastuzumab-deruxtecan']);
  });

  it('AC completed, paclitaxel 3 weeks later: one line (a planned sequence), AC-T', () => {
    const chart = emptyChart({
      conditions: [breast, liverMets],
      medicationRequests: [ran('dox', 'doxorubicin', '2024-02-01', '2024-04-01'), ran('cyc', 'cyclophosphamide', '2024-02-01', '2024-04-01'), ran('pac', 'paclitaxel', '2024-04-22', '2024-07-15')],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.priorRegimens.value).toEqual(['ac-t']);
  });

  it('bortezomib stopped "completed 6 cycles" then carfilzomib: completion, one line; stopped "no toxicity" (negated) is not intolerance', () => {
    const history = (text: string) => [
      ran('v', 'bortezomib', '2025-01-06', '2025-06-30', { status: 'stopped', statusReason: { text } }),
      ran('r', 'lenalidomide', '2025-01-06', '2025-06-30'),
      ran('k', 'carfilzomib', '2025-07-10', '2025-12-30'),
    ];
    const completed = buildFacts(emptyChart({ conditions: [myeloma], medicationRequests: history('completed 6 cycles') }), ixazomib, catalog);
    expect(completed.therapy.priorLines.value).toBe(1);
    const negated = buildFacts(emptyChart({ conditions: [myeloma], medicationRequests: history('stopped, no toxicity') }), ixazomib, catalog);
    expect(negated.therapy.priorLines.evidence.map((e) => e.text).join(' ')).not.toContain('intolerance');
    // stopped (not completed) and replaced by carfilzomib: a regimen change, a new line
    expect(negated.therapy.priorLines.value).toBe(2);
    const toxic = buildFacts(emptyChart({ conditions: [myeloma], medicationRequests: history('stopped for grade 3 neuropathy') }), ixazomib, catalog);
    expect(lineTexts(toxic)[0]).toContain('ended by intolerance');
    expect(toxic.therapy.priorLines.value).toBe(2);
  });
});

describe('time off therapy: resuming a line vs retreatment', () => {
  it('Rd in 2022, Rd again in 2025 with no progression charted: two lines (was one line 2022–2025)', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('r', 'lenalidomide', '2022-01-06', '2022-12-30'), ran('d', 'dexamethasone', '2022-01-06', '2022-12-30'),
        ran('r2', 'lenalidomide', '2025-01-06', '2025-12-30'), ran('d2', 'dexamethasone', '2025-01-06', '2025-12-30'),
      ],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.therapy.priorLines.value).toBe(2);
    expect(lineTexts(facts)[1]).toBe('Line 2 2025-01-06 to 2025-12-30: lenalidomide; course completed (MedicationRequest/r2: status completed)');
  });

  it('VRd, transplant, lenalidomide maintenance 4 months later: one line (induction, ASCT, maintenance: IMWG)', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('v', 'bortezomib', '2024-01-06', '2024-05-30'), ran('r', 'lenalidomide', '2024-01-06', '2024-05-30'), ran('d', 'dexamethasone', '2024-01-06', '2024-05-30'),
        ran('rm', 'lenalidomide', '2024-10-01', '2026-06-30', { status: 'stopped' }),
      ],
      observations: [worsened('prog', '2026-06-25')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.refractoryTo.value).toEqual(expect.arrayContaining(['lenalidomide']));
  });
});

describe('last therapy: the line started last, whatever a stale order says', () => {
  it('lenalidomide left active after progression, then DPd stopped for intolerance: DPd is the last therapy (was lenalidomide, progression "within 60 days")', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('r', 'lenalidomide', '2024-01-06', '2027-06-30', { status: 'active' }),
        ran('dd', 'daratumumab', '2026-04-01', '2026-09-01', { status: 'stopped', statusReason: { text: 'infusion reaction, intolerance' } }),
        ran('pp', 'pomalidomide', '2026-04-01', '2026-09-01', { status: 'stopped' }),
      ],
      observations: [worsened('p1', '2026-03-10')],
    });
    const last = buildFacts(chart, ixazomib, catalog).therapy.lastTherapy;
    expect(last.drugs.value).toEqual(['daratumumab', 'pomalidomide']);
    expect(last.endedBy.value).toBe('intolerance');
    expect(last.progressionWithin60Days.value).toBe(false);
  });
});

describe('002 §5.d: relapse after the induction, not after its maintenance', () => {
  const vrdThenMaintenance = (progression: string) =>
    emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('v', 'bortezomib', '2024-01-08', '2024-05-27'), ran('r', 'lenalidomide', '2024-01-08', '2024-05-27'), ran('d', 'dexamethasone', '2024-01-08', '2024-05-27'),
        // autologous transplant in 2024-07; lenalidomide maintenance from 2024-10-01
        ran('rm', 'lenalidomide', '2024-10-01', '2026-06-30', { status: 'stopped' }),
      ],
      observations: [worsened('prog', progression)],
    });

  it('VRd, transplant, lenalidomide maintenance, relapse on maintenance 2026-06-25: 24 months after the induction (was 0: "during the first line")', () => {
    const facts = buildFacts(vrdThenMaintenance('2026-06-25'), ixazomib, catalog);
    expect(facts.therapy.inductionRegimen.value).toBe('vrd');
    expect(facts.therapy.inductionToRelapseMonths.value).toBe(24);
    expect(facts.therapy.inductionToRelapseMonths.evidence[1]?.text).toBe(
      "Progression 2026-06-25: relapse 24 whole calendar months after the induction ended 2024-05-27 (induction; the first line's maintenance ran to 2026-06-30)",
    );
  });

  it('VRd for 8 cycles then lenalidomide maintenance straight on (no transplant, SWOG S0777): the induction ends with the last bortezomib', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('v', 'bortezomib', '2024-01-08', '2024-06-10'), ran('r', 'lenalidomide', '2024-01-08', '2026-06-30', { status: 'stopped' }), ran('d', 'dexamethasone', '2024-01-08', '2024-06-10'),
      ],
      observations: [worsened('prog', '2026-06-25')],
    });
    const months = buildFacts(chart, ixazomib, catalog).therapy.inductionToRelapseMonths;
    expect(months.value).toBe(24);
    expect(months.evidence[1]?.text).toContain('after the induction ended 2024-06-10');
  });

  it('bortezomib stopped for neuropathy at cycle 2, Rd to the end of the induction: the induction ends with the line', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('v', 'bortezomib', '2024-01-08', '2024-02-20', { status: 'stopped', statusReason: { text: 'grade 3 neuropathy' } }),
        ran('r', 'lenalidomide', '2024-01-08', '2024-06-10'), ran('d', 'dexamethasone', '2024-01-08', '2024-06-10'),
      ],
      observations: [worsened('prog', '2024-11-20')],
    });
    expect(buildFacts(chart, ixazomib, catalog).therapy.inductionToRelapseMonths.value).toBe(5);
  });

  it('relapse during the induction: 0; exactly 6 calendar months after it: 6; one day short: 5', () => {
    expect(buildFacts(vrdThenMaintenance('2024-04-01'), ixazomib, catalog).therapy.inductionToRelapseMonths.value).toBe(0);
    expect(buildFacts(vrdThenMaintenance('2024-11-27'), ixazomib, catalog).therapy.inductionToRelapseMonths.value).toBe(6);
    expect(buildFacts(vrdThenMaintenance('2024-11-26'), ixazomib, catalog).therapy.inductionToRelapseMonths.value).toBe(5);
  });
});

describe('a combination product is each of its ingredients', () => {
  it('docetaxel with Phesgo (RxNorm 2383305) is THP: pertuzumab and trastuzumab both given (was docetaxel + pertuzumab, no regimen)', () => {
    const chart = emptyChart({
      conditions: [breast, liverMets],
      medicationRequests: [ran('doc', 'docetaxel', '2024-02-01', '2024-06-01'), medicationRequest('phesgo', '2383305', '2024-02-01', { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2024-02-01', end: '2025-03-01' } } } }] })],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorDrugs.value).toEqual(expect.arrayContaining(['docetaxel', 'pertuzumab', 'trastuzumab']));
    expect(facts.therapy.priorRegimens.value).toEqual(['docetaxel-hp']);
    expect(facts.therapy.priorLines.value).toBe(1);
  });
});

describe('daratumumab subcutaneous (Darzalex Faspro, daratumumab and hyaluronidase-fihj)', () => {
  it('billed as HCPCS J9144 with no RxNorm code, with lenalidomide and dexamethasone: DRd (was an unrecognised medication, lines not documented)', () => {
    const faspro = medicationRequest('dara-sc', '0', '2025-02-03', {
      medicationCodeableConcept: { coding: [{ system: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', code: 'J9144' }] },
      dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2025-02-03', end: '2026-05-04' } } } }],
    });
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [faspro, ran('r', 'lenalidomide', '2025-02-03', '2026-05-04'), ran('d', 'dexamethasone', '2025-02-03', '2026-05-04')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.priorRegimens.value).toEqual(['drd']);
  });
});

describe('cycle orders marked stopped when the next cycle replaces them', () => {
  it('TH ordered per 21-day cycle (each order stopped), pertuzumab added at cycle 3: one line, THP', () => {
    const cycle = (n: number, start: string, end: string) => [
      ran(`pac-${n}`, 'paclitaxel', start, end, { status: 'stopped' }),
      ran(`tra-${n}`, 'trastuzumab', start, end, { status: 'stopped' }),
    ];
    const chart = emptyChart({
      conditions: [breast, liverMets],
      medicationRequests: [
        ...cycle(1, '2025-01-06', '2025-01-26'), ...cycle(2, '2025-01-27', '2025-02-16'),
        // pertuzumab first (its loading dose), then the cycle-3 paclitaxel and trastuzumab orders
        ran('per', 'pertuzumab', '2025-02-17', '2025-08-31'), ...cycle(3, '2025-02-18', '2025-03-09'), ...cycle(4, '2025-03-10', '2025-03-30'),
      ],
    });
    const facts = buildFacts(chart, ixabepilone, catalog);
    expect(facts.therapy.priorLines.value).toBe(1);
    expect(facts.therapy.priorRegimens.value).toEqual(['thp']);
  });
});

describe('an order on hold was given before the hold', () => {
  it('DKd orders put on hold (neutropenia) after a year of infusions: still the second line, daratumumab-refractory; not active on the service date', () => {
    const chart = emptyChart({
      conditions: [myeloma],
      medicationRequests: [
        ran('v', 'bortezomib', '2024-01-08', '2024-12-31'), ran('r', 'lenalidomide', '2024-01-08', '2024-12-31'), ran('d', 'dexamethasone', '2024-01-08', '2024-12-31'),
        ran('dara', 'daratumumab', '2025-03-03', '2026-10-05', { status: 'on-hold', statusReason: { text: 'held for grade 4 neutropenia' } }),
        ran('kyp', 'carfilzomib', '2025-03-03', '2026-10-05', { status: 'on-hold' }),
      ],
      observations: [worsened('prog', '2026-10-20')],
    });
    const facts = buildFacts(chart, ixazomib, catalog);
    // was: the on-hold orders dropped from the history, one line, not refractory to daratumumab
    expect(facts.therapy.priorLines.value).toBe(2);
    expect(facts.therapy.refractoryTo.value).toEqual(expect.arrayContaining(['daratumumab', 'anti-cd38']));
    expect(facts.therapy.activeMedications.value).toEqual([]);
  });
});
