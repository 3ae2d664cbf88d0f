/**
 * Hand-written ClinicalFacts for tests: everything unknown unless overridden.
 *   facts({ body: { bodySurfaceArea: known(1.8) }, order: { phase: known('consolidation') } })
 */
import type { AuthorizationFact, ClinicalFacts, Evidence, Fact, OrderedAmount, OrderedSchedule } from '../../src/facts/types.js';
import { emptyFacts } from '../../src/policy/facts-skeleton.js';

/** Facts and arrays are replaced whole; other objects merge key by key. */
export type FactsPatch<T> = {
  [K in keyof T]?: T[K] extends Fact<unknown> | unknown[] | null ? T[K] : T[K] extends object ? FactsPatch<T[K]> : T[K];
};

export function known<T>(value: T, ...evidence: Evidence[]): Fact<T> {
  return { value, evidence };
}

export function unknown<T>(unknownReason?: string): Fact<T> {
  return unknownReason === undefined ? { value: null, evidence: [] } : { value: null, evidence: [], unknownReason };
}

export function ev(reference: string, supports?: string[], text?: string): Evidence {
  const e: Evidence = { reference };
  if (supports !== undefined) e.supports = supports;
  if (text !== undefined) e.text = text;
  return e;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isFact(x: unknown): boolean {
  return isPlainObject(x) && 'value' in x && 'evidence' in x;
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch) || isFact(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = merge(base[k], v);
  return out;
}

export function facts(patch: FactsPatch<ClinicalFacts> = {}, serviceDate = '2024-03-01'): ClinicalFacts {
  const base = emptyFacts(patch.serviceDate ?? serviceDate);
  base.patient.reference = 'Patient/test';
  base.order.reference = 'MedicationRequest/draft-1';
  return merge(base, patch) as ClinicalFacts;
}

export function amount(value: number, unit: OrderedAmount['unit'], basis: OrderedAmount['basis'] = 'absolute', per: OrderedAmount['per'] = 'administration'): Fact<OrderedAmount> {
  const basisText = basis === 'per-m2' ? '/m2' : basis === 'per-kg' ? '/kg' : '';
  return known({ value, unit, basis, per, asWritten: `${value} ${unit === 'ug' ? 'mcg' : unit}${basisText}${per === 'day' ? '/d' : ''}` }, ev('MedicationRequest/draft-1'));
}

export function schedule(administrations: number, periodDays: number, durationDays?: number): Fact<OrderedSchedule> {
  const s: OrderedSchedule = { administrations, periodDays, asWritten: `${administrations} per ${periodDays} d` };
  if (durationDays !== undefined) s.durationDays = durationDays;
  return known(s, ev('MedicationRequest/draft-1'));
}

export function authorization(appliesToOrder: boolean, preAuthRef = 'PA-123'): AuthorizationFact {
  const a: AuthorizationFact = { reference: 'ClaimResponse/pa-1', preAuthRef, drug: 'drug-a', appliesToOrder };
  if (!appliesToOrder) a.whyNot = 'expired 2024-01-31';
  return a;
}
