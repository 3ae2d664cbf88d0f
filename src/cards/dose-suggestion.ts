/**
 * The dose card's one-click fix: the draft order changed to the covered maximum for this patient,
 * rounded the way the product can be given, with the schedule corrected when the schedule is what
 * exceeds. Nothing else in the order changes.
 */
import { copyJson } from './copy-json.js';
import type { Dosage, MedicationRequest, Quantity, TimingRepeat } from 'fhir/r4.js';
import type { DoseCheck } from '../policy/types.js';
import type { DoseRounding } from './types.js';
import { UCUM } from './coverage-information.js';

export type { DoseRounding } from './types.js';

export interface CoveredDose {
  value: number;
  unit: 'mg' | 'ug';
  per: 'administration' | 'day';
}

export interface AppliedDose {
  order: MedicationRequest;
  /** The rounded amount now on the order; absent when only the schedule exceeded (the dose is kept). */
  dose?: CoveredDose;
  /** The schedule now on the order, when the schedule exceeded. */
  schedule?: { administrations: number; periodDays: number };
}

const MICROGRAMS_PER: Record<'mg' | 'ug', number> = { mg: 1000, ug: 1 };

function convert(value: number, from: 'mg' | 'ug', to: 'mg' | 'ug'): number {
  return (value * MICROGRAMS_PER[from]) / MICROGRAMS_PER[to];
}

/** Decimals of a step (0.1 → 1), so 72.4 is not printed as 72.39999999999999. */
function decimalsOf(step: number): number {
  const text = String(step);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

// Tolerance for binary floating point: 72.4 / 0.1 is 723.9999999999999.
const EPSILON = 1e-9;

/**
 * Rounds the covered maximum DOWN (never above the limit): to a multiple of the step, or to the
 * largest single available strength not above it (one capsule per dose: strengths are not combined).
 * Undefined when even the smallest strength exceeds the limit.
 */
export function roundDown(max: number, maxUnit: 'mg' | 'ug', rounding: DoseRounding): { value: number; unit: 'mg' | 'ug' } | undefined {
  const limit = convert(max, maxUnit, rounding.unit);
  if ('step' in rounding) {
    if (!(rounding.step > 0)) return undefined;
    const steps = Math.floor(limit / rounding.step + EPSILON);
    const value = Number((steps * rounding.step).toFixed(decimalsOf(rounding.step)));
    return value > 0 ? { value, unit: rounding.unit } : undefined;
  }
  const fitting = rounding.strengths.filter((s) => s > 0 && s <= limit + EPSILON);
  if (fitting.length === 0) return undefined;
  return { value: Math.max(...fitting), unit: rounding.unit };
}

function ucum(value: number, code: string): Quantity {
  return { value, unit: code, system: UCUM, code };
}

/** Sets the amount where the order states it: a per-day rate stays a rate (continuous infusion). */
function setAmount(dosage: Dosage, dose: CoveredDose): void {
  const doseAndRate = dosage.doseAndRate && dosage.doseAndRate.length > 0 ? dosage.doseAndRate : [{}];
  const first = doseAndRate[0] ?? {};
  const usesRate = first.rateQuantity !== undefined || (first.doseQuantity === undefined && dose.per === 'day');
  if (usesRate) {
    first.rateQuantity = ucum(dose.value, `${dose.unit}/d`);
  } else {
    first.doseQuantity = ucum(dose.value, dose.unit);
  }
  doseAndRate[0] = first;
  dosage.doseAndRate = doseAndRate;
}

function setSchedule(dosage: Dosage, schedule: { administrations: number; periodDays: number }): void {
  const timing = dosage.timing ?? {};
  const repeat: TimingRepeat = timing.repeat ?? {};
  repeat.frequency = schedule.administrations;
  repeat.period = schedule.periodDays;
  repeat.periodUnit = 'd';
  timing.repeat = repeat;
  dosage.timing = timing;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const UNIT_WORDS: Record<'mg' | 'ug', string> = { mg: 'mg', ug: 'mcg' };

/**
 * The free-text sig must not contradict the structured dose the fix sets ("Ixabepilone 90 mg …" on a 72 mg order).
 * The old amount is replaced where the text states it exactly once; otherwise, or when the schedule changes (the
 * text would still state the old one), the text is dropped and the structured fields speak alone.
 */
function correctText(dosage: Dosage, before: Quantity | undefined, amount: CoveredDose | undefined, scheduleChanged: boolean): void {
  if (dosage.text === undefined) return;
  if (scheduleChanged || !amount || before?.value === undefined) {
    if (scheduleChanged || amount) delete dosage.text;
    return;
  }
  const units = [before.unit, before.code, UNIT_WORDS[amount.unit], amount.unit].filter((u): u is string => !!u).map(escapeRegExp);
  const pattern = new RegExp(`(^|[^\\d.])${escapeRegExp(String(before.value))}\\s*(?:${units.join('|')})(?![A-Za-z])`, 'g');
  const matches = dosage.text.match(pattern) ?? [];
  if (matches.length !== 1) {
    delete dosage.text;
    return;
  }
  dosage.text = dosage.text.replace(pattern, (_m, lead: string) => `${lead}${amount.value} ${UNIT_WORDS[amount.unit]}`);
}

/** Day-specific doses are several dosageInstruction entries; the one-click fix changes one line only. */
export function hasSeveralDoseLines(order: MedicationRequest): boolean {
  return (order.dosageInstruction?.length ?? 0) > 1;
}

/**
 * The order changed to the covered dose (and schedule, when the schedule exceeds), as a deep copy.
 * A dose within the limit is left alone when only the schedule exceeds: the fix never raises a dose.
 * Undefined when there is nothing to apply: no covered maximum from the engine, or the product
 * cannot be given at or below it.
 */
export function applyCoveredDose(order: MedicationRequest, dose: DoseCheck, rounding: DoseRounding): AppliedDose | undefined {
  const covered = dose.covered;
  if (!covered) return undefined;
  // Several dose lines (day 1, days 8 and 15): one amount would overwrite one line and leave the others; no fix.
  if (hasSeveralDoseLines(order)) return undefined;
  // Engines that do not say which part exceeds are read as "the dose".
  const exceeds = dose.exceeds && dose.exceeds.length > 0 ? dose.exceeds : ['dose'];
  // a total per course the engine offers a covered amount for (one dose: the room left) is fixed by the amount too
  const changesAmount = exceeds.includes('dose') || exceeds.includes('cumulative');
  const rounded = changesAmount ? roundDown(covered.amount.value, covered.amount.unit, rounding) : undefined;
  if (changesAmount && !rounded) return undefined;
  const schedule = exceeds.includes('schedule') ? covered.schedule : undefined;
  if (!rounded && !schedule) return undefined;

  const copy = copyJson(order);
  const dosages = copy.dosageInstruction && copy.dosageInstruction.length > 0 ? copy.dosageInstruction : [{}];
  const dosage = dosages[0] ?? {};
  const amount: CoveredDose | undefined = rounded ? { ...rounded, per: covered.amount.per } : undefined;
  const before = dosage.doseAndRate?.[0]?.doseQuantity ?? dosage.doseAndRate?.[0]?.rateQuantity;
  if (amount) setAmount(dosage, amount);
  if (schedule) setSchedule(dosage, schedule);
  correctText(dosage, before, amount, schedule !== undefined);
  dosages[0] = dosage;
  copy.dosageInstruction = dosages;
  return { order: copy, ...(amount ? { dose: amount } : {}), ...(schedule ? { schedule } : {}) };
}
