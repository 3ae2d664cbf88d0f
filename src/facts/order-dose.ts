/** The ordered amount and schedule, from dosageInstruction[0]. */
import type { Dosage, MedicationRequest, Quantity } from 'fhir/r4.js';
import type { HcpcsCode } from '../catalog/types.js';
import type { Evidence, Fact, OrderedAmount, OrderedSchedule } from './types.js';
import { known, unknown } from './fact.js';
import { durationDays, SCHEDULE_PERIOD_DAYS } from './durations.js';
import { daysBetween, datePart } from './dates.js';
import { doseUnitSpelling } from '../units.js';

type Parsed = Omit<OrderedAmount, 'value' | 'asWritten'> & { factor: number };

/** Unit spellings accepted beside UCUM (conventions: `mcg`, `m^2`); `factor` converts to the target mass unit. */
export function parseDoseUnit(raw: string): Parsed | undefined {
  const unit = doseUnitSpelling(raw);
  const match = /^(g|mg|ug)(\/m2|\/kg)?(\/d)?$/.exec(unit);
  if (match === null) return undefined;
  const [, mass = 'mg', basis, perDay] = match;
  return {
    unit: mass === 'ug' ? 'ug' : 'mg',
    factor: mass === 'g' ? 1000 : 1,
    basis: basis === '/m2' ? 'per-m2' : basis === '/kg' ? 'per-kg' : 'absolute',
    per: perDay !== undefined ? 'day' : 'administration',
  };
}

/** HCPCS billing units: `{unit}`, `U`, `[arb'U]`, "units". */
export function isBillingUnit(raw: string): boolean {
  return /^(\{units?\}|u|\[arb'u\]|units?|billing ?units?|\{billing ?units?\})$/i.test(raw.trim());
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function quantityAmount(quantity: Quantity, isRate: boolean, hcpcs: HcpcsCode | undefined): OrderedAmount | string {
  const value = quantity.value;
  const written = quantity.unit ?? quantity.code ?? '';
  if (value === undefined) return 'dose has no value';
  const asWritten = `${value} ${written}`.trim();
  for (const raw of [quantity.code, quantity.unit]) {
    if (raw === undefined) continue;
    if (isBillingUnit(raw)) {
      if (hcpcs === undefined) return `dose in billing units (${asWritten}) without a HCPCS code to size them`;
      // one HCPCS billing unit is a fixed amount (J9229 = 0.1 mg): convert to mass
      return { value: round(value * hcpcs.unitAmount), unit: hcpcs.unit, basis: 'absolute', per: isRate ? 'day' : 'administration', asWritten: `${asWritten} (${hcpcs.code})` };
    }
    const parsed = parseDoseUnit(raw);
    if (parsed === undefined) continue;
    if (isRate && parsed.per !== 'day') return `infusion rate in an unsupported unit (${asWritten})`;
    return { value: round(value * parsed.factor), unit: parsed.unit, basis: parsed.basis, per: parsed.per, asWritten };
  }
  return `dose in an unsupported unit (${asWritten})`;
}

export function orderedAmount(dosage: Dosage | undefined, hcpcs: HcpcsCode | undefined, cite: (text: string, supports: string[]) => Evidence): Fact<OrderedAmount> {
  const entries = dosage?.doseAndRate ?? [];
  const dose = entries.find((e) => e.doseQuantity !== undefined)?.doseQuantity;
  const rate = entries.find((e) => e.rateQuantity !== undefined)?.rateQuantity;
  const quantity = dose ?? rate;
  if (quantity === undefined) return unknown('Dose not stated as a quantity on the order');
  const amount = quantityAmount(quantity, dose === undefined, hcpcs);
  if (typeof amount === 'string') return unknown(`Dose not understood: ${amount}`);
  return known(amount, [cite(`Ordered ${amount.asWritten}`, [`${amount.value} ${amount.unit}`])]);
}


export function orderedSchedule(dosage: Dosage | undefined, cite: (text: string, supports: string[]) => Evidence): Fact<OrderedSchedule> {
  const repeat = dosage?.timing?.repeat;
  if (repeat?.period === undefined || repeat.periodUnit === undefined) return unknown('Schedule (timing.repeat period) not stated on the order');
  const unitDays = SCHEDULE_PERIOD_DAYS[repeat.periodUnit];
  if (unitDays === undefined) return unknown(`Schedule period unit ${repeat.periodUnit} not understood`);
  const administrations = repeat.frequency ?? 1;
  const periodDays = repeat.period * unitDays;
  const bounded = durationDays(repeat.boundsDuration);
  const start = datePart(repeat.boundsPeriod?.start);
  const end = datePart(repeat.boundsPeriod?.end);
  const durationFromPeriod = start !== undefined && end !== undefined && start.length === 10 && end.length === 10 ? daysBetween(start, end) + 1 : undefined;
  const durationDaysValue = bounded ?? durationFromPeriod;
  const asWritten = `${administrations} per ${repeat.period} ${repeat.periodUnit}${durationDaysValue !== undefined ? ` for ${durationDaysValue} d` : ''}`;
  const schedule: OrderedSchedule = { administrations, periodDays, asWritten, ...(durationDaysValue !== undefined ? { durationDays: durationDaysValue } : {}) };
  return known(schedule, [cite(`Schedule ${asWritten}`, [`${administrations}/${periodDays}d`])]);
}

/**
 * Requested duration: every fill the order allows (expected supply × (refills + 1)), no longer than the validity
 * period when one is given; else the validity period (inclusive days). Months are calendar months.
 */
export function requestedDuration(request: MedicationRequest, cite: (text: string, supports: string[]) => Evidence): Fact<number> {
  const dispense = request.dispenseRequest;
  const supply = durationDays(dispense?.expectedSupplyDuration);
  const refills = Math.max(0, dispense?.numberOfRepeatsAllowed ?? 0);
  const start = datePart(dispense?.validityPeriod?.start);
  const end = datePart(dispense?.validityPeriod?.end);
  const validity = start?.length === 10 && end?.length === 10 ? daysBetween(start, end) + 1 : undefined;
  if (supply !== undefined) {
    const fills = Math.round(supply * (refills + 1));
    const days = validity === undefined ? fills : Math.min(fills, validity);
    const what = `Expected supply ${Math.round(supply)} days × ${refills + 1} fill${refills === 0 ? '' : 's'} (${refills} refill${refills === 1 ? '' : 's'})`;
    const capped = validity !== undefined && validity < fills ? `, limited by validity ${start ?? ''} to ${end ?? ''}` : '';
    return known(days, [cite(`${what} = ${fills} days${capped}`, [String(days)])]);
  }
  if (validity !== undefined) return known(validity, [cite(`Valid ${start ?? ''} to ${end ?? ''} (${validity} days)`, [String(validity)])]);
  return unknown('Requested duration not stated on the order');
}
