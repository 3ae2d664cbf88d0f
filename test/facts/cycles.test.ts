import { describe, expect, it } from 'vitest';
import type { MedicationRequest } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { RXNORM, code, draftOrder, medicationRequest } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const BLIN_SCD = '1597262';

/** An earlier blinatumomab infusion bag run: start to end, given. */
const run = (id: string, start: string, end: string, status: MedicationRequest['status'] = 'completed'): MedicationRequest =>
  medicationRequest(id, BLIN_SCD, start, { status, dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start, end }, frequency: 1, period: 1, periodUnit: 'd' } } }] });

/** The order being signed, starting 2026-12-01 for `days` days; `text` may state a cycle. */
const order = (days: number, text = 'Blinatumomab 28 mcg/day continuous IV infusion'): MedicationRequest =>
  draftOrder('blin', code(RXNORM, BLIN_SCD), {
    dosageInstruction: [{ text, timing: { repeat: { boundsDuration: { value: days, code: 'd' }, frequency: 1, period: 1, periodUnit: 'd' } } }],
    dispenseRequest: { validityPeriod: { start: '2026-12-01' } },
  });

// a real chart's neighbours: induction hyper-CVAD drugs and dexamethasone, which must not count as blinatumomab runs
const induction = [medicationRequest('cyc', '1734919', '2026-03-01'), medicationRequest('vcr', '1863343', '2026-03-01'), medicationRequest('dex', '197582', '2026-03-01')];

const factsOf = (o: MedicationRequest, history: MedicationRequest[], over: Parameters<typeof emptyChart>[0] = {}) =>
  buildFacts(emptyChart({ draftOrders: [o], medicationRequests: [...induction, ...history], ...over }), o, catalog).order;

describe('blinatumomab cycles from the medication history (catalog cyclePattern)', () => {
  it('no earlier blinatumomab: cycle 1 day 1, so the step-dose band applies; no treatment-free interval to check', () => {
    const facts = factsOf(order(7), []);
    expect(facts.cycleNumber.value).toBe(1);
    expect(facts.cycleDayStart.value).toBe(1);
    expect(facts.cycleNumber.evidence[0]?.text).toContain('no earlier blinatumomab infusion');
    expect(facts.cycleNumberStated.value).toBeNull();
    expect(facts.cycleDayEnd.value).toBe(7);
    expect(facts.treatmentFreeDaysBefore.value).toBeNull();
  });

  it('two bag orders back to back are one run; a new order 56 days later is cycle 2 day 1, evidence naming both orders', () => {
    const facts = factsOf(order(28), [run('c1a', '2026-09-08', '2026-09-14'), run('c1b', '2026-09-15', '2026-10-05')]);
    expect(facts.cycleNumber.value).toBe(2);
    expect(facts.cycleDayStart.value).toBe(1);
    const refs = facts.cycleNumber.evidence.map((e) => e.reference);
    expect(refs).toEqual(expect.arrayContaining(['MedicationRequest/c1a', 'MedicationRequest/c1b']));
    expect(facts.cycleNumber.evidence[0]?.text).toContain('2026-09-08–2026-10-05');
    expect(facts.treatmentFreeDaysBefore.value).toBe(56);
  });

  it('a run still going on the service date: same cycle, day counted from its start (cycle 1 day 8)', () => {
    const facts = factsOf(order(21), [run('c1', '2026-11-24', '2026-11-30', 'active')]);
    expect(facts.cycleNumber.value).toBe(1);
    expect(facts.cycleDayStart.value).toBe(8);
    expect(facts.cycleDayEnd.value).toBe(28);
    expect(facts.treatmentFreeDaysBefore.value).toBeNull();
  });

  it('a 35-day continuous infusion from day 1 runs to cycle day 35, past day 28', () => {
    const facts = factsOf(order(35), [run('c1', '2026-09-01', '2026-09-28')]);
    expect(facts.cycleDayEnd.value).toBe(35);
    expect(facts.cycleDayEnd.evidence[0]?.text).toContain('past day 28');
  });

  it('a new run 7 days after the previous one ended: 7 treatment-free days, said to be shorter than the label', () => {
    const facts = factsOf(order(28), [run('c1', '2026-10-27', '2026-11-23')]);
    expect(facts.cycleNumber.value).toBe(2);
    expect(facts.treatmentFreeDaysBefore.value).toBe(7);
    expect(facts.treatmentFreeDaysBefore.evidence[0]?.text).toContain('shorter than the 14 days');
  });

  it('three earlier cycles with stops: the fourth; cancelled and draft orders are not runs', () => {
    const history = [
      run('c1', '2026-01-05', '2026-02-01'),
      run('c2', '2026-02-16', '2026-03-15'),
      run('x', '2026-04-01', '2026-04-28', 'cancelled'),
      run('c3', '2026-05-01', '2026-05-28', 'stopped'),
    ];
    expect(factsOf(order(28), history).cycleNumber.value).toBe(4);
  });

  it('a cycle stated on the order wins over the history', () => {
    const facts = factsOf(order(28, 'cycle 3 day 1, 28 mcg/day'), [run('c1', '2026-09-01', '2026-09-28')]);
    expect(facts.cycleNumber.value).toBe(3);
    expect(facts.cycleNumberStated.value).toBe(3);
    expect(facts.cycleNumber.evidence[0]?.text).toContain('order text');
  });

  it('medication history unreadable: the cycle stays not documented, never guessed as cycle 1', () => {
    const facts = factsOf(order(7), [], { unavailable: [{ what: 'Medication history', key: 'medicationRequests', reason: 'timeout' }] });
    expect(facts.cycleNumber.value).toBeNull();
    expect(facts.cycleDayStart.value).toBeNull();
  });

  it('a drug without a cycle pattern gets no cycle from history (ixazomib)', () => {
    const ixa = draftOrder('ixa', code(RXNORM, '1723770'), { dispenseRequest: { validityPeriod: { start: '2026-12-01' } } });
    const facts = buildFacts(emptyChart({ draftOrders: [ixa], medicationRequests: [medicationRequest('ixa-old', '1723770', '2026-06-01')] }), ixa, catalog).order;
    expect(facts.cycleNumber.value).toBeNull();
    expect(facts.treatmentFreeDaysBefore.value).toBeNull();
  });
});
