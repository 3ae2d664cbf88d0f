/**
 * When each drug ran, and what ended it: the dating and ending of treatment episodes, with the source named.
 *
 * Dates, in order of precedence (conventions, "prior therapy and line of therapy"; issue 14 "Dates"):
 *  1. the order's MedicationAdministrations (by `MedicationAdministration.request`, else the same drug given within
 *     the order's own period): first to last administration;
 *  2. the dosage's `timing.repeat.boundsPeriod`;
 *  3. the dispense `validityPeriod` (then the dosage's `boundsDuration` from its start);
 *  4. `authoredOn` + expectedSupplyDuration × (refills + 1).
 * Administrations that no order accounts for (in-clinic infusions charted only as administrations) are episodes of
 * their own. What ended an episode comes from catalog/therapy-end-reasons.json (statusReason code or words, status).
 * Cost: administrations indexed once (by order reference, and by drug in date order), a binary search per order.
 */
import type { MedicationAdministration, MedicationRequest } from 'fhir/r4.js';
import { identifyDrug, resolveMedicationConcept } from '../catalog/drugs.js';
import type { Catalog, TherapyEndReason } from '../catalog/types.js';
import { statesPhrase } from '../catalog/text.js';
import type { GatheredChart } from '../gather/types.js';
import { addDays, datePart, daysBetween } from './dates.js';
import { durationDays } from './durations.js';
import { firstOfDosages, relativeReference } from './fhir.js';
import { clausesOf } from './order-text.js';
import { partitionPoint } from './sorted.js';

/** Where an episode's dates came from; named in its evidence. */
export type DateSource = 'administrations' | 'dosage-period' | 'dosage-duration' | 'validity-period' | 'supply' | 'written';

export interface EpisodeDating {
  start: string;
  end: string;
  source: DateSource;
  /** how many administrations dated it (source `administrations`) */
  administrations?: number;
  /** source `supply`: the days of one fill and the fills (refills + 1) */
  supply?: { days: number; fills: number };
  /** source `written` of an active order: the service date it runs to */
  activeTo?: string;
  /** the order's own end when it lies after the service date: the history stops at the service date */
  plannedTo?: string;
  /** "given 2024-01-03 to 2024-05-10 (6 administrations)", "from its dosage period", "written 2024-01-03, 28-day supply × 12 fills" */
  readonly text: string;
}

/** The evidence wording of a dating, spelled only when cited (a long history is read whole, little of it cited). */
function datingText(d: Omit<EpisodeDating, 'text'>): string {
  const text = sourceText(d);
  return d.plannedTo === undefined ? text : `${text} (planned to ${d.plannedTo}; read to the service date)`;
}

function sourceText(d: Omit<EpisodeDating, 'text'>): string {
  switch (d.source) {
    case 'administrations': {
      const n = d.administrations ?? 0;
      return n === 1 && d.end === d.start ? `given ${d.start} (1 administration)` : `given ${d.start} to ${d.end} (${plural(n, 'administration')})`;
    }
    case 'dosage-period':
      return `${d.start} to ${d.end}, from its dosage period`;
    case 'dosage-duration':
      return `${d.start} to ${d.end}, from its dosage duration (${plural(daysBetween(d.start, d.end) + 1, 'day')})`;
    case 'validity-period':
      return `${d.start} to ${d.end}, from its dispense validity period`;
    case 'supply':
      return `written ${d.start}, ${Math.round(d.supply?.days ?? 0)}-day supply × ${plural(d.supply?.fills ?? 1, 'fill')}: to ${d.end}`;
    case 'written':
      return d.activeTo !== undefined ? `written ${d.start}, no period stated: active, so to ${d.activeTo}` : `written ${d.start}, no period stated`;
  }
}

/** A dating whose text is spelled on first read. */
class Dating implements EpisodeDating {
  #text: string | undefined;
  readonly start: string;
  readonly end: string;
  readonly source: DateSource;
  readonly administrations?: number;
  readonly supply?: { days: number; fills: number };
  readonly activeTo?: string;
  readonly plannedTo?: string;
  constructor(fields: Omit<EpisodeDating, 'text'>) {
    this.start = fields.start;
    this.end = fields.end;
    this.source = fields.source;
    if (fields.administrations !== undefined) this.administrations = fields.administrations;
    if (fields.supply !== undefined) this.supply = fields.supply;
    if (fields.activeTo !== undefined) this.activeTo = fields.activeTo;
    if (fields.plannedTo !== undefined) this.plannedTo = fields.plannedTo;
  }
  get text(): string {
    this.#text ??= datingText(this);
    return this.#text;
  }
}

function dating(fields: Omit<EpisodeDating, 'text'>): EpisodeDating {
  return new Dating(fields);
}

/** What ended an episode, when its order says. */
export interface EpisodeEnding {
  reason: TherapyEndReason;
  /** the order that says so */
  reference: string;
  /** "statusReason sintol (suspected intolerance)", "statusReason \"stopped for grade 3 neuropathy\"", "status completed" */
  detail: string;
}

/** Administration statuses that mean the drug was (at least partly) given. */
const GIVEN = new Set(['completed', 'in-progress', 'stopped', 'on-hold']);

/**
 * One administration as the history reads it, or an order's administrations taken together (`count` of them, first
 * to last): an order's are summed as they are read, so a long history allocates little per administration. Its drug
 * and name are read only when needed.
 */
export interface Administration {
  /** the (first) administration */
  reference: string;
  drug: string | null;
  start: string;
  end: string;
  /** how many administrations it stands for */
  count: number;
  resource: MedicationAdministration;
}

/** The medication's name as charted, for one the catalog does not know. */
export function administrationName(a: Administration, chart: Pick<GatheredChart, 'medications' | 'draftOrders'>): string {
  return conceptName(resolveMedicationConcept(a.resource, chart));
}

/** The id of the MedicationRequest a reference names (relative, absolute or versioned). */
function requestId(reference: string | undefined): string | undefined {
  if (reference === undefined) return undefined;
  if (reference.startsWith('MedicationRequest/') && reference.indexOf('/', 18) < 0) return reference.slice(18);
  const match = /(?:^|\/)MedicationRequest\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return match?.[1];
}

function conceptName(concept: ReturnType<typeof resolveMedicationConcept>): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display !== undefined)?.display ?? concept?.coding?.[0]?.code ?? 'a medication without a name';
}

type ChartPart = Pick<GatheredChart, 'medicationAdministrations' | 'medicationRequests' | 'medications' | 'draftOrders'>;

/** The administration's start day, when it was given before `before` (no object per administration: a history is long). */
function givenStart(a: MedicationAdministration, before: string): string | undefined {
  if (!GIVEN.has(a.status)) return undefined;
  const start = datePart(a.effectiveDateTime ?? a.effectivePeriod?.start);
  return start === undefined || start.length !== 10 || start >= before ? undefined : start;
}

/** Its last day: a period's end, else its start. */
function givenEnd(a: MedicationAdministration, start: string): string {
  const end = a.effectivePeriod?.end === undefined ? undefined : datePart(a.effectivePeriod.end);
  return end !== undefined && end.length === 10 && end > start ? end : start;
}

/**
 * The chart's administrations before the service date, indexed: summed per order they name, and (those naming no
 * order in the chart) by drug in date order. Each is claimed by the orders that account for it; the rest are episodes
 * of their own.
 */
export class AdministrationIndex {
  readonly #byRequest = new Map<string, Administration>();
  readonly #looseByDrug = new Map<string, Administration[]>();
  readonly #loose: Administration[] = [];
  readonly #claimed = new Set<Administration>();
  readonly #size: number;

  constructor(
    private readonly chart: ChartPart,
    private readonly catalog: Catalog,
    private readonly serviceDate: string,
  ) {
    const requests = new Set<string>();
    for (const r of chart.medicationRequests) if (r.id !== undefined) requests.add(r.id);
    let size = 0;
    for (const given of chart.medicationAdministrations ?? []) {
      const start = givenStart(given, serviceDate);
      if (start === undefined) continue;
      const end = givenEnd(given, start);
      size += 1;
      const key = requestId(given.request?.reference);
      if (key !== undefined && requests.has(key)) {
        const group = this.#byRequest.get(key);
        if (group === undefined) {
          this.#byRequest.set(key, { reference: relativeReference(given), drug: null, start, end, count: 1, resource: given });
        } else {
          group.count += 1;
          if (start < group.start) {
            group.start = start;
            group.reference = relativeReference(given);
            group.resource = given;
          }
          if (end > group.end) group.end = end;
        }
        continue;
      }
      const admin: Administration = { reference: relativeReference(given), drug: this.#drugOf(given), start, end, count: 1, resource: given };
      this.#loose.push(admin);
      if (admin.drug !== null) push(this.#looseByDrug, admin.drug, admin);
    }
    for (const list of this.#looseByDrug.values()) list.sort(byStart);
    this.#size = size;
  }

  #drugOf(given: MedicationAdministration): string | null {
    return identifyDrug(resolveMedicationConcept(given, this.chart), this.catalog).drug;
  }

  get size(): number {
    return this.#size;
  }

  /** The administrations of one order: those naming it (taken together), else its drug's unlinked ones within [start, end]. */
  forRequest(request: MedicationRequest, drug: string | null, start: string, end: string): Administration[] {
    const named = request.id === undefined ? undefined : this.#byRequest.get(request.id);
    if (named !== undefined) {
      named.drug = drug;
      this.#claimed.add(named);
      return [named];
    }
    const found = drug === null ? [] : within(this.#looseByDrug.get(drug) ?? [], start, end);
    for (const a of found) this.#claimed.add(a);
    return found;
  }

  /** Administrations no order accounted for, oldest first (read after every order has been dated). */
  unclaimed(): Administration[] {
    const out = this.#loose.filter((a) => !this.#claimed.has(a));
    // administrations naming an order that was never given (cancelled, a draft): read as given, by their own drug
    for (const group of this.#byRequest.values()) {
      if (this.#claimed.has(group)) continue;
      group.drug = this.#drugOf(group.resource);
      out.push(group);
    }
    return out.sort(byStart);
  }

  /** Every administration of a drug, one by one, oldest first (cycles from history: each bag is a span). */
  ofDrug(drug: string): Administration[] {
    const out: Administration[] = [];
    for (const given of this.chart.medicationAdministrations ?? []) {
      const start = givenStart(given, this.serviceDate);
      if (start === undefined || this.#drugOf(given) !== drug) continue;
      out.push({ reference: relativeReference(given), drug, start, end: givenEnd(given, start), count: 1, resource: given });
    }
    return out.sort(byStart);
  }
}

/** Dates are YYYY-MM-DD: plain string order is date order (localeCompare would be slower and locale-bound). */
function byStart(a: { start: string }, b: { start: string }): number {
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The administrations (sorted by start) starting within [start, end]: a binary search, then a walk. */
function within(sorted: Administration[], start: string, end: string): Administration[] {
  const lo = partitionPoint(sorted, (a) => a.start < start);
  const out: Administration[] = [];
  for (let i = lo; i < sorted.length && (sorted[i] as Administration).start <= end; i += 1) out.push(sorted[i] as Administration);
  return out;
}

/** Dating from administrations: first to last. */
export function datingFromAdministrations(given: readonly Administration[]): EpisodeDating | undefined {
  const first = given[0];
  if (first === undefined) return undefined;
  let start = first.start;
  let end = first.end;
  let count = 0;
  for (const a of given) {
    if (a.start < start) start = a.start;
    if (a.end > end) end = a.end;
    count += a.count;
  }
  return dating({ start, end, source: 'administrations', administrations: count });
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The order's own dates: boundsPeriod, else validityPeriod, else boundsDuration from its start, else authoredOn +
 * supply × fills. An active order with no stated end runs to the service date; any other, its start day only. An end
 * after the service date (an active order planned into the future, a supply with refills) is read to the service date:
 * what is planned is not what was given, so "last therapy" and a line never end after the service date.
 */
export function datingFromRequest(request: MedicationRequest, serviceDate: string): EpisodeDating | undefined {
  const own = orderDating(request, serviceDate);
  if (own === undefined || own.end <= serviceDate || own.start > serviceDate) return own;
  const { text: _text, ...fields } = own;
  return dating({ ...fields, end: serviceDate, plannedTo: own.end });
}

function orderDating(request: MedicationRequest, serviceDate: string): EpisodeDating | undefined {
  const boundsStart = datePart(firstOfDosages(request, (d) => d.timing?.repeat?.boundsPeriod?.start));
  const validity = request.dispenseRequest?.validityPeriod;
  const start = boundsStart ?? datePart(validity?.start) ?? datePart(request.authoredOn);
  if (start === undefined || start.length !== 10) return undefined;
  const until = (end: string): string => (end < start ? start : end);
  const boundsEnd = datePart(firstOfDosages(request, (d) => d.timing?.repeat?.boundsPeriod?.end));
  if (boundsEnd !== undefined && boundsEnd.length === 10) return dating({ start, end: until(boundsEnd), source: 'dosage-period' });
  const validityEnd = datePart(validity?.end);
  if (validityEnd !== undefined && validityEnd.length === 10) return dating({ start, end: until(validityEnd), source: 'validity-period' });
  const boundsDays = firstOfDosages(request, (d) => durationDays(d.timing?.repeat?.boundsDuration));
  if (boundsDays !== undefined) return dating({ start, end: addDays(start, Math.max(0, Math.ceil(boundsDays) - 1)), source: 'dosage-duration' });
  const supply = durationDays(request.dispenseRequest?.expectedSupplyDuration);
  if (supply !== undefined) {
    const fills = Math.max(0, request.dispenseRequest?.numberOfRepeatsAllowed ?? 0) + 1;
    return dating({ start, end: addDays(start, Math.max(0, Math.ceil(supply * fills) - 1)), source: 'supply', supply: { days: supply, fills } });
  }
  if (request.status === 'active') return dating({ start, end: until(serviceDate), source: 'written', activeTo: serviceDate });
  return dating({ start, end: start, source: 'written' });
}

/** The detail of an ending read from the status alone, spelled once. */
const STATUS_DETAIL: Readonly<Record<string, string>> = { completed: 'status completed', stopped: 'status stopped', active: 'status active' };

/** What ended the order, when it says: statusReason code, else its words, else its status (catalog order decides). */
export function episodeEnding(request: MedicationRequest, catalog: Catalog, reference: string = relativeReference(request)): EpisodeEnding | undefined {
  const { statusReasonSystem, reasons } = catalog.therapyEndReasons;
  const concept = request.statusReason;
  // the usual order: no reason given, read from its status alone
  if (concept === undefined) {
    for (const entry of reasons) if (entry.statuses?.includes(request.status) === true) return { reason: entry.reason, reference, detail: STATUS_DETAIL[request.status] ?? `status ${request.status}` };
    return undefined;
  }
  const codings = concept?.coding ?? [];
  const clauses = [concept.text, ...codings.map((c) => c.display)].filter((t): t is string => t !== undefined && t.trim() !== '').flatMap(clausesOf);
  for (const entry of reasons) {
    const coded = codings.find((c) => c.system === statusReasonSystem && c.code !== undefined && entry.codes.includes(c.code));
    if (coded?.code !== undefined) {
      const meaning = entry.codeMeanings[coded.code];
      return { reason: entry.reason, reference, detail: `statusReason ${coded.code}${meaning === undefined ? '' : ` (${meaning})`}` };
    }
    const phrase = entry.phrases.find((p) => clauses.some((c) => statesPhrase(c, p, catalog.negations)));
    if (phrase !== undefined) return { reason: entry.reason, reference, detail: `statusReason "${concept?.text ?? phrase}"` };
  }
  for (const entry of reasons) {
    if (entry.statuses?.includes(request.status) === true) return { reason: entry.reason, reference, detail: `status ${request.status}` };
  }
  return undefined;
}
