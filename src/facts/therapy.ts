/** Medication history: prior lines of antineoplastic therapy, prior drugs, active medications on the service date. */
import type { MedicationRequest } from 'fhir/r4.js';
import { classesOf, identifyOrderedDrug } from '../catalog/drugs.js';
import type { Catalog } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence, Fact } from './types.js';
import { addDays, datePart, daysBetween } from './dates.js';
import { evidence, known, unavailableReason, unique } from './fact.js';
import { firstOfDosages, relativeReference } from './fhir.js';
import { durationDays } from './durations.js';

/** Drugs started within 28 days of a line's first drug belong to that line (conventions, "prior therapy"). */
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

/** The patient's MedicationRequests that were given, identified, started before the service date; not the draft orders. */
export function therapyEpisodes(chart: GatheredChart, catalog: Catalog, serviceDate: string): TherapyEpisode[] {
  const draftIds = new Set(chart.draftOrders.map((d) => d.id).filter((id) => id !== undefined));
  const episodes = chart.medicationRequests.flatMap((request): TherapyEpisode[] => {
    if (!GIVEN_STATUSES.has(request.status) || (request.id !== undefined && draftIds.has(request.id))) return [];
    const start = requestStart(request);
    if (start === undefined || start.length !== 10 || start >= serviceDate) return [];
    const { drug } = identifyOrderedDrug(request, chart, catalog);
    if (drug === null) return [];
    const end = requestEnd(request, start, serviceDate);
    return [new Episode(request, drug, classesOf(drug, catalog), start, end < start ? start : end, { date: start, text: 'started' })];
  });
  return episodes.sort((a, b) => a.start.localeCompare(b.start));
}

export interface TherapyLine {
  start: string;
  drugs: string[];
  episodes: TherapyEpisode[];
}

/**
 * Antineoplastic episodes grouped into lines: a drug joins the current line when it started within 28 days of the
 * line's first drug or is already part of it (a new cycle's order); otherwise it opens a new line.
 * Corticosteroids and other non-antineoplastics never open a line.
 */
export function groupIntoLines(episodes: TherapyEpisode[]): TherapyLine[] {
  const lines: TherapyLine[] = [];
  for (const episode of episodes.filter((e) => e.classes.includes('antineoplastic'))) {
    const current = lines[lines.length - 1];
    if (current !== undefined && (current.drugs.includes(episode.drug) || daysBetween(current.start, episode.start) <= LINE_WINDOW_DAYS)) {
      if (!current.drugs.includes(episode.drug)) current.drugs.push(episode.drug);
      current.episodes.push(episode);
    } else {
      lines.push({ start: episode.start, drugs: [episode.drug], episodes: [episode] });
    }
  }
  return lines;
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

export function therapyFacts(chart: GatheredChart, catalog: Catalog, serviceDate: string): { facts: Omit<ClinicalFacts['therapy'], 'refractoryTo'>; episodes: TherapyEpisode[]; active: TherapyEpisode[] } {
  const gap = unavailableReason(chart, 'medicationRequests');
  const episodes = therapyEpisodes(chart, catalog, serviceDate);
  const active = activeOnServiceDate(chart, catalog, serviceDate);
  const lines = groupIntoLines(episodes);
  const lineCites = lines.map((line, i) => ({
    ...(line.episodes[0]?.cite ?? evidence('MedicationRequest/unknown', line.start, '')),
    text: `Line ${i + 1} from ${line.start}: ${line.drugs.join(', ')}`,
    supports: line.drugs,
  }));
  const lineDrugs = new Set(lines.flatMap((l) => l.drugs));
  // drugs given alongside a line (its steroid backbone) count as prior drugs too, so "lenalidomide and dexamethasone" reads whole
  const priorEpisodes = episodes.filter((e) => lineDrugs.has(e.drug) || lines.some((l) => Math.abs(daysBetween(l.start, e.start)) <= LINE_WINDOW_DAYS));
  const priorDrugs = unique(priorEpisodes.map((e) => e.drug));
  const priorClasses = unique(priorEpisodes.flatMap((e) => e.classes));
  // with the history unreadable, "none found" is unknown; with it read, none found is a known zero / empty list
  const none = evidence(`Patient/${chart.patientId}`, serviceDate, `No matching medication history before ${serviceDate}`);
  const fact = <T>(value: T, cites: Evidence[]): Fact<T> =>
    cites.length > 0 ? known(value, cites) : gap !== undefined ? { value: null, evidence: [], unknownReason: gap } : known(value, [none]);
  const priorLines = fact(lines.length, lineCites);
  return {
    episodes,
    active,
    facts: {
      priorLines,
      lineOfTherapy: priorLines.value === null ? priorLines : known(lines.length + 1, priorLines.evidence),
      priorDrugs: fact(priorDrugs, priorEpisodes.map((e) => e.cite)),
      priorDrugClasses: fact(priorClasses, priorEpisodes.map((e) => ({ ...e.cite, supports: e.classes }))),
      activeMedications: fact(unique(active.map((a) => a.drug)), active.map((a) => a.cite)),
    },
  };
}
