/**
 * The words for the engine's numbers: the order as compared, the limit, the covered maximum, the approval duration.
 * One formatter for cards, the coverage-information extension and the decision pages; units from src/units.ts only.
 */
import type { ApprovalDuration, CourseTotal, CumulativeCap, DoseCap, DoseCheck, DoseLimitValue, OrderedDose } from '../policy/types.js';
import { daysText, formatNumber, quantityText, ucumOf, type UcumQuantity } from '../units.js';

const SCALE_NAME: Readonly<Record<string, string>> = { m2: 'BSA', kg: 'weight' };

function capText(cap: DoseCap): string {
  return quantityText({ value: cap.max, unit: cap.unit });
}

/** "once per 21 days", "up to 2 times per 28 days", "once per day". */
export function scheduleText(administrations: number, periodDays: number): string {
  const period = periodDays === 1 ? 'day' : daysText(periodDays);
  return administrations === 1 ? `once per ${period}` : `up to ${formatNumber(administrations)} times per ${period}`;
}

/** "up to 40 mg/m² once per 21 days", "up to 15 mcg/m²/day (not to exceed 28 mcg/day)". */
export function limitText(limit: DoseLimitValue): string {
  const parts: string[] = [];
  if (limit.dose !== undefined) {
    const nte = limit.dose.notToExceed === undefined ? '' : ` (not to exceed ${capText(limit.dose.notToExceed)})`;
    parts.push(`up to ${capText(limit.dose)}${nte}`);
  }
  if (limit.schedule !== undefined) {
    const s = scheduleText(limit.schedule.maxAdministrations, limit.schedule.periodDays);
    parts.push(limit.dose === undefined ? s.replace(/^once/, 'up to once') : s.replace(/^up to /, ''));
  }
  if (limit.cumulative !== undefined) parts.push(`${parts.length > 0 ? 'and ' : ''}up to ${quantityText({ value: limit.cumulative.max, unit: limit.cumulative.unit })} in total ${perText(limit.cumulative)}`);
  return parts.join(' ');
}

/** "per cycle", "per course (a pause of more than 42 days starts a new course)". */
function perText(cap: CumulativeCap): string {
  if (cap.per === 'cycle') return 'per cycle';
  return cap.courseGapDays === undefined ? 'per course' : `per course (a pause of more than ${daysText(cap.courseGapDays)} starts a new course)`;
}

export function limitsText(dose: DoseCheck): string | undefined {
  const limits = dose.limits ?? [];
  return limits.length === 0 ? undefined : limits.map(limitText).join(' or ');
}

function scaleText(scale: UcumQuantity): string {
  return `${SCALE_NAME[scale.unit] ?? ''} ${quantityText(scale)}`.trim();
}

/** "90 mg (50 mg/m² at BSA 1.80 m²)", "15 mcg/m²/day, 4 per 28 days". */
export function orderedText(ordered: OrderedDose | undefined): string | undefined {
  if (ordered === undefined) return undefined;
  const scheduleOnly = ordered.schedule === undefined ? '' : `${formatNumber(ordered.schedule.administrations)} per ${daysText(ordered.schedule.periodDays)}`;
  // the amount could not be read (a count of vials): the schedule that exceeds on its own, and what to record
  if (ordered.amount === undefined) return ordered.amountUnreadable === undefined ? undefined : [scheduleOnly, ordered.amountUnreadable].filter((p) => p !== '').join('; ');
  const converted =
    ordered.inLimitUnit === undefined
      ? ''
      : ` (${quantityText(ordered.inLimitUnit)}${ordered.scale === undefined ? '' : ` at ${scaleText(ordered.scale)}`})`;
  const schedule =
    ordered.schedule === undefined ? '' : `, ${formatNumber(ordered.schedule.administrations)} per ${daysText(ordered.schedule.periodDays)}`;
  if (ordered.courseTotal !== undefined) return courseTotalText(ordered.courseTotal);
  if (ordered.cycleTotal !== undefined) return `${cycleTotalText(ordered.cycleTotal)}${schedule}`;
  const largest = ordered.doseLines === undefined ? '' : ` (the largest of ${ordered.doseLines} dose lines)`;
  return `${quantityText(ordered.amount)}${largest}${converted}${schedule}`;
}

/** "0.8 mg/m² × 1 + 0.5 mg/m² × 2 = 1.8 mg/m² per cycle (at BSA 1.80 m²)". */
function cycleTotalText(cycle: NonNullable<OrderedDose['cycleTotal']>): string {
  const lines = cycle.lines.map((l) => `${quantityText(l.amount)} × ${l.administrations}`).join(' + ');
  const at = cycle.scale === undefined ? '' : ` (at ${scaleText(cycle.scale)})`;
  return `${lines} = ${quantityText(cycle.total)} per cycle${at}`;
}

const dosesText = (n: number): string => (n === 1 ? '1 dose' : `${n} doses`);

/** "0.8 mg/m² × 1 + 0.5 mg/m² × 2 = 1.8 mg/m²", or "0.5 mg/m²" for one dose. */
function plannedText(planned: CourseTotal['planned']): string {
  const [only] = planned.lines;
  if (planned.lines.length === 1 && only !== undefined && only.administrations === 1) return quantityText(only.amount);
  return `${planned.lines.map((l) => `${quantityText(l.amount)} × ${l.administrations}`).join(' + ')} = ${quantityText(planned.amount)}`;
}

/**
 * This order's doses, the course's running total and what it is made of: "0.5 mg/m² × 3 = 1.5 mg/m², making 6.3 mg/m²
 * in the course since 2026-09-08 with 1.8 mg/m² given (3 doses 2026-09-08 to 2026-09-22, order MedicationRequest/ino-c1)
 * + 1.5 mg/m² given (…)".
 */
export function courseTotalText(course: CourseTotal): string {
  const given = course.given.map((g) => {
    const span = g.from === g.to ? g.from : `${g.from} to ${g.to}`;
    if (g.source === 'signed-together') return `${quantityText(g.amount)} ordered with it (${dosesText(g.doses)} ${span}, order ${g.reference} signed together)`;
    const what = g.source === 'order' ? 'order' : 'administration';
    return `${quantityText(g.amount)} given (${dosesText(g.doses)} ${span}, ${what} ${g.reference})`;
  });
  const at = course.scale === undefined ? '' : ` (at ${scaleText(course.scale)})`;
  const made = given.length === 0 ? ', the first doses of the course' : `, making ${quantityText(course.total)} in the course since ${course.since} with ${given.join(' + ')}`;
  return `${plannedText(course.planned)}${made}${at}`;
}

/** The covered maximum for this patient: "72 mg", "28 mcg/day, 2 per 28 days". */
export function coveredText(covered: NonNullable<DoseCheck['covered']>, amount?: { value: number; unit: 'mg' | 'ug' }): string {
  const a = amount ?? covered.amount;
  const unit = ucumOf({ mass: a.unit, basis: 'absolute', per: covered.amount.per });
  const schedule = covered.schedule === undefined ? '' : `, ${covered.schedule.administrations} per ${daysText(covered.schedule.periodDays)}`;
  return `${quantityText({ value: a.value, unit })}${schedule}`;
}

function monthsText(months: number): string {
  if (months % 12 === 0) return months === 12 ? '1 year' : `${months / 12} years`;
  return months === 1 ? '1 month' : `${months} months`;
}

/** "1 year or duration of request, whichever is less (commercial)", "1 year, for up to 4 treatment cycles". */
export function approvalText(a: ApprovalDuration): string {
  const forWhom = a.linesOfBusiness === undefined ? '' : ` (${a.linesOfBusiness.join(', ')})`;
  const cycles = a.maxCycles === undefined ? '' : `, for up to ${a.maxCycles} treatment cycles`;
  if (a.months === null) return `indefinitely${forWhom}${cycles}`;
  if (a.requestedDays !== undefined) return `${daysText(a.requestedDays)} (duration of request, less than ${monthsText(a.months)})${forWhom}${cycles}`;
  if (a.orDurationOfRequest === true) return `${monthsText(a.months)} or duration of request, whichever is less${forWhom}${cycles}`;
  return `${monthsText(a.months)}${forWhom}${cycles}`;
}
