import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { administrationsIn, checkDoseLimits, checkLimitSet, limitValue } from '../../src/policy/dose.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import type { DoseLimitSet } from '../../src/policy/types.js';
import { amount, ev, facts, known, schedule, unknown } from '../support/facts-builder.js';

const policy = loadPolicyFile(fileURLToPath(new URL('../fixtures/policies/test-drug-a.json', import.meta.url)));
const solidSet = policy.indications[0]?.doseLimits?.[0] as DoseLimitSet;
const infusionSet = policy.indications[1]?.doseLimits?.[0] as DoseLimitSet;

describe('BSA-based caps (mg vs mg/m²)', () => {
  it('an absolute order at the cap for this BSA is met', () => {
    const r = checkLimitSet(solidSet, facts({ body: { bodySurfaceArea: known(1.8, ev('Observation/bsa')) }, order: { amount: amount(72, 'mg'), schedule: schedule(1, 21) } }));
    expect(r).toMatchObject({ status: 'met', alternativeId: 'q21', ordered: { amount: { value: 72, unit: 'mg' }, inLimitUnit: { value: 40, unit: 'mg/m2' }, scale: { value: 1.8, unit: 'm2' } }, limits: [{ dose: { max: 40, unit: 'mg/m2' }, schedule: { maxAdministrations: 1, periodDays: 21 } }] });
    expect(r.evidence.map((e) => e.reference)).toContain('Observation/bsa');
  });

  it('an absolute order above the cap is not met, with the covered maximum in the order’s unit', () => {
    const r = checkLimitSet(solidSet, facts({ body: { bodySurfaceArea: known(1.8) }, order: { amount: amount(90, 'mg'), schedule: schedule(1, 21) } }));
    expect(r.status).toBe('not-met');
    expect(r.exceeds).toEqual(['dose']);
    expect(r.alternativeId).toBe('q21');
    expect(r.ordered).toEqual({ amount: { value: 90, unit: 'mg' }, inLimitUnit: { value: 50, unit: 'mg/m2' }, scale: { value: 1.8, unit: 'm2' } });
    expect(r.limits).toEqual([{ dose: { max: 40, unit: 'mg/m2' }, schedule: { maxAdministrations: 1, periodDays: 21 } }]);
    expect(r.covered?.amount).toEqual({ value: 72, unit: 'mg', per: 'administration' });
    expect(r.covered?.schedule).toBeUndefined();
  });

  it('missing BSA leaves an absolute order not documented, naming what would settle it', () => {
    const r = checkLimitSet(solidSet, facts({ body: { bodySurfaceArea: unknown('no height in the last 30 days') }, order: { amount: amount(72, 'mg'), schedule: schedule(1, 21) } }));
    expect(r.status).toBe('not-documented');
    expect(r.missing).toEqual(['$.body.bodySurfaceArea']);
    expect(r.unknownReasons).toEqual(['no height in the last 30 days']);
  });

  it('an order written per m² compares without the BSA', () => {
    const r = checkLimitSet(solidSet, facts({ order: { amount: amount(40, 'mg', 'per-m2'), schedule: schedule(1, 21) } }));
    expect(r.status).toBe('met');
  });

  it('per m² above the cap without BSA: not met, and the suggestion needs the BSA', () => {
    const r = checkLimitSet(solidSet, facts({ order: { amount: amount(50, 'mg', 'per-m2'), schedule: schedule(1, 21) } }));
    expect(r.status).toBe('not-met');
    expect(r.covered).toBeUndefined();
    expect(r.missing).toEqual(['$.body.bodySurfaceArea']);
  });
});

describe('schedules', () => {
  const f = (amt: number, adm: number, days: number, duration?: number) =>
    facts({ body: { bodySurfaceArea: known(1.8) }, order: { amount: amount(amt, 'mg', 'per-m2'), schedule: schedule(adm, days, duration) } });

  it('normalises to the limit’s period', () => {
    expect(administrationsIn({ administrations: 1, periodDays: 7, asWritten: '' }, 28)).toBe(4);
    expect(administrationsIn({ administrations: 1, periodDays: 21, asWritten: '' }, 21)).toBe(1);
    expect(administrationsIn({ administrations: 1, periodDays: 14, asWritten: '' }, 21)).toBe(1.5);
    expect(administrationsIn({ administrations: 1, periodDays: 7, durationDays: 21, asWritten: '' }, 28)).toBe(3);
  });

  it('every 21 days meets once per 21 days', () => {
    expect(checkLimitSet(solidSet, f(40, 1, 21)).status).toBe('met');
  });

  it('weekly (4 per 28 d) exceeds 3 per 28 d; the suggestion keeps the dose and caps the schedule', () => {
    const r = checkLimitSet(solidSet, f(16, 1, 7));
    expect(r.status).toBe('not-met');
    expect(r.alternativeId).toBe('3-per-28');
    expect(r.exceeds).toEqual(['schedule']);
    expect(r.covered?.amount.value).toBeCloseTo(28.8, 10);
    expect(r.covered?.schedule).toEqual({ administrations: 3, periodDays: 28 });
    expect(r.ordered?.schedule).toEqual({ administrations: 4, periodDays: 28 });
  });

  it('weekly for 3 weeks of a 28-day cycle meets 3 per 28 d', () => {
    expect(checkLimitSet(solidSet, f(16, 1, 7, 21)).status).toBe('met');
  });

  it('every 14 days exceeds once per 21 days; the most generous alternative is suggested', () => {
    const r = checkLimitSet(solidSet, f(40, 1, 14));
    expect(r.status).toBe('not-met');
    expect(r.alternativeId).toBe('q21');
    expect(r.covered).toEqual({ amount: { value: 72, unit: 'mg', per: 'administration' }, schedule: { administrations: 1, periodDays: 21 } });
  });

  it('an unknown schedule leaves the check open', () => {
    const r = checkLimitSet(solidSet, facts({ order: { amount: amount(40, 'mg', 'per-m2'), schedule: unknown('no timing on the order') } }));
    expect(r.status).toBe('not-documented');
    expect(r.missing).toEqual(['$.order.schedule']);
  });
});

describe('weight bands, cycle-day caps and not-to-exceed (per-day caps)', () => {
  const f = (weight: number | null, bsa: number | null, ugPerDay: number, cycle: number | null, day: number | null) =>
    facts({
      body: { weightKg: weight === null ? unknown() : known(weight), bodySurfaceArea: bsa === null ? unknown() : known(bsa) },
      order: {
        amount: amount(ugPerDay, 'ug', 'absolute', 'day'),
        schedule: schedule(1, 1, 28),
        cycleNumber: cycle === null ? unknown() : known(cycle),
        cycleDayStart: day === null ? unknown() : known(day),
      },
    });

  it('≥ 45 kg after cycle 1 day 7: 28 mcg/day is met', () => {
    expect(checkLimitSet(infusionSet, f(60, null, 28, 2, 1))).toMatchObject({ status: 'met', alternativeId: 'heavy' });
  });

  it('≥ 45 kg in cycle 1 days 1–7: 28 mcg/day exceeds 9 mcg/day', () => {
    const r = checkLimitSet(infusionSet, f(60, null, 28, 1, 1));
    expect(r).toMatchObject({ status: 'not-met', alternativeId: 'heavy-c1-early', limits: [{ dose: { max: 9, unit: 'ug/d' } }] });
    expect(r.covered?.amount).toEqual({ value: 9, unit: 'ug', per: 'day' });
  });

  it('< 45 kg: 15 mcg/m²/day at BSA 1.0 is met', () => {
    const r = checkLimitSet(infusionSet, f(30, 1.0, 15, 2, 1));
    expect(r).toMatchObject({ status: 'met', alternativeId: 'light', ordered: { amount: { value: 15, unit: 'ug/d' }, inLimitUnit: { value: 15, unit: 'ug/m2/d' }, scale: { value: 1, unit: 'm2' } } });
  });

  it('< 45 kg: the not-to-exceed cap binds above the BSA-based cap', () => {
    const r = checkLimitSet(infusionSet, f(30, 2.0, 30, 2, 1));
    expect(r.status).toBe('not-met');
    expect(r.limits).toEqual([{ dose: { max: 15, unit: 'ug/m2/d', notToExceed: { max: 28, unit: 'ug/d' } } }]);
    expect(r.covered?.amount).toEqual({ value: 28, unit: 'ug', per: 'day' });
  });

  it('unknown weight: not documented when the band decides, naming the weight', () => {
    const r = checkLimitSet(infusionSet, f(null, null, 20, 2, 1));
    expect(r.status).toBe('not-documented');
    expect(r.missing).toContain('$.body.weightKg');
  });

  it('unknown weight but over every band: not met', () => {
    const r = checkLimitSet(infusionSet, f(null, 2.0, 40, 2, 1));
    expect(r.status).toBe('not-met');
    expect(r.covered?.amount.value).toBe(28);
  });

  it('converts mass units generically (order in mg, cap in mcg)', () => {
    const base = { body: { weightKg: known(60) }, order: { schedule: schedule(1, 1), cycleNumber: known(2), cycleDayStart: known(1) } };
    expect(checkLimitSet(infusionSet, facts({ ...base, order: { ...base.order, amount: amount(0.028, 'mg', 'absolute', 'day') } })).status).toBe('met');
    const over = checkLimitSet(infusionSet, facts({ ...base, order: { ...base.order, amount: amount(0.05, 'mg', 'absolute', 'day') } }));
    expect(over.covered?.amount).toEqual({ value: 0.028, unit: 'mg', per: 'day' });
  });

  it('per-administration orders compare with per-day caps only when given once a day', () => {
    const daily = facts({ body: { weightKg: known(60) }, order: { amount: amount(28, 'ug'), schedule: schedule(1, 1), cycleNumber: known(2), cycleDayStart: known(9) } });
    expect(checkLimitSet(infusionSet, daily).status).toBe('met');
    const weekly = facts({ body: { weightKg: known(60) }, order: { amount: amount(28, 'ug'), schedule: schedule(1, 7), cycleNumber: known(2), cycleDayStart: known(9) } });
    const r = checkLimitSet(infusionSet, weekly);
    expect(r.status).toBe('not-documented');
    expect(r.missing).toContain('$.order.dosePerDay');
  });
});

describe('weight-based caps and set applicability', () => {
  const perKg: DoseLimitSet = {
    id: 'kg',
    label: 'per kg',
    source: 't',
    when: { id: 'maint', label: 'Maintenance', source: 't', fact: '$.order.phase', op: 'equals', value: 'maintenance' },
    alternatives: [{ id: 'kg10', label: '10 mg/kg', source: 't', dose: { max: 10, unit: 'mg/kg' } }],
  };
  const f = (phase: string | null, mg: number) =>
    facts({ body: { weightKg: known(50) }, order: { phase: phase === null ? unknown() : known(phase), amount: amount(mg, 'mg'), schedule: schedule(1, 14) } });

  it('mg/kg with weight', () => {
    expect(checkLimitSet(perKg, f('maintenance', 500))).toMatchObject({ status: 'met', ordered: { amount: { value: 500, unit: 'mg' }, inLimitUnit: { value: 10, unit: 'mg/kg' }, scale: { value: 50, unit: 'kg' } } });
    expect(checkLimitSet(perKg, f('maintenance', 600)).covered?.amount.value).toBe(500);
  });

  it('a set whose `when` is not met does not apply; an open `when` leaves an excess open', () => {
    expect(checkLimitSet(perKg, f('induction', 600)).status).toBe('not-applicable');
    const open = checkLimitSet(perKg, f(null, 600));
    expect(open.status).toBe('not-documented');
    expect(open.missing).toEqual(['$.order.phase']);
    expect(checkLimitSet(perKg, f(null, 400)).status).toBe('met');
  });

  it('an indication without limits is not applicable; the worst applicable set decides', () => {
    expect(checkDoseLimits(undefined, f('maintenance', 600)).status).toBe('not-applicable');
    const r = checkDoseLimits([perKg, solidSet], facts({ body: { weightKg: known(50), bodySurfaceArea: known(1.8) }, order: { phase: known('maintenance'), amount: amount(400, 'mg'), schedule: schedule(1, 21) } }));
    expect(r).toMatchObject({ status: 'not-met', limitSetId: 'solid-dose' });
  });

  it('allowed text for schedule-only limits', () => {
    expect(limitValue({ id: 's', label: 's', source: 's', schedule: { maxAdministrations: 3, periodDays: 28 } })).toEqual({ schedule: { maxAdministrations: 3, periodDays: 28 } });
  });
});
