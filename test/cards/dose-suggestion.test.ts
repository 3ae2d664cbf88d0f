import { describe, expect, it } from 'vitest';
import type { MedicationRequest } from 'fhir/r4.js';
import { applyCoveredDose, roundDown } from '../../src/cards/dose-suggestion.js';
import { doseOver, medicationRequest } from '../support/evaluation-builder.js';

const IV = { step: 0.1, unit: 'mg' } as const;
const IXAZOMIB = { strengths: [4, 3, 2.3], unit: 'mg' } as const;
const BLINATUMOMAB = { step: 1, unit: 'ug' } as const;

function ixazomibOrder(mg: number): MedicationRequest {
  return medicationRequest({
    id: 'ixazomib-1',
    dosageInstruction: [
      {
        timing: { repeat: { frequency: 3, period: 28, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: { value: mg, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
      },
    ],
  });
}

describe('rounding down to what the product allows', () => {
  it('rounds IV doses down to 0.1 mg, never up', () => {
    expect(roundDown(72.45, 'mg', IV)).toEqual({ value: 72.4, unit: 'mg' });
    expect(roundDown(72.4, 'mg', IV)).toEqual({ value: 72.4, unit: 'mg' });
    expect(roundDown(72.99, 'mg', IV)).toEqual({ value: 72.9, unit: 'mg' });
  });

  it('picks one capsule strength at or below the limit (no combinations)', () => {
    expect(roundDown(4, 'mg', IXAZOMIB)).toEqual({ value: 4, unit: 'mg' });
    expect(roundDown(3.5, 'mg', IXAZOMIB)).toEqual({ value: 3, unit: 'mg' });
    expect(roundDown(2.5, 'mg', IXAZOMIB)).toEqual({ value: 2.3, unit: 'mg' });
    expect(roundDown(2, 'mg', IXAZOMIB)).toBeUndefined();
  });

  it('converts units before rounding', () => {
    expect(roundDown(0.0096, 'mg', BLINATUMOMAB)).toEqual({ value: 9, unit: 'ug' });
  });
});

describe('applyCoveredDose', () => {
  it('ixabepilone: 72.45 mg covered → doseQuantity 72.4 mg, nothing else changed', () => {
    const order = medicationRequest();
    const before = structuredClone(order);
    const applied = applyCoveredDose(order, doseOver(), IV);
    expect(applied?.dose).toEqual({ value: 72.4, unit: 'mg', per: 'administration' });
    expect(applied?.order.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity).toEqual({
      value: 72.4,
      unit: 'mg',
      system: 'http://unitsofmeasure.org',
      code: 'mg',
    });
    expect(order).toEqual(before); // input untouched
    const expected = structuredClone(before);
    expected.dosageInstruction![0]!.doseAndRate![0]!.doseQuantity = applied!.order.dosageInstruction![0]!.doseAndRate![0]!.doseQuantity!;
    // the sig text follows the new dose: the one stated amount is replaced
    expected.dosageInstruction![0]!.text = before.dosageInstruction![0]!.text!.replace('90 mg', '72.4 mg');
    expect(applied?.order).toEqual(expected);
  });

  it('never leaves a sig text that contradicts the fixed dose or schedule', () => {
    const withText = (text: string) => {
      const order = medicationRequest();
      order.dosageInstruction![0]!.text = text;
      return order;
    };
    const fixed = (text: string) => applyCoveredDose(withText(text), doseOver(), IV)?.order.dosageInstruction?.[0]?.text;
    expect(fixed('Ixabepilone 90 mg IV over 3 hours every 21 days')).toBe('Ixabepilone 72.4 mg IV over 3 hours every 21 days');
    expect(fixed('90 mg today, then 90 mg on day 22')).toBeUndefined(); // ambiguous: dropped
    expect(fixed('Ixabepilone 190 mg')).toBeUndefined(); // not the ordered amount: dropped, not mangled
    const schedule = doseOver({ exceeds: ['schedule'], covered: { amount: { value: 72, unit: 'mg', per: 'administration' }, schedule: { administrations: 1, periodDays: 21 } } });
    expect(applyCoveredDose(withText('Ixabepilone 72 mg every 14 days'), schedule, IV)?.order.dosageInstruction?.[0]?.text).toBeUndefined();
  });

  it('ixazomib: covered 4 mg, ordered 6 mg → 4 mg; covered 3.5 mg → 3 mg capsule', () => {
    const covered = (value: number) => doseOver({ covered: { amount: { value, unit: 'mg', per: 'administration' } } });
    expect(applyCoveredDose(ixazomibOrder(6), covered(4), IXAZOMIB)?.order.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity?.value).toBe(4);
    expect(applyCoveredDose(ixazomibOrder(4), covered(3.5), IXAZOMIB)?.dose?.value).toBe(3);
    expect(applyCoveredDose(ixazomibOrder(4), covered(2), IXAZOMIB)).toBeUndefined();
  });

  it('blinatumomab: 9.6 mcg/day covered → rateQuantity 9 ug/d (keeps the rate form)', () => {
    const order = medicationRequest({
      id: 'blin-1',
      dosageInstruction: [
        {
          timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', boundsDuration: { value: 28, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' } } },
          doseAndRate: [{ rateQuantity: { value: 28, unit: 'ug/d', system: 'http://unitsofmeasure.org', code: 'ug/d' } }],
        },
      ],
    });
    const applied = applyCoveredDose(order, doseOver({ covered: { amount: { value: 9.6, unit: 'ug', per: 'day' } } }), BLINATUMOMAB);
    const rate = applied?.order.dosageInstruction?.[0]?.doseAndRate?.[0];
    expect(rate?.rateQuantity).toEqual({ value: 9, unit: 'ug/d', system: 'http://unitsofmeasure.org', code: 'ug/d' });
    expect(rate?.doseQuantity).toBeUndefined();
    expect(applied?.order.dosageInstruction?.[0]?.timing).toEqual(order.dosageInstruction?.[0]?.timing);
  });

  it('corrects the schedule when it exceeds: weekly → 3 per 28 days, dose kept', () => {
    const order = ixazomibOrder(4);
    order.dosageInstruction![0]!.timing = { repeat: { frequency: 1, period: 1, periodUnit: 'wk', boundsPeriod: { start: '2026-11-01' } } };
    const dose = doseOver({
      exceeds: ['schedule'],
      covered: { amount: { value: 4, unit: 'mg', per: 'administration' }, schedule: { administrations: 3, periodDays: 28 } },
    });
    const applied = applyCoveredDose(order, dose, IXAZOMIB);
    expect(applied?.order.dosageInstruction?.[0]?.timing?.repeat).toEqual({
      frequency: 3,
      period: 28,
      periodUnit: 'd',
      boundsPeriod: { start: '2026-11-01' },
    });
    expect(applied?.dose).toBeUndefined();
    expect(applied?.order.dosageInstruction?.[0]?.doseAndRate).toEqual(order.dosageInstruction?.[0]?.doseAndRate);
  });

  it('offers nothing without a covered maximum', () => {
    expect(applyCoveredDose(medicationRequest(), doseOver({ covered: undefined }), IV)).toBeUndefined();
  });
});
