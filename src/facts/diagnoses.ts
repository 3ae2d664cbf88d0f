/** Diagnoses: ICD-10-CM and SNOMED codes of current Conditions, the order's reason first. */
import type { CodeableConcept, Condition, MedicationRequest } from 'fhir/r4.js';
import type { Catalog } from '../catalog/types.js';
import { sameSystem } from '../catalog/systems.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence, Fact } from './types.js';
import { datePart } from './dates.js';
import { evidence, known, notFound, unique, unknown } from './fact.js';
import { codings, referenceId, relativeReference } from './fhir.js';

/**
 * Conventions: a diagnosis counts while active, recurrent or relapsed; not once refuted or entered in error.
 * Also `remission`, beyond the conventions' list: a leukaemia in remission is the disease being consolidated or
 * maintained (ICD-10-CM C91.01 "in remission" is itself on 004's list), so excluding it would call the commonest
 * consolidation patient "diagnosis not documented". `inactive` and `resolved` still exclude.
 */
const CURRENT_CLINICAL_STATUS = new Set(['active', 'recurrence', 'relapse', 'remission']);
const EXCLUDED_VERIFICATION = new Set(['refuted', 'entered-in-error']);

/** Called for every Condition by several facts: reads the codings in place, allocating nothing. */
export function isCurrentCondition(condition: Condition): boolean {
  for (const coding of codings(condition.verificationStatus)) {
    if (coding.code !== undefined && EXCLUDED_VERIFICATION.has(coding.code)) return false;
  }
  // clinicalStatus may be absent (allowed when unconfirmed); only an explicit inactive status excludes
  let coded = false;
  for (const coding of codings(condition.clinicalStatus)) {
    if (coding.code === undefined) continue;
    if (CURRENT_CLINICAL_STATUS.has(coding.code)) return true;
    coded = true;
  }
  return !coded;
}

/** "c50911" → "C50.911"; "C50.911" stays. */
export function normaliseIcd10(code: string): string {
  const bare = code.trim().toUpperCase().replace(/[\s.]/g, '');
  return bare.length > 3 ? `${bare.slice(0, 3)}.${bare.slice(3)}` : bare;
}

export function icd10Codes(concept: CodeableConcept | CodeableConcept[] | undefined, catalog: Catalog): string[] {
  return codings(concept)
    .filter((c) => c.code !== undefined && catalog.diagnoses.systems.icd10cm.some((s) => sameSystem(s, c.system)))
    .map((c) => normaliseIcd10(c.code ?? ''));
}

export function snomedCodes(concept: CodeableConcept | CodeableConcept[] | undefined, catalog: Catalog): string[] {
  return codings(concept)
    .filter((c) => c.code !== undefined && sameSystem(catalog.diagnoses.systems.snomed, c.system))
    .map((c) => (c.code ?? '').trim());
}

/** Per chart, computed on first use: several facts ask for the current Conditions of the same chart. */
const CURRENT_CONDITIONS = new WeakMap<readonly Condition[], { length: number; current: readonly Condition[] }>();

export function currentConditions(chart: GatheredChart): readonly Condition[] {
  const known = CURRENT_CONDITIONS.get(chart.conditions);
  if (known !== undefined && known.length === chart.conditions.length) return known.current;
  const current = chart.conditions.filter(isCurrentCondition);
  CURRENT_CONDITIONS.set(chart.conditions, { length: chart.conditions.length, current });
  return current;
}

export function conditionDate(condition: Condition): string | undefined {
  return datePart(condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate);
}

interface Source {
  concept: CodeableConcept | undefined;
  cite: (codes: string[]) => Evidence;
}

/** The order's reasons first (reasonReference, then reasonCode), then the other current Conditions. */
function orderedSources(chart: GatheredChart, order: MedicationRequest): Source[] {
  const current = currentConditions(chart);
  const reasonIds = (order.reasonReference ?? []).map((r) => referenceId(r));
  const reasons = reasonIds.flatMap((id) => current.filter((c) => c.id === id));
  const others = current.filter((c) => !reasons.includes(c));
  const fromCondition = (condition: Condition): Source => ({
    concept: condition.code,
    cite: (codes) => evidence(relativeReference(condition), conditionDate(condition), `Diagnosis ${codes.join(', ')}`, codes),
  });
  const orderRef = relativeReference({ resourceType: 'MedicationRequest', ...(order.id !== undefined ? { id: order.id } : {}) });
  const fromReasonCode = (concept: CodeableConcept): Source => ({
    concept,
    cite: (codes) => evidence(orderRef, datePart(order.authoredOn), `Order reason ${codes.join(', ')}`, codes),
  });
  return [...reasons.map(fromCondition), ...(order.reasonCode ?? []).map(fromReasonCode), ...others.map(fromCondition)];
}

function codeFact(
  sources: Source[],
  read: (concept: CodeableConcept | undefined) => string[],
  chart: GatheredChart,
  what: string,
  unreadable: readonly string[],
): Fact<string[]> {
  const values: string[] = [];
  const cites: Evidence[] = [];
  for (const source of sources) {
    const codes = read(source.concept);
    if (codes.length === 0) continue;
    values.push(...codes);
    cites.push(source.cite(unique(codes)));
  }
  if (values.length === 0) {
    const missing = notFound<string[]>(chart, 'conditions', what);
    return unreadable.length > 0 ? unknown(`${unreadable.join(', ')}: diagnosis without an ICD-10-CM or SNOMED CT code`) : missing;
  }
  const fact = known(unique(values), cites);
  return unreadable.length > 0 ? { ...fact, incomplete: `${unreadable.join(', ')}: diagnosis without an ICD-10-CM or SNOMED CT code` } : fact;
}

/**
 * Current Conditions whose diagnosis cannot be read as a code: text only, or a code under a system the catalog does
 * not know (an OID). What they say might meet a criterion, so no code criterion is "not met" while one is on file.
 * (The order's reasonCode text is a statement such as "unresectable", read by attestations, not a diagnosis.)
 */
function uncodedConditions(chart: GatheredChart, catalog: Catalog): string[] {
  const readable = (concept: CodeableConcept | undefined): boolean => icd10Codes(concept, catalog).length > 0 || snomedCodes(concept, catalog).length > 0;
  return currentConditions(chart).filter((c) => !readable(c.code)).map((c) => relativeReference(c));
}

export function diagnosisFacts(chart: GatheredChart, order: MedicationRequest, catalog: Catalog): ClinicalFacts['diagnoses'] {
  const sources = orderedSources(chart, order);
  const unreadable = uncodedConditions(chart, catalog);
  return {
    icd10: codeFact(sources, (c) => icd10Codes(c, catalog), chart, 'ICD-10-CM diagnosis', unreadable),
    snomed: codeFact(sources, (c) => snomedCodes(c, catalog), chart, 'SNOMED CT diagnosis', unreadable),
  };
}
