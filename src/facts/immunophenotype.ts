/**
 * ALL lineage from flow cytometry, read as a haematopathologist reads the immunophenotype: B-cell precursor when a
 * B-lineage marker (CD19, CD79a, CD22) is positive and no T-defining marker is; T-lineage when cytoplasmic CD3 is
 * positive and no B marker is (or CD7 is positive and every B marker tested negative); both positive is a mixed
 * phenotype that settles nothing. Markers, codes and thresholds are catalog data (diagnosis-codes.json
 * lineage.immunophenotype); the Observations are those of observation-codes.json fact "immunophenotype".
 */
import type { Observation } from 'fhir/r4.js';
import type { Catalog, ImmunophenotypeMarker, Lineage } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { Evidence } from './types.js';
import { positivityOf } from './biomarkers.js';
import { evidence } from './fact.js';
import { codings, hasCode, newestFirst, observationDate, observationsWithFactCode, relativeReference, usableObservation } from './fhir.js';

export type MarkerStatus = 'positive' | 'negative';

/** One marker's status as one Observation states it. */
export interface MarkerReading {
  marker: ImmunophenotypeMarker;
  status: MarkerStatus;
  observation: Observation;
}

/** What the immunophenotype says about lineage: a lineage with its evidence, a conflict with its reason, or nothing. */
export type ImmunophenotypeLineage =
  | { lineage: Lineage; evidence: Evidence[]; summary: string }
  | { conflict: string; evidence: Evidence[] }
  | undefined;

const POSITIVE_WORDS = ['positive for', 'positivity for', 'expressing', 'expresses', 'express', 'positive:'];
const NEGATIVE_WORDS = ['negative for', 'not expressing', 'no expression of', 'lacking', 'lacks', 'lack of', 'without', 'negative:'];

/**
 * Markers named in a narrative result, with the status the text gives each: written right after the marker
 * ("CD19+", "cCD3-", "CD7 negative", "CD19: negative", "CD19 not expressed"; dim, weak, partial and bright expression
 * are expression, so positive for lineage), else the nearest "positive for" / "negative for" before it in its
 * clause, else the status written after the list it ends ("CD19 and CD22 negative"). A marker mentioned with none of
 * these is not read. A negative result stated for another compartment than the marker's own ("sCD3-" for cytoplasmic
 * CD3: surface CD3 is negative in most T-ALL) says nothing of the marker and is not read. Exported for tests.
 */
export function markersInText(text: string, markers: readonly ImmunophenotypeMarker[]): Array<{ marker: ImmunophenotypeMarker; status: MarkerStatus }> {
  const found: Array<{ marker: ImmunophenotypeMarker; status: MarkerStatus }> = [];
  const byCd = new Map(markers.map((m) => [m.cd.toLowerCase(), m]));
  for (const clause of text.toLowerCase().split(/[;.\n]+/)) {
    const keywords = [
      ...POSITIVE_WORDS.flatMap((w) => offsets(clause, w).map((at) => ({ at, end: at + w.length, status: 'positive' as const }))),
      ...NEGATIVE_WORDS.flatMap((w) => offsets(clause, w).map((at) => ({ at, end: at + w.length, status: 'negative' as const }))),
    ];
    // "not expressing" also contains "expressing": a keyword inside a longer one is not a keyword of its own
    const own = keywords.filter((k) => !keywords.some((o) => o !== k && o.at <= k.at && o.end >= k.end && o.end - o.at > k.end - k.at));
    // "CD19-positive" is positive: the worded status is tried before a bare "+" / "-"
    const pattern =
      /(?<![a-z0-9])(cytoplasmic\s+|surface\s+|cyto\s*|cy|c|s)?cd(\d+[a-z]?)(?![a-z0-9])(\s*[-−:]?\s*(?:positive|negative|pos\b|neg\b|not expressed|expressed|dim\b|weak\b|partial\b|bright\b)|\s*(?:\+|-|−)(?![a-z0-9]))?/g;
    const named: Array<{ marker: ImmunophenotypeMarker; compartment: string | undefined; at: number; end: number; stated: MarkerStatus | undefined; context: MarkerStatus | undefined }> = [];
    for (const match of clause.matchAll(pattern)) {
      const marker = byCd.get(match[2] ?? '');
      if (marker === undefined) continue;
      const suffix = (match[3] ?? '').replace(/^[\s−:-]+(?=[a-z])/, '').trim();
      const stated: MarkerStatus | undefined =
        suffix === '+' || /^(pos|expressed|dim|weak|partial|bright)/.test(suffix) ? 'positive' : suffix === '-' || suffix === '−' || /^(neg|not expressed)/.test(suffix) ? 'negative' : undefined;
      const at = match.index ?? 0;
      const context = own.filter((k) => k.end <= at).sort((a, b) => b.end - a.end)[0]?.status;
      named.push({ marker, compartment: compartmentOf(match[1]), at, end: at + match[0].length, stated, context });
    }
    // "CD19 and CD22 negative": a marker with no status of its own takes the one after the list it is part of
    for (let i = named.length - 2; i >= 0; i--) {
      const here = named[i];
      const next = named[i + 1];
      if (here === undefined || next === undefined || here.stated !== undefined || here.context !== undefined) continue;
      if (/^(?:\s*(?:,|and|or|\/)\s*)+$/.test(clause.slice(here.end, next.at))) here.stated = next.stated ?? next.context;
    }
    for (const n of named) {
      const status = n.stated ?? n.context;
      if (status === undefined) continue;
      if (status === 'negative' && n.marker.compartment !== undefined && n.compartment !== undefined && n.compartment !== n.marker.compartment) continue;
      found.push({ marker: n.marker, status });
    }
  }
  return found;
}

/** The compartment a prefix names: "c", "cy", "cyto", "cytoplasmic" → cytoplasmic; "s", "surface" → surface. */
function compartmentOf(prefix: string | undefined): 'cytoplasmic' | 'surface' | undefined {
  const p = prefix?.trim();
  if (p === undefined || p === '') return undefined;
  return p.startsWith('s') ? 'surface' : 'cytoplasmic';
}

function offsets(text: string, word: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    const before = i === 0 ? ' ' : text[i - 1];
    if (before === undefined || !/[a-z0-9]/.test(before)) at.push(i);
  }
  return at;
}

/** A marker's own result: coded or worded positive/negative, interpretation POS/NEG, or a blast-gated percentage. */
function ownResult(observation: Observation, code: ImmunophenotypeMarker['loinc'][number], catalog: Catalog): MarkerStatus | undefined {
  const interpretation = catalog.diagnoses.lineage.immunophenotype.interpretation;
  if (hasCode(observation.interpretation, interpretation.system, interpretation.positive)) return 'positive';
  if (hasCode(observation.interpretation, interpretation.system, interpretation.negative)) return 'negative';
  const stated = positivityOf(observation, catalog);
  if (stated === 'positive' || stated === 'negative') return stated;
  const quantity = observation.valueQuantity;
  if (code.percentPositiveAt !== undefined && typeof quantity?.value === 'number' && (quantity.code ?? quantity.unit ?? '%').trim() === '%') {
    return quantity.value >= code.percentPositiveAt ? 'positive' : 'negative';
  }
  return undefined;
}

/** Every marker statement of the chart's immunophenotype Observations, newest Observation first. */
export function markerReadings(chart: GatheredChart, catalog: Catalog): MarkerReading[] {
  const codes = catalog.diagnoses.lineage.immunophenotype;
  const list = catalog.observations.facts.immunophenotype;
  const observations = newestFirst(observationsWithFactCode(chart.observations, list, catalog.observations.systems).filter(usableObservation), observationDate);
  const loinc = catalog.observations.systems.loinc;
  const readings: MarkerReading[] = [];
  for (const observation of observations) {
    const coded = new Set(codings(observation.code).filter((c) => c.system === undefined || c.system.replace(/^https:/, 'http:') === loinc).map((c) => c.code?.trim() ?? ''));
    if (codes.panels.some((p) => coded.has(p))) {
      const texts = [observation.valueString ?? '', observation.valueCodeableConcept?.text ?? '', ...(observation.note ?? []).map((n) => n.text)];
      for (const r of markersInText(texts.join('\n'), codes.markers)) readings.push({ ...r, observation });
      continue;
    }
    for (const marker of codes.markers) {
      const code = marker.loinc.find((l) => coded.has(l.code));
      const status = code === undefined ? undefined : ownResult(observation, code, catalog);
      if (status !== undefined) readings.push({ marker, status, observation });
    }
  }
  return readings;
}

function names(readings: readonly MarkerReading[]): string {
  return [...new Set(readings.map((r) => r.marker.marker))].join(', ');
}

function cite(readings: readonly MarkerReading[], text: string, supports: string[]): Evidence[] {
  const observations = [...new Set(readings.map((r) => r.observation))];
  return observations.map((o) => evidence(relativeReference(o), observationDate(o), text, supports));
}

/** The lineage the immunophenotype shows, a conflict, or nothing; the newest statement per marker counts. */
export function immunophenotypeLineage(chart: GatheredChart, catalog: Catalog): ImmunophenotypeLineage {
  const newest = new Map<string, MarkerReading>();
  for (const r of markerReadings(chart, catalog)) if (!newest.has(r.marker.marker)) newest.set(r.marker.marker, r);
  const readings = [...newest.values()];
  if (readings.length === 0) return undefined;
  const positive = (lineage: Lineage, role?: ImmunophenotypeMarker['role']): MarkerReading[] =>
    readings.filter((r) => r.status === 'positive' && r.marker.lineage === lineage && (role === undefined || r.marker.role === role));
  const negative = readings.filter((r) => r.status === 'negative');
  const bPositive = positive('b-precursor');
  const tDefining = positive('t-cell', 'defining');
  const tAssociated = positive('t-cell', 'associated');
  const bTested = readings.filter((r) => r.marker.lineage === 'b-precursor');
  const negativeText = negative.length > 0 ? `; ${names(negative)} negative` : '';
  if (bPositive.length > 0 && tDefining.length > 0) {
    const reason = `Immunophenotype: B-lineage ${names(bPositive)} and T-lineage ${names(tDefining)} both positive (mixed phenotype)`;
    return { conflict: reason, evidence: cite([...bPositive, ...tDefining], reason, []) };
  }
  if (bPositive.length > 0) {
    const summary = `Immunophenotype: ${names(bPositive)} positive${negativeText}`;
    return { lineage: 'b-precursor', summary, evidence: cite(readings, `B-cell precursor ALL (${summary.replace('Immunophenotype: ', 'immunophenotype ')})`, ['b-precursor']) };
  }
  const tReadings = tDefining.length > 0 ? tDefining : bTested.length > 0 && bTested.every((r) => r.status === 'negative') ? tAssociated : [];
  if (tReadings.length > 0) {
    const summary = `Immunophenotype: ${names(tReadings)} positive${negativeText}`;
    return { lineage: 't-cell', summary, evidence: cite(readings, `T-lineage ALL (${summary.replace('Immunophenotype: ', 'immunophenotype ')})`, ['t-cell']) };
  }
  return undefined;
}
