/**
 * Doses already given ($.order.dosesGiven) from a chart's earlier orders and administrations: a patient on
 * inotuzumab (cycle 1: 0.8 mg/m² day 1 and 0.5 mg/m² days 8 and 15; cycle 2: 0.5 mg/m² days 1, 8, 15), with
 * premedication, an earlier hyper-CVAD line, a cancelled order, and — for the administrations path — the MAR entries of
 * cycle 2 as real MedicationAdministration resources (one of them 0.8 mg/m² given instead of the ordered 0.5).
 */
import type { Dosage, MedicationAdministration, MedicationRequest } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { identifyOrderedDrug } from '../../src/catalog/drugs.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { givenDoses, type DoseHistoryInput } from '../../src/facts/order-dose.js';
import type { DoseHistory } from '../../src/facts/types.js';
import { currentCourse } from '../../src/policy/dose.js';
import { code, draftOrder, medicationRequest, RXNORM, UCUM } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const INOTUZUMAB = '1942954';
const DEXAMETHASONE = '3264';
const SERVICE = '2026-11-03';

const dose = (value: number, unit: string, text: string, repeat: NonNullable<Dosage['timing']>['repeat']): Dosage => ({
  text,
  timing: { repeat },
  doseAndRate: [{ doseQuantity: { value, unit, system: UCUM, code: unit } }],
});

const cycle1 = medicationRequest('ino-c1', INOTUZUMAB, '2026-09-01', {
  dosageInstruction: [
    dose(0.8, 'mg/m2', 'Inotuzumab 0.8 mg/m2 IV day 1', { count: 1, frequency: 1, period: 1, periodUnit: 'd', boundsPeriod: { start: '2026-09-01' } }),
    dose(0.5, 'mg/m2', 'Inotuzumab 0.5 mg/m2 IV days 8 and 15', { count: 2, frequency: 1, period: 1, periodUnit: 'wk', boundsPeriod: { start: '2026-09-08' } }),
  ],
});
const cycle2 = medicationRequest('ino-c2', INOTUZUMAB, '2026-10-06', {
  dosageInstruction: [dose(0.5, 'mg/m2', 'Inotuzumab 0.5 mg/m2 IV days 1, 8, 15', { count: 3, frequency: 1, period: 1, periodUnit: 'wk', boundsPeriod: { start: '2026-10-06' } })],
});
const premedication = medicationRequest('dex-premed', DEXAMETHASONE, '2026-10-06', {
  dosageInstruction: [dose(12, 'mg', 'Dexamethasone 12 mg IV before each inotuzumab dose', { count: 3, frequency: 1, period: 1, periodUnit: 'wk' })],
});
const cancelled = medicationRequest('ino-c2-cancelled', INOTUZUMAB, '2026-10-06', {
  status: 'cancelled',
  dosageInstruction: [dose(0.8, 'mg/m2', 'entered twice', { count: 3, frequency: 1, period: 1, periodUnit: 'wk' })],
});
const hyperCvad = medicationRequest('vcr-2025', '11202', '2025-03-01', { dosageInstruction: [dose(2, 'mg', 'Vincristine 2 mg IV', { count: 2, frequency: 1, period: 1, periodUnit: 'wk' })] });

function administration(id: string, date: string, value: number, unit: string, over: Partial<MedicationAdministration> = {}): MedicationAdministration {
  return {
    resourceType: 'MedicationAdministration',
    id,
    status: 'completed',
    medicationCodeableConcept: code(RXNORM, INOTUZUMAB, 'inotuzumab ozogamicin 0.9 MG Injection'),
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: `${date}T10:30:00-05:00`,
    request: { reference: 'MedicationRequest/ino-c2' },
    dosage: { route: { text: 'IV' }, dose: { value, unit, system: UCUM, code: unit } },
    ...over,
  };
}

const chart = emptyChart({ medicationRequests: [hyperCvad, cycle1, premedication, cycle2, cancelled] });
const input: DoseHistoryInput = {
  drug: 'inotuzumab-ozogamicin',
  serviceDate: SERVICE,
  draftIds: new Set(['draft-ino-c3']),
  identify: (resource) => identifyOrderedDrug(resource, chart, catalog),
};
const history = (requests: readonly MedicationRequest[], administrations: readonly MedicationAdministration[] = [], over: Partial<DoseHistoryInput> = {}): DoseHistory => {
  const fact = givenDoses(requests, administrations, { ...input, ...over });
  if (fact.value === null) throw new Error(fact.unknownReason);
  return fact.value;
};
const summary = (h: DoseHistory): string[] => h.doses.map((d) => `${d.date} ${d.amount.asWritten} ${d.reference}`);

describe('doses given, from earlier orders', () => {
  it('each dose line × the administrations its timing implies, dated from its start; premedication, other drugs and a cancelled order left out', () => {
    expect(summary(history(chart.medicationRequests))).toEqual([
      '2026-09-01 0.8 mg/m2 MedicationRequest/ino-c1',
      '2026-09-08 0.5 mg/m2 MedicationRequest/ino-c1',
      '2026-09-15 0.5 mg/m2 MedicationRequest/ino-c1',
      '2026-10-06 0.5 mg/m2 MedicationRequest/ino-c2',
      '2026-10-13 0.5 mg/m2 MedicationRequest/ino-c2',
      '2026-10-20 0.5 mg/m2 MedicationRequest/ino-c2',
    ]);
  });

  it('only doses before the service date count: an order still running gives the doses already past', () => {
    expect(summary(history(chart.medicationRequests, [], { serviceDate: '2026-10-14' })).slice(-2)).toEqual([
      '2026-10-06 0.5 mg/m2 MedicationRequest/ino-c2',
      '2026-10-13 0.5 mg/m2 MedicationRequest/ino-c2',
    ]);
  });

  it('an earlier order whose count cannot be told, or whose dose is a count of vials, is listed as unreadable with its date', () => {
    const open = medicationRequest('ino-open', INOTUZUMAB, '2026-08-01', { dosageInstruction: [dose(0.5, 'mg/m2', 'weekly', { frequency: 1, period: 1, periodUnit: 'wk' })] });
    const vials = medicationRequest('ino-vials', INOTUZUMAB, '2026-07-01', { dosageInstruction: [dose(2, '{vial}', '2 vials', { count: 1 })] });
    const h = history([open, vials, cycle1]);
    expect(h.unreadable).toEqual([
      { date: '2026-08-01', reference: 'MedicationRequest/ino-open', reason: 'how many times it was given is not stated (timing.repeat.count, event dates or a bounded period)' },
      { date: '2026-07-01', reference: 'MedicationRequest/ino-vials', reason: expect.stringContaining('count of units') as string },
    ]);
    expect(h.doses).toHaveLength(3);
  });

  it('event dates are the doses; the medication history that could not be fetched leaves the fact unknown', () => {
    const events = medicationRequest('ino-ev', INOTUZUMAB, '2026-09-01', { dosageInstruction: [{ timing: { event: ['2026-09-01', '2026-09-08'] }, doseAndRate: [{ doseQuantity: { value: 1.4, unit: 'mg', system: UCUM, code: 'mg' } }] }] });
    expect(summary(history([events]))).toEqual(['2026-09-01 1.4 mg MedicationRequest/ino-ev', '2026-09-08 1.4 mg MedicationRequest/ino-ev']);
    expect(givenDoses([events], [], { ...input, historyGap: 'MedicationRequests: not available (timeout)' })).toEqual({ value: null, evidence: [], unknownReason: 'MedicationRequests: not available (timeout)' });
  });
});

describe('doses given, from MedicationAdministration', () => {
  const mar = [
    administration('mar-c2-d1', '2026-10-06', 0.5, 'mg/m2'),
    administration('mar-c2-d8', '2026-10-13', 1.44, 'mg'),
    administration('mar-c2-d15', '2026-10-20', 0.8, 'mg/m2'),
    administration('mar-c2-d15-void', '2026-10-20', 0.5, 'mg/m2', { status: 'entered-in-error' }),
  ];

  it('the administrations of an order replace the doses its timing implies; the other orders still count from their timing', () => {
    const h = history(chart.medicationRequests, mar);
    expect(summary(h)).toEqual([
      '2026-09-01 0.8 mg/m2 MedicationRequest/ino-c1',
      '2026-09-08 0.5 mg/m2 MedicationRequest/ino-c1',
      '2026-09-15 0.5 mg/m2 MedicationRequest/ino-c1',
      '2026-10-06 0.5 mg/m2 MedicationAdministration/mar-c2-d1',
      '2026-10-13 1.44 mg MedicationAdministration/mar-c2-d8',
      '2026-10-20 0.8 mg/m2 MedicationAdministration/mar-c2-d15',
    ]);
    expect(h.doses.filter((d) => d.source === 'administration')).toHaveLength(3);
  });

  it('an administration without its order reference accounts for the order whose doses span its date', () => {
    const unlinked = mar.slice(0, 1).map((a) => ({ ...a, request: undefined }) as MedicationAdministration);
    const h = history([cycle2], unlinked);
    expect(summary(h)).toEqual(['2026-10-06 0.5 mg/m2 MedicationAdministration/mar-c2-d1']);
  });

  it('an administration with no dose is unreadable on its date; one after the service date does not count', () => {
    const noDose: MedicationAdministration = { ...administration('mar-nodose', '2026-10-27', 0, 'mg'), dosage: { text: 'given as ordered' } };
    const later = administration('mar-later', '2026-11-10', 0.5, 'mg/m2');
    const h = history([], [noDose, later]);
    expect(h.doses).toEqual([]);
    expect(h.unreadable).toEqual([{ date: '2026-10-27', reference: 'MedicationAdministration/mar-nodose', reason: 'the administration records no dose (dosage.dose)' }]);
  });
});

describe('the current course', () => {
  const h = history(chart.medicationRequests);

  it('walks back from the service date while the pauses are no longer than the course gap', () => {
    expect(currentCourse(h, SERVICE, 42).doses).toHaveLength(6);
    expect(currentCourse(h, SERVICE, 42).since).toBe('2026-09-01');
    // a 14-day gap ends the course at the pause between cycle 2's last dose and the order (14 days: still in)
    expect(currentCourse(h, SERVICE, 14).doses.map((d) => d.date)).toEqual(['2026-10-06', '2026-10-13', '2026-10-20']);
    expect(currentCourse(h, SERVICE, 13).doses).toEqual([]);
  });

  it('an unreadable order inside the course is in it; one before a longer pause is not', () => {
    const old: DoseHistory = { ...h, unreadable: [{ date: '2026-03-01', reference: 'MedicationRequest/ino-first-course', reason: 'x' }] };
    expect(currentCourse(old, SERVICE, 42).unreadable).toEqual([]);
    const inside: DoseHistory = { ...h, unreadable: [{ date: '2026-09-22', reference: 'MedicationRequest/ino-extra', reason: 'x' }] };
    expect(currentCourse(inside, SERVICE, 42).unreadable.map((u) => u.reference)).toEqual(['MedicationRequest/ino-extra']);
  });
});

describe('buildFacts', () => {
  it('reads the doses given for the draft order, citing each earlier order with its doses', () => {
    const draft = draftOrder('draft-ino-c3', code(RXNORM, INOTUZUMAB), { dispenseRequest: { validityPeriod: { start: SERVICE } } });
    const facts = buildFacts({ ...chart, draftOrders: [draft] }, draft, catalog, SERVICE);
    expect(facts.order.dosesGiven.value?.doses).toHaveLength(6);
    expect(facts.order.dosesGiven.evidence.map((e) => e.text)).toEqual([
      'inotuzumab-ozogamicin 0.8 mg/m2 / 0.5 mg/m2, 3 doses 2026-09-01 to 2026-09-15 (order completed; doses from its timing)',
      'inotuzumab-ozogamicin 0.5 mg/m2, 3 doses 2026-10-06 to 2026-10-20 (order completed; doses from its timing)',
    ]);
  });
});
