/** The ordered amount and schedule, from dosageInstruction[0]. */
import type { Dosage, MedicationRequest, Quantity } from 'fhir/r4.js';
import type { HcpcsCode, UnitStrength } from '../catalog/types.js';
import type { Evidence, Fact, OrderedAmount, OrderedSchedule } from './types.js';
import { known, unknown } from './fact.js';
import { DAYS_PER_MONTH, durationDays } from './therapy.js';
import { daysBetween, datePart } from './dates.js';

type Parsed = Omit<OrderedAmount, 'value' | 'asWritten'> & { factor: number };

/** Unit spellings accepted beside UCUM (conventions: `mcg`, `m^2`); `factor` converts to the target mass unit. */
export function parseDoseUnit(raw: string): Parsed | undefined {
  const unit = raw
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/µg|μg|mcg|microgram(s)?/g, 'ug')
    .replace(/milligram(s)?/g, 'mg')
    .replace(/m\^2|m²|m\*\*2|sqm/g, 'm2')
    .replace(/\/(day|24h|24\.h|\(24\.h\))$/, '/d');
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

/**
 * A count of dose units rather than an amount: UCUM annotations such as `{pill}` (what the CDS Hooks sandbox
 * sends for every drug), `{tbl}`, `{capsule}`, `{vial}`, and the bare words. `{unit}` is not one: it is a HCPCS
 * billing unit (isBillingUnit), a fixed amount.
 */
export function isCountUnit(raw: string): boolean {
  return /^\{?(pills?|tbl|tabs?|tablets?|caps?|capsules?|vials?|each|ea|ampoules?|syringes?|doses?)\}?$/i.test(raw.trim());
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** A count of units that no catalog strength turns into an amount ("1 {pill}" of an injection). */
interface CountOnly {
  count: string;
}

function quantityAmount(quantity: Quantity, isRate: boolean, hcpcs: HcpcsCode | undefined, unitStrength: UnitStrength | undefined): OrderedAmount | CountOnly | string {
  const value = quantity.value;
  const written = quantity.unit ?? quantity.code ?? '';
  if (value === undefined) return 'dose has no value';
  const asWritten = `${value} ${written}`.trim();
  for (const raw of [quantity.code, quantity.unit]) {
    if (raw === undefined) continue;
    if (isCountUnit(raw) && !isRate) {
      // One capsule of a solid oral product holds a fixed amount; a vial of an injection does not make a dose
      // (doses are by body size, vials are partly used), so a count of those stays unchecked.
      if (unitStrength === undefined) return { count: asWritten };
      return { value: round(value * unitStrength.amount), unit: unitStrength.unit, basis: 'absolute', per: 'administration', asWritten: `${asWritten} of ${unitStrength.name} (${round(value * unitStrength.amount)} ${unitStrength.unit})` };
    }
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

export function orderedAmount(
  dosage: Dosage | undefined,
  hcpcs: HcpcsCode | undefined,
  cite: (text: string, supports: string[]) => Evidence,
  unitStrength?: UnitStrength,
): Fact<OrderedAmount> {
  const entries = dosage?.doseAndRate ?? [];
  const dose = entries.find((e) => e.doseQuantity !== undefined)?.doseQuantity;
  const rate = entries.find((e) => e.rateQuantity !== undefined)?.rateQuantity;
  const quantity = dose ?? rate;
  if (quantity === undefined) return unknown('Dose not stated as a quantity on the order');
  const amount = quantityAmount(quantity, dose === undefined, hcpcs, unitStrength);
  if (typeof amount === 'string') return unknown(`Dose not understood: ${amount}`);
  if ('count' in amount) {
    return unknown(`Dose not checkable: ${amount.count} is a count of units, not an amount; record the dose in mg (or mg/m², mg/kg) on the order`);
  }
  return known(amount, [cite(`Ordered ${amount.asWritten}`, [`${amount.value} ${amount.unit}`])]);
}

const PERIOD_DAYS: Readonly<Record<string, number>> = { d: 1, wk: 7, mo: DAYS_PER_MONTH, h: 1 / 24, min: 1 / 1440, s: 1 / 86400, a: 365 };

export function orderedSchedule(dosage: Dosage | undefined, cite: (text: string, supports: string[]) => Evidence): Fact<OrderedSchedule> {
  const repeat = dosage?.timing?.repeat;
  if (repeat?.period === undefined || repeat.periodUnit === undefined) return unknown('Schedule (timing.repeat period) not stated on the order');
  const unitDays = PERIOD_DAYS[repeat.periodUnit];
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

/** Requested duration: the expected supply, else the validity period (inclusive days). */
export function requestedDuration(request: MedicationRequest, cite: (text: string, supports: string[]) => Evidence): Fact<number> {
  const supply = durationDays(request.dispenseRequest?.expectedSupplyDuration);
  if (supply !== undefined) return known(supply, [cite(`Expected supply ${supply} days`, [String(supply)])]);
  const start = datePart(request.dispenseRequest?.validityPeriod?.start);
  const end = datePart(request.dispenseRequest?.validityPeriod?.end);
  if (start?.length === 10 && end?.length === 10) {
    const days = daysBetween(start, end) + 1;
    return known(days, [cite(`Valid ${start} to ${end} (${days} days)`, [String(days)])]);
  }
  return unknown('Requested duration not stated on the order');
}
