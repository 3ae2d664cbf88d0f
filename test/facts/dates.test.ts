/** Calendar-date helpers read for every history entry: the fast paths must agree with the plain definitions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, datePart, daysBetween } from '../../src/facts/dates.js';

/** The definition: the leading YYYY, YYYY-MM or YYYY-MM-DD of the trimmed value. */
const reference = (value: string): string | undefined => /^(\d{4}(?:-\d{2}(?:-\d{2})?)?)/.exec(value.trim())?.[1];

describe('datePart', () => {
  it('agrees with the definition on dates, dateTimes, partial dates and junk', () => {
    const cases = ['2026-01-05', '2026-01-05T10:00:00Z', ' 2026-01-05 ', '2026', '2026-03', '2026-3-5', 'x', '', '2026-01-0',
      '2026-13-45', '20a6-01-05', '2026-01-05garbage', '２０２６-01-05'];
    for (const c of cases) expect(datePart(c), JSON.stringify(c)).toBe(reference(c));
    expect(datePart(undefined)).toBeUndefined();
  });

  it('agrees with the definition on generated strings', () => {
    const dateLike = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.string({ maxLength: 12 }))
      .map(([y, m, d, tail]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${tail}`);
    fc.assert(fc.property(fc.oneof(dateLike, fc.string({ maxLength: 16 })), (value) => datePart(value) === reference(value)), { numRuns: 2000, seed: 11 });
  });
});

describe('daysBetween and addDays', () => {
  it('count calendar days in UTC across months, leap days and years', () => {
    expect(daysBetween('2025-12-31', '2026-03-01')).toBe(60);
    expect(daysBetween('2026-03-01', '2025-12-31')).toBe(-60);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2023-02-28', '2023-03-01')).toBe(1);
    expect(addDays('2026-02-27', 3)).toBe('2026-03-02');
  });

  it('agree with Date arithmetic on generated dates', () => {
    const day = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(fc.property(day, day, (a, b) => daysBetween(a, b) === Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000)), { numRuns: 1000, seed: 12 });
  });
});
