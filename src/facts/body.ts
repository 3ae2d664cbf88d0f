/** Weight, height and body surface area: most recent in the 30 days up to the service date. */
import { quantityText, unitText } from '../units.js';
import type { Observation } from 'fhir/r4.js';
import type { Catalog, CodeList } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence, Fact } from './types.js';
import { addDays } from './dates.js';
import { evidence, known, notFound, unknown } from './fact.js';
import { newestFirst, observationDate, observationsWithFactCode, relativeReference, usableObservation } from './fhir.js';

/** Dosing uses a current measurement; older ones do not reflect today's body. */
export const BODY_MEASUREMENT_WINDOW_DAYS = 30;

const KG_PER: Readonly<Record<string, number>> = { kg: 1, g: 0.001, '[lb_av]': 0.45359237, lb: 0.45359237, lbs: 0.45359237 };
const CM_PER: Readonly<Record<string, number>> = { cm: 1, m: 100, mm: 0.1, '[in_i]': 2.54, in: 2.54, inch: 2.54, inches: 2.54 };
const M2_UNITS = new Set(['m2', 'm^2', 'm²', 'm**2']);

function unitOf(observation: Observation): string {
  return (observation.valueQuantity?.code ?? observation.valueQuantity?.unit ?? '').trim();
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

interface Measurement {
  observation: Observation;
  date: string | undefined;
  value: number;
  asWritten: string;
}

/**
 * What a human body can measure, with room to spare (a 0.3 kg premature newborn to 650 kg; 20 to 275 cm; BSA 0.05
 * to 5 m²). A value outside is a typing or unit error: the measurement is unreadable, named, never used.
 */
export const PHYSIOLOGICAL_BOUNDS: Readonly<Record<'weightKg' | 'heightCm' | 'bsaM2', { min: number; max: number }>> = {
  weightKg: { min: 0.3, max: 650 },
  heightCm: { min: 20, max: 275 },
  bsaM2: { min: 0.05, max: 5 },
};

/** Observations of the fact in the window, newest first, converted; those with unknown units are skipped. */
function measurements(
  chart: GatheredChart,
  list: CodeList,
  catalog: Catalog,
  serviceDate: string,
  convert: (value: number, unit: string) => number | undefined,
): Measurement[] {
  const from = addDays(serviceDate, -BODY_MEASUREMENT_WINDOW_DAYS);
  const inWindow = observationsWithFactCode(chart.observations, list, catalog.observations.systems).filter((o) => {
    const date = observationDate(o);
    return usableObservation(o) && date !== undefined && date >= from && date <= serviceDate;
  });
  return newestFirst(inWindow, observationDate).flatMap((observation) => {
    const raw = observation.valueQuantity?.value;
    const unit = unitOf(observation);
    const value = raw === undefined ? undefined : convert(raw, unit);
    if (value === undefined || raw === undefined) return [];
    return [{ observation, date: observationDate(observation), value, asWritten: `${raw} ${observation.valueQuantity?.unit ?? unit}`.trim() }];
  });
}

/** Converter from a table of factors to the target unit; unknown units give undefined (not a guess). */
const scaleBy =
  (table: Readonly<Record<string, number>>) =>
  (value: number, unit: string): number | undefined => {
    const factor = table[unit] ?? table[unit.toLowerCase()];
    return factor === undefined ? undefined : value * factor;
  };
const toKg = scaleBy(KG_PER);
const toCm = scaleBy(CM_PER);
const toM2 = (v: number, unit: string): number | undefined => (M2_UNITS.has(unit.toLowerCase()) ? v : undefined);

function measurementFact(
  found: Measurement[],
  label: string,
  unit: string,
  decimals: number,
  missing: () => Fact<number>,
  bounds: { min: number; max: number },
): Fact<number> {
  const latest = found[0];
  if (latest === undefined) return missing();
  if (!(latest.value >= bounds.min && latest.value <= bounds.max)) {
    return unknown(`${label} ${latest.asWritten} in ${relativeReference(latest.observation)} could not be read: outside physiological bounds`);
  }
  // the converted value is compared (99.2 lb = 44.996 kg is under 45 kg); only the text is rounded
  const value = round(latest.value, decimals);
  const converted = latest.asWritten === `${value} ${unit}` || latest.asWritten === `${value} ${unitText(unit)}` ? '' : ` (${latest.asWritten})`;
  const shown = quantityText({ value, unit });
  return known(latest.value, [evidence(relativeReference(latest.observation), latest.date, `${label} ${shown}${converted}`, [latest.value])]);
}

/**
 * Mosteller: BSA (m²) = √(height cm × weight kg / 3600), unrounded: dose limits and bands compare this value
 * (a BSA of 1.7995 m² allows 71.98 mg at 40 mg/m², not the 72 mg its display "1.80 m²" suggests); only the
 * evidence text rounds it.
 */
export function mosteller(heightCm: number, weightKg: number): number {
  return Math.sqrt((heightCm * weightKg) / 3600);
}

export function bodyFacts(chart: GatheredChart, catalog: Catalog, serviceDate: string): ClinicalFacts['body'] {
  const codes = catalog.observations.facts;
  const missing = (what: string) => (): Fact<number> => {
    const fact = notFound<number>(chart, 'observations', what);
    return fact.unknownReason?.endsWith('not documented') === true
      ? unknown(`${what} not documented in the ${BODY_MEASUREMENT_WINDOW_DAYS} days before ${serviceDate}`)
      : fact;
  };
  const weightKg = measurementFact(measurements(chart, codes.bodyWeight, catalog, serviceDate, toKg), 'Weight', 'kg', 2, missing('Body weight'), PHYSIOLOGICAL_BOUNDS.weightKg);
  const heightCm = measurementFact(measurements(chart, codes.bodyHeight, catalog, serviceDate, toCm), 'Height', 'cm', 1, missing('Body height'), PHYSIOLOGICAL_BOUNDS.heightCm);
  const measuredBsa = measurements(chart, codes.bodySurfaceArea, catalog, serviceDate, toM2);
  return { weightKg, heightCm, bodySurfaceArea: bodySurfaceArea(measuredBsa, weightKg, heightCm, missing('Body surface area')) };
}

function bodySurfaceArea(measured: Measurement[], weightKg: Fact<number>, heightCm: Fact<number>, missing: () => Fact<number>): Fact<number> {
  const given = measurementFact(measured, 'BSA', 'm2', 2, missing, PHYSIOLOGICAL_BOUNDS.bsaM2);
  if (given.value !== null) return given;
  // a BSA on file that cannot be real is not silently replaced by one computed from height and weight
  if (measured.length > 0) return given;
  if (weightKg.value === null || heightCm.value === null) {
    const absent = [weightKg.value === null ? 'weight' : undefined, heightCm.value === null ? 'height' : undefined].filter(Boolean).join(' and ');
    return unknown(`Body surface area not documented and cannot be computed without ${absent}`);
  }
  const bsa = mosteller(heightCm.value, weightKg.value);
  // cite both measurements (the BSA is only as current as the older of the two); the computed value is said once
  const cited = [...heightCm.evidence, ...weightKg.evidence];
  const cites: Evidence[] = cited.map((e, i) => ({
    ...e,
    ...(i === cited.length - 1 && { text: `${e.text ?? ''}; BSA ${quantityText({ value: bsa, unit: 'm2' })} by Mosteller` }),
    supports: [String(bsa)],
  }));
  return known(bsa, cites);
}
