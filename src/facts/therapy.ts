/** Medication history: prior lines of antineoplastic therapy, prior drugs, active medications on the service date. */
import type { MedicationRequest } from 'fhir/r4.js';
import { classesOf, identifyOrderedDrug, resolveMedicationConcept } from '../catalog/drugs.js';
import type { Catalog } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence, Fact } from './types.js';
import { addDays, datePart, daysBetween } from './dates.js';
import { evidence, known, unavailableReason, unique, unknown } from './fact.js';
import { firstOfDosages, relativeReference } from './fhir.js';
import { calendarMonthsInDays, durationDays } from './durations.js';
import { REFRACTORY_WINDOW_DAYS, type Progression } from './refractory.js';

/** A drug started within 28 days of a line's last administration (no progression between) continues that line. */
export const LINE_WINDOW_DAYS = 28;

/** Statuses that mean the drug was (or is being) given; drafts, cancellations and errors were not. */
const GIVEN_STATUSES = new Set(['active', 'completed', 'stopped']);

export interface TherapyEpisode {
  request: MedicationRequest;
  drug: string;
  classes: string[];
  start: string;
  /** last day the drug was given or planned, never after the service date for the active ones */
  end: string;
  cite: Evidence;
}

/**
 * An episode whose evidence is spelled only when a fact cites it: a long history is read whole (to group lines), but
 * few of its entries end up cited.
 */
class Episode implements TherapyEpisode {
  #cite: Evidence | undefined;
  constructor(
    readonly request: MedicationRequest,
    readonly drug: string,
    readonly classes: string[],
    readonly start: string,
    readonly end: string,
    private readonly citing: { date: string | undefined; text: 'started' | 'active'; on?: string },
  ) {}

  get cite(): Evidence {
    this.#cite ??= evidence(
      relativeReference(this.request),
      this.citing.date,
      this.citing.text === 'started' ? `${this.drug} started ${this.start} (${this.request.status})` : `${this.drug} active on ${this.citing.on ?? this.start}`,
      [this.drug],
    );
    return this.#cite;
  }
}

/** When the order starts: the dosing period, else the dispense validity, else when it was written. */
export function requestStart(request: MedicationRequest): string | undefined {
  const bounds = firstOfDosages(request, (d) => d.timing?.repeat?.boundsPeriod?.start);
  return datePart(bounds ?? request.dispenseRequest?.validityPeriod?.start ?? request.authoredOn);
}

function requestEnd(request: MedicationRequest, start: string, serviceDate: string): string {
  const bounds = firstOfDosages(request, (d) => d.timing?.repeat?.boundsPeriod?.end);
  const explicit = datePart(bounds ?? request.dispenseRequest?.validityPeriod?.end);
  if (explicit !== undefined && explicit.length === 10) return explicit;
  // the order runs for every fill it allows: supply × (refills + 1)
  const supply = durationDays(request.dispenseRequest?.expectedSupplyDuration);
  const fills = Math.max(0, request.dispenseRequest?.numberOfRepeatsAllowed ?? 0) + 1;
  const length = firstOfDosages(request, (d) => durationDays(d.timing?.repeat?.boundsDuration)) ?? (supply === undefined ? undefined : supply * fills);
  if (length !== undefined) return addDays(start, Math.max(0, Math.ceil(length) - 1));
  return request.status === 'active' ? serviceDate : start;
}

/** A given MedicationRequest whose drug the catalog does not know: kept, so the trace can say it was not recognised. */
export interface UnrecognisedMedication {
  reference: string;
  name: string;
  start: string;
  end: string;
}

export interface TherapyHistory {
  episodes: TherapyEpisode[];
  unrecognised: UnrecognisedMedication[];
  active: TherapyEpisode[];
}

function medicationName(request: MedicationRequest, chart: GatheredChart): string {
  const concept = resolveMedicationConcept(request, chart);
  return concept?.text ?? concept?.coding?.find((c) => c.display !== undefined)?.display ?? concept?.coding?.[0]?.code ?? 'a medication without a name';
}

/** One pass over the MedicationRequests: identified episodes (oldest first) and the ones the catalog does not know. */
function readHistory(chart: GatheredChart, catalog: Catalog, serviceDate: string): Omit<TherapyHistory, 'active'> {
  const draftIds = new Set(chart.draftOrders.map((d) => d.id).filter((id) => id !== undefined));
  const episodes: TherapyEpisode[] = [];
  const unrecognised: UnrecognisedMedication[] = [];
  for (const request of chart.medicationRequests) {
    if (!GIVEN_STATUSES.has(request.status) || (request.id !== undefined && draftIds.has(request.id))) continue;
    const start = requestStart(request);
    if (start === undefined || start.length !== 10 || start >= serviceDate) continue;
    const end = requestEnd(request, start, serviceDate);
    const { drug } = identifyOrderedDrug(request, chart, catalog);
    if (drug === null) {
      unrecognised.push({ reference: relativeReference(request), name: medicationName(request, chart), start, end: end < start ? start : end });
      continue;
    }
    episodes.push(new Episode(request, drug, classesOf(drug, catalog), start, end < start ? start : end, { date: start, text: 'started' }));
  }
  return { episodes: episodes.sort((a, b) => a.start.localeCompare(b.start)), unrecognised };
}

/** The patient's MedicationRequests that were given, identified, started before the service date; not the draft orders. */
export function therapyEpisodes(chart: GatheredChart, catalog: Catalog, serviceDate: string): TherapyEpisode[] {
  return readHistory(chart, catalog, serviceDate).episodes;
}

export function therapyHistory(chart: GatheredChart, catalog: Catalog, serviceDate: string): TherapyHistory {
  return { ...readHistory(chart, catalog, serviceDate), active: activeOnServiceDate(chart, catalog, serviceDate) };
}

/** curative: (neo)adjuvant, before the first metastatic evidence; advanced: from it on (or no staging split in the chart) */
export type TherapySetting = 'curative' | 'advanced';

export interface TherapyLine {
  start: string;
  /** last administration of any of its drugs */
  end: string;
  drugs: string[];
  episodes: TherapyEpisode[];
  setting: TherapySetting;
  /** the first progression on the line or within 60 days of its last administration */
  endedBy?: Progression;
}

export interface LineContext {
  /** documented progressions (worsened disease status) */
  progressions: Progression[];
  /** date of the first metastatic evidence: therapy started before it was curative-intent */
  advancedFrom?: string;
}

/** Index of the first progression dated after `date` (progressions sorted by date). */
function firstAfter(sorted: Progression[], date: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as Progression).date <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Antineoplastic episodes grouped the way a clinical reviewer reads them (conventions, "prior therapy and line of
 * therapy"): a drug joins the current line when it is already part of it (a new cycle's order) or starts while the
 * line runs or within 28 days of its last administration (drugs started together; a drug added to a running regimen;
 * a planned sequence), unless a progression was documented since the line started: then it is a new line, even with
 * the same drugs (retreatment). Curative-intent therapy (before `advancedFrom`) is one course, never merged with
 * advanced therapy. Corticosteroids and other non-antineoplastics never open or join a line (premedication, supportive
 * care). Cost: one pass over the episodes, a binary search per episode.
 */
export function groupIntoLines(episodes: TherapyEpisode[], context: LineContext = { progressions: [] }): TherapyLine[] {
  const progressions = [...context.progressions].sort((a, b) => a.date.localeCompare(b.date));
  const lines: TherapyLine[] = [];
  for (const episode of episodes.filter((e) => e.classes.includes('antineoplastic'))) {
    const setting: TherapySetting = context.advancedFrom !== undefined && episode.start < context.advancedFrom ? 'curative' : 'advanced';
    const current = lines[lines.length - 1];
    const next = current === undefined ? undefined : progressions[firstAfter(progressions, current.start)];
    const progressedSince = next !== undefined && next.date <= episode.start;
    const joins =
      current !== undefined &&
      current.setting === setting &&
      (setting === 'curative' || (!progressedSince && (current.drugs.includes(episode.drug) || episode.start <= addDays(current.end, LINE_WINDOW_DAYS))));
    if (current !== undefined && joins) {
      if (!current.drugs.includes(episode.drug)) current.drugs.push(episode.drug);
      current.episodes.push(episode);
      if (episode.end > current.end) current.end = episode.end;
    } else {
      lines.push({ start: episode.start, end: episode.end, drugs: [episode.drug], episodes: [episode], setting });
    }
  }
  for (const line of lines) {
    const next = progressions[firstAfter(progressions, addDays(line.start, -1))];
    if (next !== undefined && next.date <= addDays(line.end, REFRACTORY_WINDOW_DAYS)) line.endedBy = next;
  }
  return lines;
}

/** Relapse within this many calendar months of the end of curative-intent therapy counts that therapy as a line (policy readings). */
export const EARLY_RELAPSE_MONTHS = 12;

/** The lines that count for the order: advanced-setting lines, plus the curative course when relapse came early after it. */
export function countedLines(lines: TherapyLine[], advancedFrom: string | undefined): { counted: TherapyLine[]; notCounted: TherapyLine[] } {
  const counted: TherapyLine[] = [];
  const notCounted: TherapyLine[] = [];
  for (const line of lines) {
    const early = advancedFrom !== undefined && daysBetween(line.end, advancedFrom) <= calendarMonthsInDays(EARLY_RELAPSE_MONTHS);
    (line.setting === 'advanced' || early ? counted : notCounted).push(line);
  }
  return { counted, notCounted };
}

/** Active MedicationRequests whose period covers the service date (draft orders excluded). */
export function activeOnServiceDate(chart: GatheredChart, catalog: Catalog, serviceDate: string): TherapyEpisode[] {
  const draftIds = new Set(chart.draftOrders.map((d) => d.id).filter((id) => id !== undefined));
  return chart.medicationRequests.flatMap((request): TherapyEpisode[] => {
    if (request.status !== 'active' || (request.id !== undefined && draftIds.has(request.id))) return [];
    const start = requestStart(request);
    if (start !== undefined && start > serviceDate) return [];
    const bounds = firstOfDosages(request, (d) => d.timing?.repeat?.boundsPeriod?.end);
    const end = datePart(bounds ?? request.dispenseRequest?.validityPeriod?.end);
    if (end !== undefined && end.length === 10 && end < serviceDate) return [];
    const { drug } = identifyOrderedDrug(request, chart, catalog);
    if (drug === null) return [];
    return [new Episode(request, drug, classesOf(drug, catalog), start ?? serviceDate, end ?? serviceDate, { date: start, text: 'active', on: serviceDate })];
  });
}

/**
 * Look-ups over lines (in start order) by binary search, so reading a long history stays linear-logarithmic:
 * `during` = some line started on or before the date and ran (plus 28 days) to it; `startsNear` = some line started
 * within 28 days of it.
 */
function lineIndex(lines: TherapyLine[]): { during: (date: string) => boolean; startsNear: (date: string) => boolean } {
  const reach: string[] = [];
  for (const line of lines) {
    const r = addDays(line.end, LINE_WINDOW_DAYS);
    const before = reach[reach.length - 1];
    reach.push(before !== undefined && before > r ? before : r);
  }
  const startedBy = (date: string): number => {
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((lines[mid] as TherapyLine).start <= date) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    during: (date) => {
      const n = startedBy(date);
      return n > 0 && (reach[n - 1] as string) >= date;
    },
    startsNear: (date) => {
      const n = startedBy(date);
      const before = lines[n - 1];
      const after = lines[n];
      return (before !== undefined && daysBetween(before.start, date) <= LINE_WINDOW_DAYS) || (after !== undefined && daysBetween(date, after.start) <= LINE_WINDOW_DAYS);
    },
  };
}

/** The date of the first dated metastatic evidence, when the chart documents metastatic disease. */
export function advancedSettingFrom(metastatic: Fact<boolean>): string | undefined {
  if (metastatic.value !== true) return undefined;
  const dates = metastatic.evidence.map((e) => e.date).filter((d): d is string => d !== undefined && d.length >= 10);
  return dates.length === 0 ? undefined : dates.map((d) => d.slice(0, 10)).sort()[0];
}

function lineText(line: TherapyLine, n: number | null): string {
  const name = n === null ? `Curative-intent (neo)adjuvant therapy` : `Line ${n}`;
  const ended = line.endedBy === undefined ? '' : `; progression ${line.endedBy.date} (${line.endedBy.reference}) ended it`;
  return `${name} ${line.start} to ${line.end}: ${line.drugs.join(', ')}${ended}`;
}

export function therapyFacts(history: TherapyHistory, chart: GatheredChart, serviceDate: string, context: LineContext = { progressions: [] }): Omit<ClinicalFacts['therapy'], 'refractoryTo' | 'priorRegimens' | 'inductionRegimen' | 'inductionToRelapseMonths'> {
  const { episodes, active, unrecognised } = history;
  const gap = unavailableReason(chart, 'medicationRequests');
  const lines = groupIntoLines(episodes, context);
  const { counted, notCounted } = countedLines(lines, context.advancedFrom);
  const lineCites = counted.map((line, i) => ({
    ...(line.episodes[0]?.cite ?? evidence('MedicationRequest/unknown', line.start, '')),
    text: lineText(line, i + 1) + (line.setting === 'curative' ? `; relapse ${context.advancedFrom ?? ''} within ${EARLY_RELAPSE_MONTHS} months of it counts it as a line` : ''),
    supports: line.drugs,
  }));
  const notCountedCites = notCounted.map((line) => ({
    ...(line.episodes[0]?.cite ?? evidence('MedicationRequest/unknown', line.start, '')),
    text: `${lineText(line, null)}: before the first metastatic evidence (${context.advancedFrom ?? ''}), not a line for advanced disease`,
    supports: line.drugs,
  }));
  // a medication the catalog does not know is named; it can change the count when it started outside every line
  const index = lineIndex(lines);
  const covered = (m: UnrecognisedMedication) => index.during(m.start);
  const unrecognisedCites = unrecognised.map((m) =>
    evidence(m.reference, m.start, `${m.name} started ${m.start}: not recognised by the drug catalog${covered(m) ? ' (started during a line, cannot open one)' : '; it may be a line of therapy'}`),
  );
  const uncounted = unrecognised.filter((m) => !covered(m) && (context.advancedFrom === undefined || m.start >= context.advancedFrom));
  const lineDrugs = new Set(lines.flatMap((l) => l.drugs));
  // drugs given alongside a line (its steroid backbone) count as prior drugs too, so "lenalidomide and dexamethasone" reads whole
  const priorEpisodes = episodes.filter((e) => lineDrugs.has(e.drug) || index.startsNear(e.start));
  const priorDrugs = unique(priorEpisodes.map((e) => e.drug));
  const priorClasses = unique(priorEpisodes.flatMap((e) => e.classes));
  // with the history unreadable, "none found" is unknown; with it read, none found is a known zero / empty list
  const none = evidence(`Patient/${chart.patientId}`, serviceDate, `No matching medication history before ${serviceDate}`);
  const fact = <T>(value: T, cites: Evidence[]): Fact<T> =>
    cites.length > 0 ? known(value, cites) : gap !== undefined ? { value: null, evidence: [], unknownReason: gap } : known(value, [none]);
  const countCites = [...lineCites, ...notCountedCites, ...unrecognisedCites];
  const priorLines: Fact<number> =
    uncounted.length > 0 && gap === undefined
      ? unknown(`Prior lines not documented: ${uncounted.map((m) => `${m.name} (${m.start})`).join(', ')} not recognised by the drug catalog and may be another line`, countCites)
      : lineCites.length > 0
        ? known(counted.length, countCites)
        : fact(0, countCites);
  return {
    priorLines,
    lineOfTherapy: priorLines.value === null ? priorLines : known(priorLines.value + 1, priorLines.evidence),
    priorDrugs: fact(priorDrugs, priorEpisodes.map((e) => e.cite)),
    priorDrugClasses: fact(priorClasses, priorEpisodes.map((e) => ({ ...e.cite, supports: e.classes }))),
    activeMedications: fact(unique(active.map((a) => a.drug)), active.map((a) => a.cite)),
  };
}
