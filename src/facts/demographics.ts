/** Age at the service date, from Patient.birthDate. */
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts } from './types.js';
import { ageAt, isFullDate } from './dates.js';
import { evidence, known, notFound, unknown } from './fact.js';

export function patientFacts(chart: GatheredChart, serviceDate: string): Omit<ClinicalFacts['patient'], 'ageAtDiagnosisMonths'> {
  const reference = `Patient/${chart.patientId}`;
  const birthDate = chart.patient?.birthDate;
  if (chart.patient === undefined || birthDate === undefined) {
    const missing = notFound<number>(chart, 'patient', 'Date of birth');
    return { reference, age: missing, ageMonths: missing };
  }
  if (!isFullDate(birthDate)) {
    // a year or year-month alone cannot place the birthday, and infant criteria turn on months
    const partial = unknown<number>('Date of birth is incomplete');
    return { reference, age: partial, ageMonths: partial };
  }
  const { years, months } = ageAt(birthDate, serviceDate);
  // the birth date itself identifies the patient: cite the age, not the date
  const cite = evidence(reference, serviceDate, `Age ${years} years (${months} months) on ${serviceDate}`, [years]);
  return {
    reference,
    age: known(years, [cite]),
    ageMonths: known(months, [{ ...cite, supports: [String(months)] }]),
  };
}
