/** Small readers over FHIR R4 shapes used by several fact modules. */
import type { CodeableConcept, Coding, Dosage, MedicationRequest, Observation, Quantity, Reference } from 'fhir/r4.js';
import { normaliseSystem } from '../catalog/systems.js';
import type { CodeList, ObservationCodes, ValueKey } from '../catalog/types.js';
import { normaliseText, phraseNeedle } from '../catalog/text.js';
import { datePart } from './dates.js';
import { isJsonObject } from '../json.js';

const NO_CODINGS: readonly Coding[] = Object.freeze([]);

/** Every coding of one or several concepts. A single concept's own array is returned as it is (read-only). */
export function codings(concept: CodeableConcept | CodeableConcept[] | undefined): readonly Coding[] {
  if (concept === undefined) return NO_CODINGS;
  if (!Array.isArray(concept)) return concept.coding ?? NO_CODINGS;
  return concept.length === 1 ? (concept[0]?.coding ?? NO_CODINGS) : concept.flatMap((c) => c.coding ?? []);
}

/**
 * Catalog code lists are loaded once per process; each gets its Set on first use (keyed by the list itself), so
 * a look-up is a hash probe, not a scan of the list for every coding of every resource.
 */
const CODE_SETS = new WeakMap<readonly string[], ReadonlySet<string>>();

export function codeSet(codes: readonly string[]): ReadonlySet<string> {
  let set = CODE_SETS.get(codes);
  if (set === undefined) {
    set = new Set(codes);
    CODE_SETS.set(codes, set);
  }
  return set;
}

function concepts(concept: CodeableConcept | CodeableConcept[]): readonly CodeableConcept[] {
  return Array.isArray(concept) ? concept : [concept];
}

/** Called for every Observation by every fact: no intermediate arrays, the system normalised once. */
export function hasCode(concept: CodeableConcept | CodeableConcept[] | undefined, system: string, codes: readonly string[]): boolean {
  if (concept === undefined || codes.length === 0) return false;
  const wantedSystem = normaliseSystem(system);
  const wanted = codeSet(codes);
  for (const c of concepts(concept)) {
    for (const coding of c.coding ?? []) {
      if (coding.code !== undefined && normaliseSystem(coding.system) === wantedSystem && wanted.has(coding.code.trim())) return true;
    }
  }
  return false;
}

/** Any coding of the concept in one of the fact's LOINC or SNOMED lists. */
export function hasFactCode(concept: CodeableConcept | undefined, list: CodeList, systems: ObservationCodes['systems']): boolean {
  return hasCode(concept, systems.loinc, list.loinc ?? []) || hasCode(concept, systems.snomed, list.snomed ?? []);
}

interface CodeIndex {
  /** length of the list when indexed: a list that grew since is indexed again */
  length: number;
  /** `normalisedSystem|code` → positions in the list, ascending */
  positions: Map<string, number[]>;
}

/** Per chart, built on first use: every fact asks for its codes, instead of scanning all Observations each time. */
const OBSERVATION_CODE_INDEX = new WeakMap<readonly Observation[], CodeIndex>();

function observationCodeIndex(observations: readonly Observation[]): CodeIndex {
  const known = OBSERVATION_CODE_INDEX.get(observations);
  if (known !== undefined && known.length === observations.length) return known;
  const positions = new Map<string, number[]>();
  observations.forEach((observation, i) => {
    for (const coding of observation.code?.coding ?? []) {
      if (coding.code === undefined) continue;
      const key = `${normaliseSystem(coding.system)}|${coding.code.trim()}`;
      const list = positions.get(key);
      if (list === undefined) positions.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  const index = { length: observations.length, positions };
  OBSERVATION_CODE_INDEX.set(observations, index);
  return index;
}

/** Per catalog: normalised system → every code of that system in every Observation fact list. */
const CODES_OF_INTEREST = new WeakMap<ObservationCodes, ReadonlyMap<string, ReadonlySet<string>>>();

function observationCodesOfInterest(codes: ObservationCodes): ReadonlyMap<string, ReadonlySet<string>> {
  let bySystem = CODES_OF_INTEREST.get(codes);
  if (bySystem === undefined) {
    const loinc = new Set<string>();
    const snomed = new Set<string>();
    for (const list of Object.values(codes.facts) as CodeList[]) {
      for (const code of list.loinc ?? []) loinc.add(code);
      for (const code of list.snomed ?? []) snomed.add(code);
    }
    bySystem = new Map([[normaliseSystem(codes.systems.loinc), loinc], [normaliseSystem(codes.systems.snomed), snomed]]);
    CODES_OF_INTEREST.set(codes, bySystem);
  }
  return bySystem;
}

/** Every code of every Observation fact list, without systems: what the Observation prefetch asks the EHR for. */
export function observationSearchCodes(codes: ObservationCodes): string[] {
  // a code two facts read (disease status, response assessment) is asked for once
  return [...new Set((Object.values(codes.facts) as CodeList[]).flatMap((list) => [...(list.loinc ?? []), ...(list.snomed ?? [])]))];
}

/**
 * Whether any fact can read this Observation: facts find Observations only through `observationsWithFactCode`,
 * so one whose code is in none of the catalog's fact lists (a chart's years of routine labs) is never read.
 * Tested: facts are the same with such Observations removed.
 *
 * Runs on unchecked JSON (before the FHIR type check, which it lets skip what is never read), so it reads
 * defensively, and answers yes whenever the code is missing or malformed: then the type check names the problem.
 */
export function isObservationOfInterest(observation: Observation, codes: ObservationCodes): boolean {
  const code: unknown = observation.code;
  if (!isJsonObject(code)) return true;
  const list: unknown = code['coding'];
  if (list === undefined) return false;
  if (!Array.isArray(list)) return true;
  const bySystem = observationCodesOfInterest(codes);
  for (const coding of list as unknown[]) {
    if (!isJsonObject(coding)) return true;
    const system = coding['system'];
    const value = coding['code'];
    if ((system !== undefined && typeof system !== 'string') || (value !== undefined && typeof value !== 'string')) return true;
    if (value !== undefined && bySystem.get(normaliseSystem(system))?.has(value.trim()) === true) return true;
  }
  return false;
}

/**
 * The Observations whose code is in the fact's LOINC or SNOMED list, in chart order: the same as
 * `observations.filter((o) => hasFactCode(o.code, list, systems))`, by look-up instead of a scan.
 */
export function observationsWithFactCode(observations: readonly Observation[], list: CodeList, systems: ObservationCodes['systems']): Observation[] {
  const { positions } = observationCodeIndex(observations);
  const found = new Set<number>();
  const collect = (system: string, codes: readonly string[] | undefined): void => {
    const normalised = normaliseSystem(system);
    for (const code of codes ?? []) for (const i of positions.get(`${normalised}|${code}`) ?? []) found.add(i);
  };
  collect(systems.loinc, list.loinc);
  collect(systems.snomed, list.snomed);
  return [...found].sort((a, b) => a - b).map((i) => observations[i] as Observation);
}

/** Texts of a concept: its text and each coding's display. */
export function conceptTexts(concept: CodeableConcept | undefined): string[] {
  if (concept === undefined) return [];
  return [concept.text, ...(concept.coding ?? []).map((c) => c.display)].filter((t): t is string => t !== undefined && t.trim() !== '');
}

/** The id part of a relative or absolute reference ("Condition/x", "https://…/Condition/x/_history/2"). */
export function referenceId(reference: Reference | string | undefined): string | undefined {
  const ref = typeof reference === 'string' ? reference : reference?.reference;
  if (ref === undefined) return undefined;
  const parts = ref.replace(/\/_history\/[^/]*$/, '').split('/');
  return parts[parts.length - 1];
}

export function referenceType(reference: Reference | string | undefined): string | undefined {
  const ref = typeof reference === 'string' ? reference : reference?.reference;
  if (ref === undefined) return undefined;
  const parts = ref.replace(/\/_history\/[^/]*$/, '').split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : reference !== undefined && typeof reference !== 'string' ? reference.type : undefined;
}

/** The first dosage instruction's value that is there (read for every history entry: no intermediate arrays). */
export function firstOfDosages<T>(request: MedicationRequest, read: (dosage: Dosage) => T | undefined): T | undefined {
  for (const dosage of request.dosageInstruction ?? []) {
    const value = read(dosage);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function relativeReference(resource: { resourceType: string; id?: string }): string {
  return `${resource.resourceType}/${resource.id ?? 'unknown'}`;
}

const UNUSABLE_OBSERVATION = new Set(['entered-in-error', 'cancelled', 'registered']);

export function usableObservation(observation: Observation): boolean {
  return !UNUSABLE_OBSERVATION.has(observation.status);
}

/** Clinically relevant date of an Observation: effective (start of a period), else issued. */
export function observationDate(observation: Observation): string | undefined {
  return datePart(
    observation.effectiveDateTime ??
      observation.effectivePeriod?.end ??
      observation.effectivePeriod?.start ??
      observation.effectiveInstant ??
      observation.issued,
  );
}

/** Newest first; undated last. */
export function newestFirst<T>(items: readonly T[], dateOf: (item: T) => string | undefined): T[] {
  return [...items].sort((a, b) => (dateOf(b) ?? '').localeCompare(dateOf(a) ?? ''));
}

/** Does a value (coded or text) carry one of the catalog's answer sets? Codes first, then words. */
export function valueIs(
  value: { concept?: CodeableConcept | undefined; text?: string | undefined },
  key: ValueKey,
  codes: ObservationCodes,
): boolean {
  const set = codes.values[key];
  const answerCodes = codeSet(set.codes);
  if (codings(value.concept).some((c) => c.code !== undefined && answerCodes.has(c.code.trim()))) return true;
  const texts = [...conceptTexts(value.concept), ...(value.text !== undefined ? [value.text] : [])].map((t) => normaliseText(t));
  if ((set.texts ?? []).some((word) => texts.some((t) => t.includes(phraseNeedle(word))))) return true;
  return (set.textPrefixes ?? []).some((prefix) =>
    texts.some((t) => {
      const bare = stripStagePrefix(t);
      return set.exact === true ? bare === prefix : bare.startsWith(prefix);
    }),
  );
}

/** "AJCC clinical stage group IIIA" → "iiia"; "cM1" → "cm1". */
function stripStagePrefix(normalised: string): string {
  return normalised
    .trim()
    .replace(/^(ajcc\s+)?((clinical|pathologic|pathological)\s+)?(stage\s+)?(group\s+)?/, '')
    .replace(/\s+/g, '');
}

export function quantityOf(observation: Observation): Quantity | undefined {
  return observation.valueQuantity;
}
