/** Medication history: prior lines of antineoplastic therapy, prior drugs, active medications on the service date. */
import type { MedicationRequest } from 'fhir/r4.js';
import { classesOf, identifyOrderedDrug, ingredientsOf, resolveMedicationConcept } from '../catalog/drugs.js';
import type { Catalog } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence, Fact, LastTherapyFacts } from './types.js';
import { addDays, datePart, daysBetween } from './dates.js';
import { evidence, known, unavailableReason, unique, unknown } from './fact.js';
import { firstOfDosages, relativeReference } from './fhir.js';
import { calendarMonthsInDays } from './durations.js';
import { REFRACTORY_WINDOW_DAYS, type Progression } from './refractory.js';
import { AdministrationIndex, administrationName, datingFromAdministrations, datingFromRequest, episodeEnding, type Administration, type EpisodeDating, type EpisodeEnding } from './episodes.js';
import { partitionPoint } from './sorted.js';

/** A drug started within 28 days of a line's last administration (no progression between) continues that line. */
export const LINE_WINDOW_DAYS = 28;

/**
 * A drug of the line given again within this many days of the line's last administration resumes it (a planned break:
 * transplant then maintenance, a pause for toxicity); after a longer time off therapy it is retreatment, a new line
 * (IMWG: "a planned period of observation off therapy interrupted by a need for additional treatment").
 */
export const LINE_RESUME_DAYS = 180;

/**
 * Statuses that mean the drug was (or is being) given; drafts, cancellations and errors were not. An order on hold (a
 * pause for toxicity, a transplant) was given before the hold: it is history, though not active on the service date.
 */
const GIVEN_STATUSES = new Set(['active', 'completed', 'stopped', 'on-hold']);

export interface TherapyEpisode {
  /** the order; absent for an episode charted only as administrations (an in-clinic infusion with no order on file) */
  request?: MedicationRequest;
  /** the order, else the first administration, as a relative reference */
  reference: string;
  drug: string;
  classes: string[];
  start: string;
  /** last day the drug was given or planned, never after the service date for the active ones */
  end: string;
  /** where start and end came from (administrations, dosage period, validity period, supply), said in the evidence */
  dating: EpisodeDating;
  /** what ended it, when its order says (intolerance, completion); progression is read from the disease status */
  ending?: EpisodeEnding;
  cite: Evidence;
}

/**
 * An episode whose evidence is spelled only when a fact cites it: a long history is read whole (to group lines), but
 * few of its entries end up cited.
 */
class Episode implements TherapyEpisode {
  #cite: Evidence | undefined;
  readonly start: string;
  readonly end: string;
  constructor(
    readonly reference: string,
    readonly request: MedicationRequest | undefined,
    readonly drug: string,
    readonly classes: string[],
    readonly dating: EpisodeDating,
    readonly ending: EpisodeEnding | undefined,
    private readonly activeOn?: string,
  ) {
    this.start = dating.start;
    this.end = dating.end;
  }

  get cite(): Evidence {
    this.#cite ??= evidence(this.reference, this.start, this.activeOn !== undefined ? `${this.drug} active on ${this.activeOn}` : episodeText(this), [this.drug]);
    return this.#cite;
  }
}

/** "paclitaxel given 2025-02-03 to 2025-06-30 (18 administrations); order stopped: intolerance (statusReason sintol …)" */
function episodeText(e: Pick<TherapyEpisode, 'drug' | 'dating' | 'request' | 'ending'>): string {
  const order = e.request === undefined ? 'no order on file' : `order ${e.request.status}`;
  // "order completed" already says a completion read from the status
  const ended = e.ending === undefined || e.ending.detail.startsWith('status ') ? '' : `: ${e.ending.reason === 'intolerance' ? 'stopped for intolerance' : 'completed'} (${e.ending.detail})`;
  return `${e.drug} ${e.dating.text}; ${order}${ended}`;
}

/** When the order starts: the dosing period, else the dispense validity, else when it was written. */
export function requestStart(request: MedicationRequest): string | undefined {
  const bounds = firstOfDosages(request, (d) => d.timing?.repeat?.boundsPeriod?.start);
  return datePart(bounds ?? request.dispenseRequest?.validityPeriod?.start ?? request.authoredOn);
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
  /** the chart's administrations, indexed (cycles from history read them per drug) */
  administrations: AdministrationIndex;
}

function medicationName(request: MedicationRequest, chart: GatheredChart): string {
  const concept = resolveMedicationConcept(request, chart);
  return concept?.text ?? concept?.coding?.find((c) => c.display !== undefined)?.display ?? concept?.coding?.[0]?.code ?? 'a medication without a name';
}

/**
 * Administrations no order accounts for, as episodes: per drug, consecutive administrations no more than 28 days
 * apart are one episode (an in-clinic regimen charted only as administrations).
 */
function administrationEpisodes(given: readonly Administration[], chart: GatheredChart, catalog: Catalog): { episodes: TherapyEpisode[]; unrecognised: UnrecognisedMedication[] } {
  const runs = new Map<string, Array<{ end: string; given: Administration[] }>>();
  for (const a of given) {
    const key = a.drug ?? `?${administrationName(a, chart)}`;
    let list = runs.get(key);
    if (list === undefined) runs.set(key, (list = []));
    const last = list[list.length - 1];
    if (last !== undefined && a.start <= addDays(last.end, LINE_WINDOW_DAYS)) {
      last.given.push(a);
      if (a.end > last.end) last.end = a.end;
    } else list.push({ end: a.end, given: [a] });
  }
  const episodes: TherapyEpisode[] = [];
  const unrecognised: UnrecognisedMedication[] = [];
  for (const { given: run } of [...runs.values()].flat()) {
    const first = run[0] as Administration;
    const dating = datingFromAdministrations(run) as EpisodeDating;
    if (first.drug === null) unrecognised.push({ reference: first.reference, name: administrationName(first, chart), start: dating.start, end: dating.end });
    else for (const drug of ingredientsOf(first.drug, catalog)) episodes.push(new Episode(first.reference, undefined, drug, classesOf(drug, catalog), dating, undefined));
  }
  return { episodes, unrecognised };
}

/**
 * One pass over the MedicationRequests: each dated by its administrations when the chart has them, else by its own
 * periods; identified episodes (oldest first) and the ones the catalog does not know; then the administrations no
 * order accounts for.
 */
function readHistory(chart: GatheredChart, catalog: Catalog, serviceDate: string): Omit<TherapyHistory, 'active'> {
  const draftIds = new Set(chart.draftOrders.map((d) => d.id).filter((id) => id !== undefined));
  const administrations = new AdministrationIndex(chart, catalog, serviceDate);
  const episodes: TherapyEpisode[] = [];
  const unrecognised: UnrecognisedMedication[] = [];
  for (const request of chart.medicationRequests) {
    if (!GIVEN_STATUSES.has(request.status) || (request.id !== undefined && draftIds.has(request.id))) continue;
    const own = datingFromRequest(request, serviceDate);
    if (own === undefined || own.start >= serviceDate) continue;
    const { drug } = identifyOrderedDrug(request, chart, catalog);
    const given = administrations.size === 0 ? [] : administrations.forRequest(request, drug, own.start, own.end);
    const dating = datingFromAdministrations(given) ?? own;
    if (drug === null) {
      unrecognised.push({ reference: relativeReference(request), name: medicationName(request, chart), start: dating.start, end: dating.end });
      continue;
    }
    const reference = relativeReference(request);
    const ending = episodeEnding(request, catalog, reference);
    // a combination product (Phesgo) is each of its ingredients given
    for (const given of ingredientsOf(drug, catalog)) episodes.push(new Episode(reference, request, given, classesOf(given, catalog), dating, ending));
  }
  if (administrations.size > 0) {
    const loose = administrationEpisodes(administrations.unclaimed(), chart, catalog);
    episodes.push(...loose.episodes);
    unrecognised.push(...loose.unrecognised);
  }
  return { episodes: episodes.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)), unrecognised, administrations };
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
  /** what ended the line, when the chart says: progression (endedBy), else intolerance, else completion */
  ended?: LineEnding;
}

/** What ended a line: a progression on it (or within 60 days), a drug stopped for intolerance, or the course completed. */
export interface LineEnding {
  reason: 'progression' | 'intolerance' | 'completion';
  /** the disease status or the order that says so */
  reference: string;
  /** when: the progression's date, or the last administration of the episode that ended */
  date: string;
  /** "statusReason sintol (suspected intolerance)", "status completed", "disease status worsened" */
  detail: string;
}

export interface LineContext {
  /** documented progressions (worsened disease status) */
  progressions: Progression[];
  /** date of the first metastatic evidence: therapy started before it was curative-intent */
  advancedFrom?: string;
  /** the policy's reading of which lines count (default: advanced setting, 12-month early relapse) */
  lineCounting?: LineCounting;
}

/** Index of the first progression dated after `date` (progressions sorted by date). */
function firstAfter(sorted: Progression[], date: string): number {
  return partitionPoint(sorted, (p) => p.date <= date);
}

/** A line being built: its earliest stop for intolerance, so a drug started after it opens a new line. */
interface OpenLine extends TherapyLine {
  intoleranceStop?: string;
  /** the episodes whose last day is the line's end (the drugs given last) */
  lastGiven: TherapyEpisode[];
}

/**
 * The line's regimen was discontinued, not completed: every drug of it had ended before `date`, and one given last was
 * stopped (status stopped) for no reason read as completion. Other drugs started then replace the regimen (THP stopped,
 * then fam-trastuzumab deruxtecan): a new line, even with no progression charted. A completed course followed by the
 * next drugs (AC, then paclitaxel) stays a planned sequence.
 */
function discontinuedBefore(line: OpenLine, date: string): boolean {
  return line.end < date && line.lastGiven.some((e) => e.request?.status === 'stopped' && e.ending?.reason !== 'completion');
}

/**
 * One of the line's drugs is ordered again within 28 days of episode `i` (sorted by start): the line goes on, whatever
 * the status of its previous cycle's orders (EHRs that mark each cycle's order stopped when the next replaces it).
 */
function lineGoesOn(sorted: readonly TherapyEpisode[], i: number, line: OpenLine): boolean {
  const until = addDays((sorted[i] as TherapyEpisode).start, LINE_WINDOW_DAYS);
  for (let j = i + 1; j < sorted.length && (sorted[j] as TherapyEpisode).start <= until; j += 1) if (line.drugs.includes((sorted[j] as TherapyEpisode).drug)) return true;
  return false;
}

/**
 * Antineoplastic episodes grouped the way a clinical reviewer reads them (conventions, "prior therapy and line of
 * therapy"): a drug joins the current line when it is already part of it (a new cycle's order) or starts while the
 * line runs or within 28 days of its last administration (drugs started together; a drug added to a running regimen;
 * a planned sequence), unless a progression was documented since the line started (retreatment, even with the same
 * drugs) or one of the line's drugs was stopped for intolerance before it started (a regimen changed for toxicity,
 * IMWG), or the line was stopped (not completed) and is replaced by other drugs, or a drug of it comes back after more
 * than 180 days off therapy (retreatment after observation, IMWG): then it is a new line. A completed drug followed
 * by the next of a planned sequence (AC, then paclitaxel) still joins. Curative-intent therapy (before `advancedFrom`) is one course, never merged with advanced therapy.
 * Corticosteroids and other non-antineoplastics never open or join a line (premedication, supportive care).
 * Cost: one pass over the episodes, a binary search per episode (and, for a stopped line, a look 28 days ahead).
 */
export function groupIntoLines(episodes: TherapyEpisode[], context: LineContext = { progressions: [] }): TherapyLine[] {
  const progressions = [...context.progressions].sort((a, b) => a.date.localeCompare(b.date));
  const lines: OpenLine[] = [];
  const antineoplastic = episodes.filter((e) => e.classes.includes('antineoplastic'));
  for (let i = 0; i < antineoplastic.length; i += 1) {
    const episode = antineoplastic[i] as TherapyEpisode;
    const setting: TherapySetting = context.advancedFrom !== undefined && episode.start < context.advancedFrom ? 'curative' : 'advanced';
    const current = lines[lines.length - 1];
    const next = current === undefined ? undefined : progressions[firstAfter(progressions, current.start)];
    const progressedSince = next !== undefined && next.date <= episode.start;
    const known = current?.drugs.includes(episode.drug) === true;
    const afterIntolerance = current?.intoleranceStop !== undefined && !known && episode.start >= current.intoleranceStop;
    const replaces = current !== undefined && !known && discontinuedBefore(current, episode.start) && !lineGoesOn(antineoplastic, i, current);
    const continues = current !== undefined && episode.start <= addDays(current.end, known ? LINE_RESUME_DAYS : LINE_WINDOW_DAYS);
    const joins =
      current !== undefined &&
      current.setting === setting &&
      (setting === 'curative' || (!progressedSince && !afterIntolerance && !replaces && continues));
    let line: OpenLine;
    if (current !== undefined && joins) {
      line = current;
      if (!known) line.drugs.push(episode.drug);
      line.episodes.push(episode);
      if (episode.end > line.end) {
        line.end = episode.end;
        line.lastGiven = [episode];
      } else if (episode.end === line.end) line.lastGiven.push(episode);
    } else {
      line = { start: episode.start, end: episode.end, drugs: [episode.drug], episodes: [episode], setting, lastGiven: [episode] };
      lines.push(line);
    }
    if (episode.ending?.reason === 'intolerance' && (line.intoleranceStop === undefined || episode.end < line.intoleranceStop)) line.intoleranceStop = episode.end;
  }
  return lines.map(({ intoleranceStop: _stop, lastGiven: _last, ...line }) => {
    const next = progressions[firstAfter(progressions, addDays(line.start, -1))];
    if (next !== undefined && next.date <= addDays(line.end, REFRACTORY_WINDOW_DAYS)) line.endedBy = next;
    const ended = lineEnding(line);
    return ended === undefined ? line : { ...line, ended };
  });
}

/**
 * What ended the line, when the chart says: a progression on it or within 60 days; else the latest of its drugs
 * stopped for intolerance; else completion when every order of it is completed (a planned course given in full).
 */
function lineEnding(line: TherapyLine): LineEnding | undefined {
  if (line.endedBy !== undefined) return { reason: 'progression', reference: line.endedBy.reference, date: line.endedBy.date, detail: 'disease status worsened' };
  let intolerance: TherapyEpisode | undefined;
  for (const e of line.episodes) if (e.ending?.reason === 'intolerance' && (intolerance === undefined || e.end >= intolerance.end)) intolerance = e;
  if (intolerance?.ending !== undefined) return { reason: 'intolerance', reference: intolerance.ending.reference, date: intolerance.end, detail: `${intolerance.drug} stopped, ${intolerance.ending.detail}` };
  const ordered = line.episodes.filter((e) => e.request !== undefined);
  const last = line.episodes.reduce<TherapyEpisode | undefined>((m, e) => (m === undefined || e.end >= m.end ? e : m), undefined);
  if (ordered.length > 0 && ordered.every((e) => e.ending?.reason === 'completion') && last?.ending !== undefined) {
    return { reason: 'completion', reference: last.ending.reference, date: line.end, detail: last.ending.detail };
  }
  return undefined;
}

/** Relapse within this many calendar months of the end of curative-intent therapy counts that therapy as a line (default reading). */
export const EARLY_RELAPSE_MONTHS = 12;

/**
 * How a policy counts prior lines (policy-level `lineCounting`, written in the policy file and its clause table):
 * `advanced` = lines for advanced disease, plus the curative-intent course when relapse (the first metastatic
 * evidence) came within `earlyRelapseMonths` calendar months of its last administration; `any` = every line,
 * whatever its setting (a disease with no curative/advanced split, such as myeloma).
 */
export interface LineCounting {
  setting: 'advanced' | 'any';
  earlyRelapseMonths: number;
}

/** Today's reading when a policy states none. */
export const DEFAULT_LINE_COUNTING: Readonly<LineCounting> = Object.freeze({ setting: 'advanced', earlyRelapseMonths: EARLY_RELAPSE_MONTHS });

/** The lines that count for the order under the policy's reading. */
export function countedLines(
  lines: TherapyLine[],
  advancedFrom: string | undefined,
  reading: LineCounting = DEFAULT_LINE_COUNTING,
): { counted: TherapyLine[]; notCounted: TherapyLine[] } {
  const counted: TherapyLine[] = [];
  const notCounted: TherapyLine[] = [];
  for (const line of lines) {
    const early = advancedFrom !== undefined && daysBetween(line.end, advancedFrom) <= calendarMonthsInDays(reading.earlyRelapseMonths);
    (reading.setting === 'any' || line.setting === 'advanced' || early ? counted : notCounted).push(line);
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
    const from = start ?? serviceDate;
    const to = end ?? serviceDate;
    const dating: EpisodeDating = { start: from, end: to, source: 'written', activeTo: serviceDate, text: `active on ${serviceDate}` };
    return ingredientsOf(drug, catalog).map((given) => new Episode(relativeReference(request), request, given, classesOf(given, catalog), dating, undefined, serviceDate));
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
  const startedBy = (date: string): number => partitionPoint(lines, (line) => line.start <= date);
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

/** What ended the line, in words: "; progression 2026-03-05 (Observation/prog) ended it". */
function endedText(line: TherapyLine): string {
  const ended = line.ended;
  if (ended === undefined) return '';
  if (ended.reason === 'progression') return `; progression ${ended.date} (${ended.reference}) ended it`;
  if (ended.reason === 'intolerance') return `; ended by intolerance (${ended.reference}: ${ended.detail})`;
  return `; course completed (${ended.reference}: ${ended.detail})`;
}

function lineText(line: TherapyLine, n: number | null): string {
  const name = n === null ? `Curative-intent (neo)adjuvant therapy` : `Line ${n}`;
  return `${name} ${line.start} to ${line.end}: ${line.drugs.join(', ')}${endedText(line)}`;
}

/** Why a counted line counts, or an uncounted one does not, under the policy's reading. */
function readingText(line: TherapyLine, counted: boolean, advancedFrom: string | undefined, reading: LineCounting): string {
  if (line.setting !== 'curative') return '';
  if (!counted) return `; before the first metastatic evidence (${advancedFrom ?? ''}), not a line for advanced disease`;
  if (reading.setting === 'any') return '; curative-intent (neo)adjuvant, counted: the policy counts lines in any setting';
  return `; relapse ${advancedFrom ?? ''} within ${reading.earlyRelapseMonths} months of it counts it as a line`;
}

/**
 * The most recent line: the one started last (lines follow each other: a new line replaces the one before, whose order
 * may still be left active in the chart), ties to the later last administration.
 */
function mostRecent(lines: readonly TherapyLine[]): TherapyLine | undefined {
  let last: TherapyLine | undefined;
  for (const line of lines) if (last === undefined || line.start > last.start || (line.start === last.start && line.end >= last.end)) last = line;
  return last;
}

/**
 * "Last therapy": the most recent line, dated by its last administration, with what ended it. The evidence names the
 * line's drugs, dates and their source. `progressionWithin60Days` is the one definition of "progression within 60 days
 * of the last therapy" (002 §I.A.5.b).
 */
export function lastTherapyFacts(lines: readonly TherapyLine[], chart: GatheredChart, context: LineContext, statusGap: string | undefined): LastTherapyFacts {
  const gap = unavailableReason(chart, 'medicationRequests');
  const last = mostRecent(lines);
  if (last === undefined) {
    const why = gap ?? 'No prior line of systemic therapy documented';
    const none: Fact<never> = unknown(why);
    const progression: Fact<boolean> = context.progressions.length === 0 ? unknown(statusGap ?? 'Progression not documented') : unknown(gap ?? 'Prior systemic therapy not documented');
    return { drugs: none, start: none, end: none, endedBy: none, progressionWithin60Days: progression };
  }
  const lastEpisode = last.episodes.reduce((m, e) => (e.end >= m.end ? e : m));
  const dated = lastEpisode.dating.source === 'administrations' ? `its last administration ${last.end} (${lastEpisode.drug} ${lastEpisode.dating.text})` : `${last.end} (${lastEpisode.drug} ${lastEpisode.dating.text})`;
  const base = last.episodes[0]?.cite ?? evidence('MedicationRequest/unknown', last.start, '');
  const cite = (supports: string[]): Evidence => ({
    ...base,
    date: last.end,
    text: `Last therapy (${last.setting === 'curative' ? 'curative-intent' : 'advanced setting'}): ${last.drugs.join(', ')} from ${last.start}, dated by ${dated}${endedText(last)}`,
    supports,
  });
  const endedBy: Fact<'progression' | 'intolerance' | 'completion'> =
    last.ended !== undefined
      ? known(last.ended.reason, [cite([last.ended.reason]), evidence(last.ended.reference, last.ended.date, last.ended.detail, [last.ended.reason])])
      : unknown('What ended the last therapy is not documented (no progression, intolerance or completion on file; it may still be running)', [cite([])]);
  let progressionWithin60Days: Fact<boolean>;
  if (context.progressions.length === 0) progressionWithin60Days = unknown(statusGap ?? 'Progression not documented', [cite([])]);
  else if (last.endedBy !== undefined) {
    progressionWithin60Days = known(true, [evidence(last.endedBy.reference, last.endedBy.date, `Progression ${last.endedBy.date}, on the last therapy or within ${REFRACTORY_WINDOW_DAYS} days of its last administration`, ['true']), cite(['true'])]);
  } else {
    const latest = [...context.progressions].sort((a, b) => b.date.localeCompare(a.date))[0] as Progression;
    progressionWithin60Days = known(false, [
      evidence(latest.reference, latest.date, `Latest progression ${latest.date}: not on the last therapy nor within ${REFRACTORY_WINDOW_DAYS} days of its last administration (${last.end})`, ['false']),
      cite(['false']),
    ]);
  }
  return {
    drugs: known([...last.drugs], [cite(last.drugs)]),
    start: known(last.start, [cite([last.start])]),
    end: known(last.end, [cite([last.end])]),
    endedBy,
    progressionWithin60Days,
  };
}

/**
 * The counted line still running on the service date (its last administration or planned end on or after it) with
 * no progression, intolerance or completion since it started: the draft order joins it.
 */
export function runningLine(counted: readonly TherapyLine[], progressions: readonly Progression[], serviceDate: string): TherapyLine | undefined {
  const last = counted[counted.length - 1];
  if (last === undefined || last.end < serviceDate || last.ended !== undefined) return undefined;
  return progressions.some((p) => p.date >= last.start && p.date <= serviceDate) ? undefined : last;
}

export function therapyFacts(
  history: TherapyHistory,
  chart: GatheredChart,
  serviceDate: string,
  context: LineContext = { progressions: [] },
  statusGap?: string,
  lines: TherapyLine[] = groupIntoLines(history.episodes, context),
): Omit<ClinicalFacts['therapy'], 'refractoryTo' | 'priorRegimens' | 'inductionRegimen' | 'inductionToRelapseMonths'> {
  const { episodes, active, unrecognised } = history;
  const reading = context.lineCounting ?? DEFAULT_LINE_COUNTING;
  const gap = unavailableReason(chart, 'medicationRequests');
  const { counted: countedAll, notCounted } = countedLines(lines, context.advancedFrom, reading);
  // the line still running on the service date, with no progression since it started, is the order's own line (a drug
  // added to a running regimen joins it): not a prior line, and its drugs are partners, not prior therapy
  const running = runningLine(countedAll, context.progressions, serviceDate);
  const counted = countedAll.filter((line) => line !== running);
  const lineCites = countedAll.map((line, i) => ({
    ...(line.episodes[0]?.cite ?? evidence('MedicationRequest/unknown', line.start, '')),
    text:
      lineText(line, i + 1) +
      (line === running ? `; running on ${serviceDate} with no progression since it started: the order joins it, so it is the order's line, not a prior one` : readingText(line, true, context.advancedFrom, reading)),
    supports: line === running ? [] : line.drugs,
  }));
  const notCountedCites = notCounted.map((line) => ({
    ...(line.episodes[0]?.cite ?? evidence('MedicationRequest/unknown', line.start, '')),
    text: lineText(line, null) + readingText(line, false, context.advancedFrom, reading),
    supports: line.drugs,
  }));
  // a medication the catalog does not know is named; it can change the count when it started outside every line
  const index = lineIndex(lines);
  const covered = (m: UnrecognisedMedication) => index.during(m.start);
  const unrecognisedCites = unrecognised.map((m) =>
    evidence(m.reference, m.start, `${m.name} started ${m.start}: not recognised by the drug catalog${covered(m) ? ' (started during a line, cannot open one)' : '; it may be a line of therapy'}`),
  );
  const uncounted = unrecognised.filter((m) => !covered(m) && (context.advancedFrom === undefined || m.start >= context.advancedFrom));
  const priorLineList = running === undefined ? lines : lines.filter((line) => line !== running);
  const lineDrugs = new Set(priorLineList.flatMap((l) => l.drugs));
  const priorIndex = running === undefined ? index : lineIndex(priorLineList);
  // drugs given alongside a line (its steroid backbone) count as prior drugs too, so "lenalidomide and dexamethasone" reads whole
  const runningEpisodes = new Set(running?.episodes);
  const priorEpisodes = episodes.filter((e) => !runningEpisodes.has(e) && (lineDrugs.has(e.drug) || priorIndex.startsNear(e.start)));
  const priorDrugs = unique(priorEpisodes.map((e) => e.drug));
  const priorClasses = unique(priorEpisodes.flatMap((e) => e.classes));
  // with the history unreadable, "none found" is unknown; with it read, none found is a known zero / empty list
  const none = evidence(`Patient/${chart.patientId}`, serviceDate, `No matching medication history before ${serviceDate}`);
  const fact = <T>(value: T, cites: Evidence[], noneFound: Evidence = none): Fact<T> =>
    cites.length > 0 ? known(value, cites) : gap !== undefined ? { value: null, evidence: [], unknownReason: gap } : known(value, [noneFound]);
  // "not currently receiving": what is active on the service date, not the history before it
  const noneActive = evidence(`Patient/${chart.patientId}`, serviceDate, `No active medication order on ${serviceDate}`);
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
    activeMedications: fact(unique(active.map((a) => a.drug)), active.map((a) => a.cite), noneActive),
    // the last therapy before the order: the running line the order joins is the order's own, not its last therapy
    lastTherapy: lastTherapyFacts(priorLineList, chart, context, statusGap),
  };
}
