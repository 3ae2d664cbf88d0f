/** Doses counted in units ("1 {pill}", as the CDS Hooks sandbox sends every drug): when they are an amount, and when not. */
import type { Dosage } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { isCountUnit, largestAmount, orderedAmount, orderedDoseLines } from '../../src/facts/order-dose.js';
import type { Evidence } from '../../src/facts/types.js';

const cite = (text: string, supports: string[]): Evidence => ({ reference: 'MedicationRequest/request-123', text, supports } as Evidence);
const dosage = (value: number, code: string): Dosage => ({
  timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
  doseAndRate: [{ doseQuantity: { value, system: 'http://unitsofmeasure.org', code } }],
});
const CAPSULE_4MG = { amount: 4, unit: 'mg' as const, name: 'ixazomib 4 MG Oral Capsule' };

describe('doses counted in units', () => {
  it('recognises the count annotations and not the billing unit', () => {
    for (const unit of ['{pill}', '{tbl}', '{capsule}', '{vial}', 'tablets', '{each}']) expect(isCountUnit(unit), unit).toBe(true);
    for (const unit of ['{unit}', 'U', 'mg', 'mg/m2', '{score}']) expect(isCountUnit(unit), unit).toBe(false);
  });

  it('a count of an injection is not checkable, and says what to record', () => {
    const fact = orderedAmount(dosage(1, '{pill}'), undefined, cite);
    expect(fact.value).toBeNull();
    expect(fact.unknownReason).toMatch(/not checkable: 1 \{pill\} is a count of units.*record the dose in mg/);
  });

  it('a count of capsules of a sized oral product is that many times its strength', () => {
    const fact = orderedAmount(dosage(2, '{pill}'), undefined, cite, CAPSULE_4MG);
    expect(fact.value).toMatchObject({ value: 8, unit: 'mg', basis: 'absolute', per: 'administration' });
    expect(fact.value?.asWritten).toBe('2 {pill} of ixazomib 4 MG Oral Capsule (8 mg)');
  });

  it('a mass is read as before, whatever strength the product has', () => {
    expect(orderedAmount(dosage(90, 'mg'), undefined, cite, CAPSULE_4MG).value).toMatchObject({ value: 90, unit: 'mg' });
  });
});

describe('several dose lines', () => {
  const line = (value: number, code: string, timing: Dosage['timing']): Dosage => ({
    timing,
    doseAndRate: [{ doseQuantity: { value, system: 'http://unitsofmeasure.org', code } }],
  });
  const day1 = line(0.8, 'mg/m2', { repeat: { count: 1 } });
  const days8and15Events = line(0.5, 'mg/m2', { event: ['2026-12-08', '2026-12-15'] });
  const weeklyForTwoWeeks = line(0.5, 'mg/m2', { repeat: { frequency: 1, period: 1, periodUnit: 'wk', boundsDuration: { value: 14, code: 'd' } } });

  it('counts each line from repeat.count, event dates, or its schedule over a bounded course', () => {
    const lines = orderedDoseLines([day1, days8and15Events, weeklyForTwoWeeks], undefined, cite);
    expect(lines.value?.map((l) => [l.amount.value, l.administrations])).toEqual([[0.8, 1], [0.5, 2], [0.5, 2]]);
    expect(lines.evidence.map((e) => e.text)).toEqual(['Ordered 0.8 mg/m2 × 1', 'Ordered 0.5 mg/m2 × 2', 'Ordered 0.5 mg/m2 × 2']);
  });

  it('a weekly line without a count or an end has no count', () => {
    const lines = orderedDoseLines([day1, line(0.5, 'mg/m2', { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } })], undefined, cite);
    expect(lines.value?.[1]?.administrations).toBeUndefined();
  });

  it('one unreadable line leaves every line unknown, naming the line', () => {
    const lines = orderedDoseLines([day1, line(2, '{vial}', { repeat: { count: 2 } })], undefined, cite);
    expect(lines.value).toBeNull();
    expect(lines.unknownReason).toMatch(/^Dose line 2: .*count of units/);
  });

  it('the per-dose amount is the largest line in one kind of unit, unknown across kinds', () => {
    const lines = orderedDoseLines([days8and15Events, day1], undefined, cite);
    expect(largestAmount(lines, orderedAmount(days8and15Events, undefined, cite)).value?.value).toBe(0.8);
    const mixed = orderedDoseLines([day1, line(1, 'mg', { repeat: { count: 2 } })], undefined, cite);
    expect(largestAmount(mixed, orderedAmount(day1, undefined, cite)).unknownReason).toMatch(/different kinds of unit/);
  });
});
