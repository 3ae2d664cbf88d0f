/** Calendar-date arithmetic on YYYY-MM-DD strings, in UTC so that time zones never shift a day. */

/** The date part of a FHIR date or dateTime; partial dates (YYYY, YYYY-MM) are returned as they are. */
export function datePart(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // the usual case, read for every history entry: a full date or dateTime, no regex and no trimming needed
  if (isFullDatePrefix(value)) return value.length === 10 ? value : value.slice(0, 10);
  const match = /^(\d{4}(?:-\d{2}(?:-\d{2})?)?)/.exec(value.trim());
  return match?.[1];
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const DIGIT_POSITIONS: readonly number[] = [0, 1, 2, 3, 5, 6, 8, 9];

/** The number written by `count` ASCII digits from `start` (already checked to be digits). */
function digitsAt(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i += 1) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/** `YYYY-MM-DD` at the start of the string. */
function isFullDatePrefix(value: string): boolean {
  if (value.length < 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  for (const i of DIGIT_POSITIONS) if (!isDigit(value.charCodeAt(i))) return false;
  return true;
}

export function isFullDate(value: string | undefined): value is string {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/** Days are compared for every pair of history entries: read the digits in place, without slicing or splitting. */
function toUtc(date: string): number {
  if (date.length === 10 && isFullDatePrefix(date)) {
    return Date.UTC(digitsAt(date, 0, 4), digitsAt(date, 5, 2) - 1, digitsAt(date, 8, 2));
  }
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / 86_400_000);
}

export function addDays(date: string, days: number): string {
  return new Date(toUtc(date) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A full date that is a day of the calendar (not 2023-02-30). */
export function isRealDate(value: string): boolean {
  const day = value.slice(0, 10);
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Whole years and months from birth to a date (a birthday counts on its day). */
export function ageAt(birthDate: string, on: string): { years: number; months: number } {
  const [by = 0, bm = 1, bd = 1] = birthDate.split('-').map(Number);
  const [y = 0, m = 1, d = 1] = on.split('-').map(Number);
  let months = (y - by) * 12 + (m - bm);
  if (d < bd) months -= 1;
  return { years: Math.floor(months / 12), months };
}

/** A period test with inclusive bounds; open ends are unbounded. Partial dates compare on their prefix. */
export function withinPeriod(date: string, start: string | undefined, end: string | undefined): boolean {
  const s = datePart(start);
  const e = datePart(end);
  if (s !== undefined && date < s && !date.startsWith(s)) return false;
  if (e !== undefined && date > e && !date.startsWith(e)) return false;
  return true;
}
