/**
 * The one units module: UCUM codes the engine computes with (mg, ug, mg/m2, ug/m2/d, m2, kg, d) and the one
 * spelling a clinician reads for each (mg, mcg, mg/m², mcg/m²/day, m², kg, days). Facts, policy, cards and pages all
 * take units from here, so a card never says "56 ug" beside "28 mcg/day".
 */

export type MassUnit = 'mg' | 'ug';
export type DoseBasis = 'absolute' | 'per-m2' | 'per-kg';
export type DosePer = 'administration' | 'day';

export interface DoseUnitParts {
  mass: MassUnit;
  basis: DoseBasis;
  per: DosePer;
}

/** Dose units a policy may cap with (schemas/policy.schema.json `doseUnit`). */
export type DoseUnit = 'mg' | 'mg/m2' | 'mg/kg' | 'ug' | 'ug/d' | 'ug/m2/d';

export const DOSE_UNITS: Readonly<Record<DoseUnit, DoseUnitParts>> = {
  mg: { mass: 'mg', basis: 'absolute', per: 'administration' },
  'mg/m2': { mass: 'mg', basis: 'per-m2', per: 'administration' },
  'mg/kg': { mass: 'mg', basis: 'per-kg', per: 'administration' },
  ug: { mass: 'ug', basis: 'absolute', per: 'administration' },
  'ug/d': { mass: 'ug', basis: 'absolute', per: 'day' },
  'ug/m2/d': { mass: 'ug', basis: 'per-m2', per: 'day' },
};

/** Body measures and time, UCUM. */
export type BodyUnit = 'm2' | 'kg' | 'cm';
export type TimeUnit = 'd';

/** A number with its UCUM unit code. */
export interface UcumQuantity {
  value: number;
  unit: string;
}

export const MICROGRAMS_PER: Readonly<Record<MassUnit, number>> = { mg: 1000, ug: 1 };

const BASIS_CODE: Readonly<Record<DoseBasis, string>> = { absolute: '', 'per-m2': '/m2', 'per-kg': '/kg' };

/** UCUM code of a dose unit: { ug, per-m2, day } → "ug/m2/d". */
export function ucumOf(parts: DoseUnitParts): string {
  return `${parts.mass}${BASIS_CODE[parts.basis]}${parts.per === 'day' ? '/d' : ''}`;
}

/** Reads a dose UCUM code back into its parts; undefined for anything else. */
export function doseUnitParts(ucum: string): DoseUnitParts | undefined {
  const match = /^(mg|ug)(\/m2|\/kg)?(\/d)?$/.exec(ucum);
  if (!match) return undefined;
  return {
    mass: match[1] === 'ug' ? 'ug' : 'mg',
    basis: match[2] === '/m2' ? 'per-m2' : match[2] === '/kg' ? 'per-kg' : 'absolute',
    per: match[3] ? 'day' : 'administration',
  };
}

/** The one spelling per UCUM unit segment. */
const SEGMENT_TEXT: Readonly<Record<string, string>> = { mg: 'mg', ug: 'mcg', g: 'g', m2: 'm²', kg: 'kg', cm: 'cm', d: 'day', h: 'hour', min: 'min' };

/** "ug/m2/d" → "mcg/m²/day"; an unknown segment is shown as written. */
export function unitText(ucum: string): string {
  return ucum
    .split('/')
    .map((segment) => SEGMENT_TEXT[segment] ?? segment)
    .join('/');
}

/** At most `decimals` decimals, no trailing zeros: 50, 1.8, 0.03. */
export function formatNumber(n: number, decimals = 2): string {
  const f = 10 ** decimals;
  return String(Math.round(n * f) / f);
}

/**
 * Body surface area as a clinician checks the arithmetic: two decimals as charted ("1.80 m²") when that is the value,
 * else four ("1.7995 m²" from Mosteller), because limits are compared on the unrounded BSA and "72 mg (40.01 mg/m²
 * at BSA 1.80 m²)" does not divide out; 72 / 1.7995 = 40.01 and 40 × 1.7995 = 71.98 do.
 */
function bsaText(value: number): string {
  const charted = value.toFixed(2);
  return Math.abs(Number(charted) - value) < 1e-9 ? charted : String(Math.round(value * 1e4) / 1e4);
}

/** "72 mg", "15 mcg/m²/day", "1.80 m²", "1.7995 m²" (see bsaText). */
export function quantityText(q: UcumQuantity): string {
  const value = q.unit === 'm2' ? bsaText(q.value) : formatNumber(q.value);
  return `${value} ${unitText(q.unit)}`;
}

/** A number of days as read: "day", "21 days". */
export function daysText(days: number): string {
  return days === 1 ? '1 day' : `${formatNumber(days)} days`;
}

/** The order's amount in another mass unit (mg ↔ ug). */
export function convertMass(value: number, from: MassUnit, to: MassUnit): number {
  return (value * MICROGRAMS_PER[from]) / MICROGRAMS_PER[to];
}

/**
 * A dose unit as EHRs write it ("mcg/m^2/day", "mg/m²", "microgram/d") brought to UCUM letters ("ug/m2/d"); the
 * result may still be no dose unit (the caller matches it).
 */
export function doseUnitSpelling(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/µg|μg|mcg|microgram(s)?/g, 'ug')
    .replace(/milligram(s)?/g, 'mg')
    .replace(/m\^2|m²|m\*\*2|sqm/g, 'm2')
    .replace(/\/(day|24h|24\.h|\(24\.h\))$/, '/d');
}

/**
 * Quoted text (chart evidence, a policy's own words) in the one spelling per unit: "40 mg/m2" → "40 mg/m²",
 * "30 ug" → "30 mcg", "mcg/d" → "mcg/day". Only units after a number or a mass unit are touched.
 */
export function oneSpelling(text: string): string {
  return text
    .replace(/(\d\s*)(?:ug|µg|μg)\b/g, '$1mcg')
    .replace(/\b(mg|mcg|ug|kg)\/m(?:2|\^2)\b/g, (_m, mass: string) => `${mass === 'ug' ? 'mcg' : mass}/m²`)
    .replace(/(\d\s*)m(?:2|\^2)\b/g, '$1m²')
    .replace(/\b(mg|mcg|m²)\/d\b/g, '$1/day');
}
