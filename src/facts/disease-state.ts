/**
 * The state of the disease as a clinical reviewer reads it from the problem list: the leukaemia's current state
 * (ICD-10-CM remission character, clinicalStatus, SNOMED CT, text), when it was diagnosed, the ALL lineage (coded
 * concept, immunophenotype, text), and which catalog
 * disease groups the chart's diagnoses belong to. Codes and phrases are catalog data (catalog/diagnosis-codes.json).
 */
import type { Condition, MedicationRequest } from 'fhir/r4.js';
import { sameSystem } from '../catalog/systems.js';
import { normaliseText, statesPhrase } from '../catalog/text.js';
import type { Catalog, Lineage, LineageSource, LeukaemiaState } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { Evidence, Fact } from './types.js';
import { ageAt, isFullDate } from './dates.js';
import { evidence, known, notFound, unique, unknown } from './fact.js';
import { conditionDate, currentConditions, icd10Codes, snomedCodes } from './diagnoses.js';
import { codings, referenceId, relativeReference } from './fhir.js';
import { immunophenotypeLineage } from './immunophenotype.js';

/** Condition.code text and codings' display, normalised for phrase search. */
function conditionText(condition: Condition): string {
  const parts = [condition.code?.text ?? '', ...codings(condition.code).map((c) => c.display ?? '')];
  return normaliseText(parts.join(' . '));
}

function cite(condition: Condition, text: string, supports: string[]): Evidence {
  return evidence(relativeReference(condition), conditionDate(condition), text, supports);
}

interface StateReading {
  state: LeukaemiaState;
  condition: Condition;
  why: string;
  /** a second state the same Condition also states (ICD-10-CM remission character vs clinicalStatus): not settled */
  disagrees?: { state: LeukaemiaState; why: string };
}

/** The state a Condition states other than by its ICD-10-CM character: clinicalStatus, SNOMED CT, words. */
function statedState(condition: Condition, text: string, catalog: Catalog): { state: LeukaemiaState; why: string } | undefined {
  const codes = catalog.diagnoses.leukaemiaState;
  for (const coding of codings(condition.clinicalStatus)) {
    const state = coding.code === undefined ? undefined : codes.clinicalStatus[coding.code];
    if (state !== undefined) return { state, why: `clinical status ${coding.code ?? ''}` };
  }
  for (const code of snomedCodes([...(condition.code === undefined ? [] : [condition.code]), ...(condition.stage ?? []).flatMap((s) => (s.summary === undefined ? [] : [s.summary]))], catalog)) {
    const state = codes.snomed[code];
    if (state !== undefined) return { state, why: `SNOMED CT ${code}` };
  }
  const phrase = codes.phrases.find((p) => statesPhrase(text, p.phrase, catalog.negations));
  return phrase === undefined ? undefined : { state: phrase.state, why: `condition text "${phrase.phrase}"` };
}

/**
 * One Condition's leukaemia state: text stating refractoriness first; then the ICD-10-CM character and what the
 * Condition otherwise states (clinicalStatus, SNOMED CT, words). The character "not having achieved remission" (0)
 * is also how ALL NOS is coded, so a stated remission or relapse outranks it; a character 1 or 2 outranks the SNOMED CT
 * coding and words of the same code, but one that clinicalStatus contradicts (C91.01 with clinicalStatus relapse) is
 * a disagreement the reading does not settle (unknown, both states possible).
 */
function stateOf(condition: Condition, catalog: Catalog): StateReading | undefined {
  const codes = catalog.diagnoses.leukaemiaState;
  const text = conditionText(condition);
  if (statesPhrase(text, 'refractory', catalog.negations)) return { state: 'refractory', condition, why: 'condition text "refractory"' };
  let coded: { state: LeukaemiaState; why: string } | undefined;
  for (const icd of icd10Codes(condition.code, catalog)) {
    const character = catalog.leukaemiaStatePattern.exec(icd)?.[1];
    const state = character === undefined ? undefined : codes.fifthCharacter[character];
    if (state !== undefined) {
      coded = { state, why: `ICD-10-CM ${icd}` };
      break;
    }
  }
  const stated = statedState(condition, text, catalog);
  if (coded === undefined) return stated === undefined ? undefined : { ...stated, condition };
  if (stated === undefined || stated.state === coded.state) return { ...coded, condition };
  if (coded.state === 'not-in-remission') return { ...stated, condition, why: `${stated.why}; ${coded.why} "not having achieved remission" also codes the disease unspecified` };
  // a SNOMED CT coding or the words of the same code ("relapsed ALL, in second remission") defer to the ICD character;
  // clinicalStatus is a separate statement of the current state, kept up to date apart from the code
  return stated.why.startsWith('clinical status') ? { ...coded, condition, disagrees: stated } : { ...coded, condition };
}

const STATE_TEXT: Readonly<Record<LeukaemiaState, string>> = {
  'not-in-remission': 'not in remission',
  remission: 'in remission',
  relapse: 'in relapse',
  refractory: 'refractory',
};

/** The latest date a Condition carries (onset, recorded): a response assessment after it is newer news. */
function conditionLatestDate(condition: Condition): string {
  return [conditionDate(condition) ?? '', condition.recordedDate?.slice(0, 10) ?? ''].sort().at(-1) ?? '';
}

/** Response categories that mean remission; PD means the disease is back (catalog responseCategories). */
const REMISSION_RESPONSES = new Set(['CR', 'CRi', 'CRh']);

/**
 * Leukaemia-type conditions only: those whose ICD code carries a remission character, or whose status/text says one.
 * A response assessment dated after the newest such Condition updates it, as a reviewer reads the chart: progressive
 * disease after a remission is a relapse; a complete remission (CR, CRi, CRh) after active disease is remission.
 */
export function leukaemiaState(chart: GatheredChart, catalog: Catalog, response?: Fact<string>): Fact<LeukaemiaState> {
  const readings = currentConditions(chart).flatMap((c) => {
    const r = stateOf(c, catalog);
    return r === undefined ? [] : [r];
  });
  if (readings.length === 0) return notFound(chart, 'conditions', 'Current state of the leukaemia (remission, relapse)');
  // the most recently dated reading is the current state; undated ones count as oldest
  const latest = [...readings].sort((a, b) => (conditionDate(b.condition) ?? '').localeCompare(conditionDate(a.condition) ?? ''))[0] as StateReading;
  const conditionCite = cite(latest.condition, `Disease ${STATE_TEXT[latest.state]} (${latest.why})${latest.disagrees === undefined ? '' : `, but ${STATE_TEXT[latest.disagrees.state]} (${latest.disagrees.why})`}`, [latest.state]);
  const assessed = response?.value ?? null;
  const assessedOn = response?.evidence[0]?.date?.slice(0, 10);
  if (assessed !== null && assessedOn !== undefined && assessedOn > conditionLatestDate(latest.condition)) {
    const after = (state: LeukaemiaState): LeukaemiaState => (assessed === 'PD' ? (state === 'remission' ? 'relapse' : state) : REMISSION_RESPONSES.has(assessed) ? 'remission' : state);
    const outcomes = unique([latest.state, ...(latest.disagrees === undefined ? [] : [latest.disagrees.state])].map(after));
    const [state] = outcomes;
    if (outcomes.length === 1 && state !== undefined && (state !== latest.state || latest.disagrees !== undefined)) {
      const [first, ...rest] = response?.evidence ?? [];
      const lead = first === undefined ? [] : [{ ...first, text: `Disease ${STATE_TEXT[state]}: ${first.text ?? ''} on ${assessedOn}, after the diagnosis read ${STATE_TEXT[latest.state]} (${latest.why})`, supports: [state] }];
      return known(state, [...lead, ...rest.map((e) => ({ ...e, supports: [state] })), { ...conditionCite, supports: [state] }]);
    }
  }
  if (latest.disagrees !== undefined) {
    return { ...unknown<LeukaemiaState>(`Current state of the leukaemia not settled: ${latest.why} reads ${STATE_TEXT[latest.state]}, ${latest.disagrees.why} reads ${STATE_TEXT[latest.disagrees.state]}`, [conditionCite]), possibleValues: [latest.state, latest.disagrees.state] };
  }
  return known(latest.state, [conditionCite]);
}

/** The diagnosis the order is for: its reasonReference, else the oldest current Condition with a malignant (C) code. */
function diagnosisCondition(chart: GatheredChart, order: MedicationRequest, catalog: Catalog): Condition | undefined {
  const current = currentConditions(chart);
  const reasonIds = new Set((order.reasonReference ?? []).map((r) => referenceId(r)));
  const reason = current.find((c) => c.id !== undefined && reasonIds.has(c.id));
  if (reason !== undefined) return reason;
  const malignant = current.filter((c) => icd10Codes(c.code, catalog).some((code) => code.startsWith('C')) && conditionDate(c) !== undefined);
  return malignant.sort((a, b) => (conditionDate(a) ?? '').localeCompare(conditionDate(b) ?? ''))[0];
}

/** Date of diagnosis (onset, else recorded) and age in whole months on it; infant ALL is judged on this age. */
export function diagnosisTiming(chart: GatheredChart, order: MedicationRequest, catalog: Catalog): { date: Fact<string>; ageMonths: Fact<number> } {
  const condition = diagnosisCondition(chart, order, catalog);
  const date = condition === undefined ? undefined : conditionDate(condition);
  if (condition === undefined || date === undefined || !isFullDate(date)) {
    const missing = notFound<string>(chart, 'conditions', 'Date of diagnosis');
    return { date: missing, ageMonths: unknown(missing.unknownReason ?? 'Date of diagnosis not documented') };
  }
  const dated = known(date, [cite(condition, `Diagnosed ${date}`, [date])]);
  const birthDate = chart.patient?.birthDate;
  if (!isFullDate(birthDate)) return { date: dated, ageMonths: unknown('Date of birth not documented or incomplete') };
  const { months } = ageAt(birthDate, date);
  return { date: dated, ageMonths: known(months, [cite(condition, `Age at diagnosis ${months} months (diagnosed ${date})`, [String(months)])]) };
}

const LINEAGE_LABEL: Readonly<Record<Lineage, string>> = { 'b-precursor': 'B-cell precursor ALL', 't-cell': 'T-lineage ALL' };
const SOURCE_LABEL: Readonly<Record<LineageSource, string>> = { coded: 'the coded diagnosis', immunophenotype: 'the immunophenotype', text: 'the diagnosis text' };

/** One source's reading of lineage: a lineage with evidence, or a conflict it could not settle. */
type Decided = { lineage: Lineage; evidence: Evidence[] };
type Conflict = { conflict: string; evidence: Evidence[] };
type LineageReading = Decided | Conflict;

/** Where a reading comes from, as the decision page names resources ("Observation 2026-02-09"): no resource ids in text. */
function where(cites: readonly Evidence[]): string {
  return unique(cites.map((e) => `${e.reference.split('/')[0] ?? ''}${e.date !== undefined ? ` ${e.date.slice(0, 10)}` : ''}`)).join(', ');
}

/** An ICD-O-3 morphology code as registries and EHRs write it ("9837/3", "98373", "M9837/3", "9837-3") → "9837/3". */
export function icdO3Morphology(code: string): string {
  const m = /^m?\s*(\d{4})\s*[/-]?\s*(\d)$/i.exec(code.trim());
  return m === null ? code.trim() : `${m[1] ?? ''}/${m[2] ?? ''}`;
}

/** A SNOMED CT lineage concept or ICD-O-3 morphology code on a current Condition. */
function codedLineage(chart: GatheredChart, catalog: Catalog): LineageReading | undefined {
  const codes = catalog.diagnoses.lineage;
  for (const condition of currentConditions(chart)) {
    const morphology = codings(condition.code).filter((c) => codes.icdO3Systems.some((s) => sameSystem(s, c.system))).map((c) => icdO3Morphology(c.code ?? ''));
    const snomed = snomedCodes(condition.code, catalog);
    for (const value of codes.values) {
      const icdO3 = morphology.find((m) => value.icdO3.includes(m));
      const concept = snomed.find((c) => value.snomed.includes(c));
      if (icdO3 === undefined && concept === undefined) continue;
      const why = concept !== undefined ? `SNOMED CT ${concept}` : `ICD-O-3 ${icdO3 ?? ''}`;
      return { lineage: value.lineage, evidence: [cite(condition, `${LINEAGE_LABEL[value.lineage]} (coded ${why})`, [value.lineage])] };
    }
  }
  return undefined;
}

/** Words in a current Condition's text or codings' display ("precursor T-cell", "B-ALL", "pre-B"). */
function textLineage(chart: GatheredChart, catalog: Catalog): LineageReading | undefined {
  const codes = catalog.diagnoses.lineage;
  for (const condition of currentConditions(chart)) {
    const text = conditionText(condition);
    // T phrases are listed first: "precursor T-cell" must not be read as a B phrase
    for (const value of codes.values) {
      const phrase = value.phrases.find((p) => statesPhrase(text, p, catalog.negations));
      if (phrase !== undefined) return { lineage: value.lineage, evidence: [cite(condition, `${LINEAGE_LABEL[value.lineage]} (condition text "${phrase}")`, [value.lineage])] };
    }
  }
  return undefined;
}

function phenotypeLineage(chart: GatheredChart, catalog: Catalog): LineageReading | undefined {
  const read = immunophenotypeLineage(chart, catalog);
  if (read === undefined) return undefined;
  if ('conflict' in read) return read;
  return { lineage: read.lineage, evidence: read.evidence };
}

/**
 * B-cell precursor vs T-lineage ALL. Sources in the catalog's order of precedence (coded concept, immunophenotype,
 * text): the first that reads a lineage decides, and its evidence names a lower source that reads the other one.
 * A conflicting immunophenotype (B and T markers positive) decides nothing; when no source decides, lineage is
 * unknown and says why.
 */
export function lineage(chart: GatheredChart, catalog: Catalog): Fact<Lineage> {
  const codes = catalog.diagnoses.lineage;
  const readers: Readonly<Record<LineageSource, () => LineageReading | undefined>> = {
    coded: () => codedLineage(chart, catalog),
    immunophenotype: () => phenotypeLineage(chart, catalog),
    text: () => textLineage(chart, catalog),
  };
  const decisions: Array<{ source: LineageSource; reading: Decided }> = [];
  const conflicts: Conflict[] = [];
  for (const source of codes.precedence) {
    const r = readers[source]();
    if (r === undefined) continue;
    if ('conflict' in r) conflicts.push(r);
    else decisions.push({ source, reading: r });
  }
  const decided = decisions[0];
  if (decided !== undefined) {
    const value = decided.reading.lineage;
    const notes = [
      ...decisions
        .filter((d) => d.reading.lineage !== value)
        .map((d) => `${SOURCE_LABEL[d.source]} (${where(d.reading.evidence)}) reads ${LINEAGE_LABEL[d.reading.lineage]}; ${SOURCE_LABEL[decided.source]} outranks it`),
      ...conflicts.map((c) => c.conflict),
    ];
    const [first, ...rest] = decided.reading.evidence;
    const cites = first === undefined || notes.length === 0 ? decided.reading.evidence : [{ ...first, text: `${first.text ?? ''}; ${notes.join('; ')}` }, ...rest];
    return known(value, cites);
  }
  const possibleValues = codes.values.map((v) => v.lineage);
  const conflict = conflicts[0];
  if (conflict !== undefined) return { ...unknown<Lineage>(`${conflict.conflict}: lineage not settled`, conflict.evidence), possibleValues };
  return { ...notFound<Lineage>(chart, 'conditions', 'ALL lineage (B-cell precursor or T-cell)'), possibleValues };
}

/**
 * Catalog disease groups of the current diagnoses. Known (possibly empty) when every current Condition is read:
 * an ICD-10-CM code is a closed hierarchy, so a code outside the group's prefixes is not the disease; a Condition
 * with neither an ICD-10-CM code nor a listed concept or phrase leaves the list unknown.
 */
export function diseaseGroups(chart: GatheredChart, catalog: Catalog): Fact<string[]> {
  const groups = catalog.diagnoses.diseases.groups;
  const found: string[] = [];
  const cites: Evidence[] = [];
  const unread: Condition[] = [];
  const read: Condition[] = [];
  for (const condition of currentConditions(chart)) {
    const icd = icd10Codes(condition.code, catalog);
    const snomed = snomedCodes(condition.code, catalog);
    const text = conditionText(condition);
    const hits = groups.filter(
      (g) =>
        icd.some((code) => g.icd10Prefixes.some((p) => code.startsWith(p))) ||
        (g.icd10PrefixesWithPhrase !== undefined && icd.some((code) => g.icd10PrefixesWithPhrase?.some((p) => code.startsWith(p))) && g.phrases.some((p) => statesPhrase(text, p, catalog.negations))) ||
        snomed.some((s) => g.snomed.includes(s)) ||
        (icd.length === 0 && g.phrases.some((p) => statesPhrase(text, p, catalog.negations))),
    );
    if (hits.length > 0) {
      const names = hits.map((g) => g.disease);
      found.push(...names);
      cites.push(cite(condition, `Diagnosis ${[...icd, ...snomed].join(', ') || 'stated in text'}: ${names.join(', ')}`, names));
    } else if (icd.length > 0) read.push(condition);
    else unread.push(condition);
  }
  if (found.length > 0) return known(unique(found), cites);
  if (unread.length > 0) return unknown(`${unread.map(relativeReference).join(', ')}: diagnosis not coded in ICD-10-CM and not recognised`);
  if (read.length === 0) return notFound(chart, 'conditions', 'Diagnosis');
  return known([], read.map((c) => cite(c, `Diagnosis ${icd10Codes(c.code, catalog).join(', ')}: none of the catalog's disease groups`, [])));
}
