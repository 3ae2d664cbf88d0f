/** Age at the service date, from Patient.birthDate. */
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts } from './types.js';
import { ageAt, isFullDate, isRealDate } from './dates.js';
import type { Fact } from './types.js';
import { evidence, known, notFound, unknown } from './fact.js';

/** What the patient resource alone settles (age at diagnosis needs the diagnosis: facts/disease-state.ts). */
type PatientFactsOwn = Omit<ClinicalFacts['patient'], 'ageAtDiagnosisMonths'>;

export function patientFacts(chart: GatheredChart, serviceDate: string): PatientFactsOwn {
  const reference = `Patient/${chart.patientId}`;
  const birthDate = chart.patient?.birthDate;
  if (chart.patient === undefined || birthDate === undefined) {
    const missing = notFound<number>(chart, 'patient', 'Date of birth');
    return { reference, age: missing, ageMonths: missing };
  }
  if (isFullDate(birthDate) && !isRealDate(birthDate)) {
    const unreadable = unknown<number>(`Date of birth in ${reference} could not be read (${birthDate} is no calendar date)`);
    return { reference, age: unreadable, ageMonths: unreadable };
  }
  if (!isFullDate(birthDate)) return partialBirthDate(reference, birthDate, serviceDate);
  if (birthDate > serviceDate) return futureBirthDate(reference, serviceDate);
  const { years, months } = ageAt(birthDate, serviceDate);
  // the birth date itself identifies the patient: cite the age, not the date
  const cite = evidence(reference, serviceDate, `Age ${years} years (${months} months) on ${serviceDate}`, [years]);
  return {
    reference,
    age: known(years, [cite]),
    ageMonths: known(months, [{ ...cite, supports: [String(months)] }]),
  };
}

function futureBirthDate(reference: string, serviceDate: string): PatientFactsOwn {
  const future = unknown<number>(`Date of birth in ${reference} is after the service date ${serviceDate}`);
  return { reference, age: future, ageMonths: future };
}

/**
 * A year (or year and month) of birth alone: the age is not known, but it is bounded (born 1968 → 57 or 58 on
 * 2026-03-01), and a criterion the whole range meets or fails is settled by it (policy/criteria.ts reads `bounds`).
 */
function partialBirthDate(reference: string, birthDate: string, serviceDate: string): PatientFactsOwn {
  const match = /^(\d{4})(?:-(\d{2}))?$/.exec(birthDate);
  if (match === null) {
    const unreadable = unknown<number>(`Date of birth in ${reference} could not be read (${birthDate})`);
    return { reference, age: unreadable, ageMonths: unreadable };
  }
  const earliest = match[2] !== undefined ? `${match[1]}-${match[2]}-01` : `${match[1]}-01-01`;
  if (earliest > serviceDate) return futureBirthDate(reference, serviceDate);
  const latest = match[2] !== undefined ? `${match[1]}-${match[2]}-28` : `${match[1]}-12-31`;
  const oldest = ageAt(earliest, serviceDate);
  const youngest = ageAt(latest, serviceDate);
  const bounded = (min: number, max: number, unit: string): Fact<number> => ({
    ...unknown<number>(`Date of birth is incomplete (${birthDate}): age ${min} to ${max} ${unit}`, [
      evidence(reference, serviceDate, `Age ${min} to ${max} ${unit} on ${serviceDate} (year of birth only)`, [min, max]),
    ]),
    bounds: { min: Math.max(0, min), max },
  });
  return {
    reference,
    age: bounded(youngest.years, oldest.years, 'years'),
    ageMonths: bounded(youngest.months, oldest.months, 'months'),
  };
}
