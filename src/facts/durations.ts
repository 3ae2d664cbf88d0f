/**
 * Time units, in one place. Two kinds of "month" meet in an oncology order and they are not the same:
 *  - a schedule's month (`timing.repeat.periodUnit` = mo: "3 doses per month") is one 28-day treatment cycle, the
 *    oncology convention the policies write their schedules in ("days 1, 8, 15 of a 28-day cycle");
 *  - a length of time in months (expected supply, bounds, approval durations) is a calendar month: 365.25 / 12 days,
 *    so 6 months of supply is 183 days, not 168.
 */
import type { Duration } from 'fhir/r4.js';

export const CYCLE_DAYS_PER_MONTH = 28;
export const CALENDAR_DAYS_PER_MONTH = 365.25 / 12;
export const DAYS_PER_YEAR = 365.25;

/** UCUM and plain spellings, in days, for a schedule's period (a month is a 28-day cycle). */
export const SCHEDULE_PERIOD_DAYS: Readonly<Record<string, number>> = { d: 1, wk: 7, mo: CYCLE_DAYS_PER_MONTH, h: 1 / 24, min: 1 / 1440, s: 1 / 86400, a: DAYS_PER_YEAR };

const LENGTH_DAYS: ReadonlyMap<string, number> = new Map([
  ['d', 1], ['day', 1], ['days', 1],
  ['wk', 7], ['week', 7], ['weeks', 7],
  ['mo', CALENDAR_DAYS_PER_MONTH], ['month', CALENDAR_DAYS_PER_MONTH], ['months', CALENDAR_DAYS_PER_MONTH],
  ['a', DAYS_PER_YEAR], ['year', DAYS_PER_YEAR], ['years', DAYS_PER_YEAR],
  ['h', 1 / 24],
]);

/** A length of time (supply, boundsDuration) in days; months are calendar months; an unknown unit gives undefined. */
export function durationDays(duration: Duration | undefined): number | undefined {
  if (duration?.value === undefined) return undefined;
  const f = LENGTH_DAYS.get((duration.code ?? duration.unit ?? 'd').toLowerCase());
  return f === undefined ? undefined : duration.value * f;
}

/** Whole days in a number of calendar months (approval durations compared with a requested length). */
export function calendarMonthsInDays(months: number): number {
  return months * CALENDAR_DAYS_PER_MONTH;
}
