/** Doses counted in units ("1 {pill}", as the CDS Hooks sandbox sends every drug): when they are an amount, and when not. */
import type { Dosage } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { isCountUnit, orderedAmount } from '../../src/facts/order-dose.js';
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
