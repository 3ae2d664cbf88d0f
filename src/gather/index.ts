/**
 * Gathering the chart for one hook call, in one pass:
 *
 *   sources                          one normaliser                 the chart
 *   prefetch (prefetch.ts)      ─┐
 *   FHIR server (fhir.ts:        ├─→ normalise.ts, then the key's ─→ ChartStore (here) ─→ GatheredChart
 *     keys prefetch lacks,       │   checks (prefetch.ts readSource:
 *     then what the chart        ┘   right type, right patient)
 *     references)
 *
 * 1. Draft orders (prefetch.ts readDraftOrders; the pipeline usually did this already) and every prefetch key
 *    (prefetch.ts readPrefetch) are read through the normaliser; present keys go into the store.
 * 2. Keys prefetch lacks become FHIR queries (references.ts fallbackQuery fills the template); without FHIR access
 *    a needed key never prefetched is a 412 (DataUnavailableError).
 * 3. Round one, in parallel: those queries (fhir.ts searchAll → prefetch.ts readSource, the same reading as
 *    prefetch) and what the draft orders reference (references.ts wanted → fhir.ts readReference → normalise.ts).
 * 4. Then only what the chart still references that no `_include` brought.
 * 5. The store is read back by type into the GatheredChart.
 *
 * Helpers live in one place each: templates (prefetch-templates.ts: definitions only), references and template
 * filling (references.ts: patient-reference forms, refersToPatient, subjectOf, `Type/id` parsing, fallbackQuery,
 * wanted), HTTP (fhir.ts), shape checks (normalise.ts). This file only orchestrates and keeps the store.
 * Never hangs a signing: one deadline over everything; what did not arrive is listed in `unavailable`.
 * Never logs: neither patient data nor tokens leave this module except in the returned chart.
 */
import type {
  Claim,
  ClaimResponse,
  Condition,
  Coverage,
  FhirResource,
  Medication,
  MedicationAdministration,
  MedicationRequest,
  Observation,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
} from 'fhir/r4.js';
import type { HookRequest } from '../protocol/types.js';
import type { GatheredChart, Unavailable } from './types.js';
import { NEEDED_KEYS, PREFETCH_DESCRIPTIONS, PREFETCH_KEYS, type PrefetchKey } from './prefetch-templates.js';
import { fallbackQuery, subjectOf, wanted, type ChartSubject, type WantedReference } from './references.js';
import { readDraftOrders, readPrefetch, readSource, type DraftReading, type MissingWhy } from './prefetch.js';
import { normaliseResource, type ReadsResource, type Unreadable } from './normalise.js';
import { createGuardedFetch, type FetchLike } from '../security/guarded-fetch.js';
import { openFhirAccess, readReference, searchAll, type FhirAccess, type QueryBudget } from './fhir.js';

export { PREFETCH_TEMPLATES, PREFETCH_DESCRIPTIONS, NEEDED_KEYS, prefetchTemplates } from './prefetch-templates.js';
export { fallbackQuery } from './references.js';
export type { PrefetchKey } from './prefetch-templates.js';

export interface GatherOptions {
  /** the whole gathering, both rounds (default 2500 ms) */
  deadlineMs?: number;
  /** one query including its pages (default 1500 ms) */
  queryTimeoutMs?: number;
  /** one HTTP request (default: queryTimeoutMs) */
  fetchTimeoutMs?: number;
  /** pages followed per query (default 20) */
  maxPages?: number;
  /** largest answer accepted (default 10 MB): refused by Content-Length, else cut off while it streams */
  maxResponseBytes?: number;
  /** when set, a fhirServer not on it is never contacted; its entries are also exempt from the address check */
  fhirServerAllowlist?: string[];
  /**
   * the HTTP under the FHIR client: a guarded fetch (src/security/guarded-fetch.ts), so that link-local, metadata and
   * unspecified addresses get no request. Default: one made for this allowlist and byte cap, kept for reuse.
   */
  fetch?: FetchLike;
  /** references read in the second round, at most (default 50) */
  maxReferenceReads?: number;
  /** aborts the gathering early (e.g. the client went away) */
  signal?: AbortSignal;
  /** the queries for keys not prefetched: the templates discovery advertised (default: PREFETCH_TEMPLATES) */
  templates?: Readonly<Record<PrefetchKey, string>>;
  /** which resources evaluation reads at all: the normaliser does not walk the others (routine labs) */
  readsResource?: ReadsResource;
}

const DEFAULTS = { deadlineMs: 2500, queryTimeoutMs: 1500, maxPages: 20, maxResponseBytes: 10 * 1024 * 1024, maxReferenceReads: 50 };

/** Guarded fetches by allowlist and cap: their keep-alive agents are reused across hook calls. */
const defaultFetches = new Map<string, FetchLike>();

function defaultFetch(allowlist: readonly string[] | undefined, maxResponseBytes: number): FetchLike {
  const key = JSON.stringify([allowlist ?? [], maxResponseBytes]);
  let fetch = defaultFetches.get(key);
  if (fetch === undefined) {
    fetch = createGuardedFetch({ maxResponseBytes, ...(allowlist !== undefined && { allowlist }) });
    defaultFetches.set(key, fetch);
  }
  return fetch;
}

/** Needed data is neither prefetched nor fetchable: the protocol layer answers 412. */
export class DataUnavailableError extends Error {
  readonly keys: PrefetchKey[];
  constructor(keys: PrefetchKey[], why: string) {
    super(`prefetch lacks ${keys.join(', ')} and the FHIR server cannot be used (${why})`);
    this.name = 'DataUnavailableError';
    this.keys = keys;
  }
}

type Open = Extract<FhirAccess, { ok: true }>;

/**
 * The chart under construction: resources by `Type/id`, so each arrives once whatever its route. Kept per type,
 * so reading one type back does not walk (and copy) the whole chart once per type.
 */
class ChartStore {
  private readonly byType = new Map<string, Map<string, FhirResource>>();
  private size = 0;
  add(resources: readonly FhirResource[]): void {
    for (const r of resources) {
      let ofType = this.byType.get(r.resourceType);
      if (ofType === undefined) {
        ofType = new Map();
        this.byType.set(r.resourceType, ofType);
      }
      const id = r.id ?? `#${this.size}`;
      if (!ofType.has(id)) this.size += 1;
      ofType.set(id, r);
    }
  }
  has(ref: string): boolean {
    const slash = ref.indexOf('/');
    if (slash < 0) return false;
    return this.byType.get(ref.slice(0, slash))?.has(ref.slice(slash + 1)) ?? false;
  }
  all<T extends FhirResource>(type: T['resourceType']): T[] {
    return [...(this.byType.get(type)?.values() ?? [])] as T[];
  }
}

const NO_ACCESS_WHY: Record<Exclude<FhirAccess, { ok: true }>['reason'], string> = {
  'no-server': 'no fhirServer in the request',
  'no-token': 'no fhirAuthorization access token',
  refused: 'fhirServer not allowed',
};

function unavailable(key: PrefetchKey, reason: Unavailable['reason']): Unavailable {
  return { what: PREFETCH_DESCRIPTIONS[key], key, reason };
}

/** Reason to report for a key that could not be fetched because the server is out of reach. */
function offlineReason(access: Exclude<FhirAccess, { ok: true }>): Unavailable['reason'] {
  return access.reason === 'refused' ? 'refused' : 'error';
}

/** Not prefetched at all (an absent key, a template the EHR left unresolved): the FHIR server must be asked. */
function notPrefetched(why: MissingWhy): boolean {
  return why === 'absent' || why === 'unresolved-template';
}

/** Round one: every key prefetch could not supply, in parallel. */
async function fetchMissingKeys(
  missing: ReadonlyMap<PrefetchKey, MissingWhy>,
  access: Open,
  subject: ChartSubject & { userId: string },
  budget: QueryBudget,
  store: ChartStore,
  options: Pick<GatherOptions, 'templates' | 'readsResource'>,
  unreadable: Unreadable[],
): Promise<Unavailable[]> {
  const jobs = [...missing].map(async ([key]): Promise<Unavailable[]> => {
    const query = fallbackQuery(key, subject, options.templates);
    if (!query) return [];
    const result = await searchAll(access, query, budget);
    if (!result.ok) return [unavailable(key, result.reason)];
    // The server's answer gets the same reading as prefetch: one normaliser, and a server that ignored `patient=`
    // must not leak others.
    const entry = [
      ...result.resources.map((resource) => ({ resource })),
      ...(result.included ?? []).map((resource) => ({ resource, search: { mode: 'include' as const } })),
    ];
    const read = readSource(key, { resourceType: 'Bundle', type: 'searchset', entry }, query, subject, options.readsResource);
    if (read.reading.state === 'missing') return [unavailable(key, read.reading.why === 'operation-outcome' ? 'operation-outcome' : 'error')];
    store.add(read.reading.resources);
    unreadable.push(...read.unreadable);
    return result.incomplete ? [unavailable(key, result.incomplete)] : [];
  });
  return (await Promise.all(jobs)).flat();
}

/** What the chart points to and does not hold yet. */
function referencedResources(
  store: ChartStore,
  draftOrders: readonly MedicationRequest[],
  base: URL | undefined,
  attempted: Set<string>,
  scope: { draftsOnly?: boolean } = {},
): WantedReference[] {
  const refs: WantedReference[] = [];
  for (const order of draftOrders) {
    refs.push(...wanted(order.requester?.reference, 'PractitionerRole', "Ordering clinician's specialty", base));
    refs.push(...wanted(order.requester?.reference, 'Practitioner', "Ordering clinician's specialty", base));
  }
  for (const order of scope.draftsOnly === true ? draftOrders : [...draftOrders, ...store.all<MedicationRequest>('MedicationRequest')]) {
    refs.push(...wanted(order.medicationReference?.reference, 'Medication', 'Medication of an order', base));
  }
  if (scope.draftsOnly === true) return fresh(refs, store, attempted);
  for (const given of store.all<MedicationAdministration>('MedicationAdministration')) {
    refs.push(...wanted(given.medicationReference?.reference, 'Medication', 'Medication of an administration', base));
  }
  for (const response of store.all<ClaimResponse>('ClaimResponse')) {
    refs.push(...wanted(response.request?.reference, 'Claim', 'Prior authorization request (items authorized)', base));
  }
  for (const coverage of store.all<Coverage>('Coverage')) {
    for (const payor of coverage.payor ?? []) refs.push(...wanted(payor.reference, 'Organization', 'Payer', base));
  }
  for (const role of store.all<PractitionerRole>('PractitionerRole')) {
    refs.push(...wanted(role.practitioner?.reference, 'Practitioner', "Ordering clinician's qualifications", base));
  }
  return fresh(refs, store, attempted);
}

/** References not held and not tried yet; each is tried once, whichever round finds it. */
function fresh(refs: readonly WantedReference[], store: ChartStore, attempted: Set<string>): WantedReference[] {
  return refs.filter((r) => {
    const key = `${r.type}/${r.id}`;
    if (attempted.has(key) || store.has(key)) return false;
    attempted.add(key); // each reference is tried once, whichever round finds it
    return true;
  });
}

/**
 * Read referenced resources in parallel; failures become `unavailable` entries keyed by the reference. A
 * PractitionerRole is searched by `_id` with `_include=PractitionerRole:practitioner`, so its Practitioner comes
 * in the same answer.
 */
async function readReferences(
  refs: readonly WantedReference[],
  access: FhirAccess,
  budget: QueryBudget,
  allowance: { left: number },
  store: ChartStore,
  unreadable: Unreadable[],
): Promise<Unavailable[]> {
  const jobs = refs.map(async (ref): Promise<Unavailable[]> => {
    const key = `${ref.type}/${ref.id}`;
    if (!access.ok) return [{ what: ref.what, key, reason: access.reason === 'refused' ? 'refused' : 'error' }];
    // A chart pointing to hundreds of things must not turn into hundreds of requests.
    if (allowance.left <= 0) return [{ what: ref.what, key, reason: 'refused' }];
    allowance.left -= 1;
    const result = ref.type === 'PractitionerRole' ? await readRoleWithPractitioner(access, ref.id, budget) : await readReference(access, ref, budget);
    if (!result.ok) return [{ what: ref.what, key, reason: result.reason }];
    for (const resource of [...result.resources, ...(result.included ?? [])]) {
      const read = normaliseResource(resource, key);
      if (read.resource !== undefined) store.add([read.resource]);
      unreadable.push(...read.unreadable);
    }
    return [];
  });
  return (await Promise.all(jobs)).flat();
}

/** The role and, through `_include`, its Practitioner; the answer must hold that very role. */
async function readRoleWithPractitioner(access: Open, id: string, budget: QueryBudget): Promise<Awaited<ReturnType<typeof searchAll>>> {
  const result = await searchAll(access, `PractitionerRole?_id=${encodeURIComponent(id)}&_include=PractitionerRole:practitioner`, { ...budget, maxPages: 1 });
  if (!result.ok) return result;
  const role = result.resources.filter((r) => r.resourceType === 'PractitionerRole' && r.id === id);
  if (role.length === 0) return { ok: false, reason: 'error' };
  return { ok: true, resources: role, included: (result.included ?? []).filter((r) => r.resourceType === 'Practitioner') };
}

/**
 * The chart for one hook call: sources (prefetch, then the FHIR server for what prefetch lacks and for what the
 * chart references) → one normaliser → the chart. `drafts`: the draft orders already read (the pipeline reads them
 * first, to know whether anything needs gathering at all).
 */
export async function gatherChart(request: HookRequest, options: GatherOptions = {}, drafts?: DraftReading): Promise<GatheredChart> {
  const draft = drafts ?? readDraftOrders(request, options.readsResource);
  const reading = readPrefetch(request, options.readsResource);
  const subject = subjectOf(request);
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const fetch = options.fetch ?? defaultFetch(options.fhirServerAllowlist, maxResponseBytes);
  const access = openFhirAccess(request, fetch, options.fhirServerAllowlist);
  const unreadableList: Unreadable[] = [...draft.unreadable, ...reading.unreadable];

  const store = new ChartStore();
  const missing = new Map<PrefetchKey, MissingWhy>();
  const unavailableList: Unavailable[] = [];
  for (const key of PREFETCH_KEYS) {
    const k = reading.keys[key];
    if (k.state === 'present') store.add(k.resources);
    // CDS Hooks 2.0: a prefetch that is an error outcome is a lookup the EHR could not do; it is not done again
    else if (k.why === 'operation-outcome') unavailableList.push(unavailable(key, 'operation-outcome'));
    else if (fallbackQuery(key, subject) !== undefined) missing.set(key, k.why);
  }

  if (!access.ok) {
    // 412 only for what was never prefetched: a value that was sent but unusable is a gap the answer names
    const neededMissing = NEEDED_KEYS.filter((k) => missing.has(k) && notPrefetched(missing.get(k)!));
    if (neededMissing.length > 0) throw new DataUnavailableError(neededMissing, NO_ACCESS_WHY[access.reason]);
    for (const [key] of missing) unavailableList.push(unavailable(key, offlineReason(access)));
  }

  // Draft orders and what ships with them are the orders being signed: trusted, and never fetched again.
  store.add(draft.draftCompanions);
  for (const order of draft.draftOrders) if (order.id) store.add([order]);

  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULTS.queryTimeoutMs;
  const deadlineSignals = [AbortSignal.timeout(options.deadlineMs ?? DEFAULTS.deadlineMs)];
  if (options.signal) deadlineSignals.push(options.signal);
  const budget: QueryBudget = {
    deadline: AbortSignal.any(deadlineSignals),
    queryTimeoutMs,
    fetchTimeoutMs: options.fetchTimeoutMs ?? queryTimeoutMs,
    maxPages: options.maxPages ?? DEFAULTS.maxPages,
    maxResponseBytes,
  };
  const allowance = { left: options.maxReferenceReads ?? DEFAULTS.maxReferenceReads };
  const base = access.ok ? access.base : undefined;

  // First round, all in parallel: every key prefetch lacks (asking with `_include` for what they reference) and
  // what the draft orders themselves reference (their Medication, their requester's role and Practitioner), except
  // the user's own role, which the practitionerRole key brings.
  const attempted = new Set<string>();
  if (access.ok && missing.has('practitionerRole')) attempted.add(request.context.userId);
  const fromDrafts = referencedResources(store, draft.draftOrders, base, attempted, { draftsOnly: true });
  const firstRound = await Promise.all([
    access.ok && missing.size > 0 ? fetchMissingKeys(missing, access, subject, budget, store, options, unreadableList) : Promise.resolve([]),
    readReferences(fromDrafts, access, budget, allowance, store, unreadableList),
  ]);
  unavailableList.push(...firstRound.flat());
  // Then only what is still missing: what the chart references that no `_include` brought (a server that ignores it).
  for (let round = 0; round < 2; round += 1) {
    const refs = referencedResources(store, draft.draftOrders, base, attempted);
    unavailableList.push(...(await readReferences(refs, access, budget, allowance, store, unreadableList)));
  }

  const draftIds = new Set(draft.draftOrders.map((o) => o.id));
  return {
    patientId: request.context.patientId,
    ...optional('patient', store.all<Patient>('Patient')[0]),
    coverages: store.all<Coverage>('Coverage'),
    conditions: store.all<Condition>('Condition'),
    observations: store.all<Observation>('Observation'),
    medicationRequests: store.all<MedicationRequest>('MedicationRequest').filter((r) => !draftIds.has(r.id)),
    medicationAdministrations: store.all<MedicationAdministration>('MedicationAdministration'),
    claimResponses: store.all<ClaimResponse>('ClaimResponse'),
    claims: store.all<Claim>('Claim'),
    practitionerRoles: store.all<PractitionerRole>('PractitionerRole'),
    practitioners: store.all<Practitioner>('Practitioner'),
    medications: store.all<Medication>('Medication'),
    organizations: store.all<Organization>('Organization'),
    draftOrders: draft.draftOrders,
    focusOrders: draft.focusOrders,
    userId: request.context.userId,
    unavailable: unavailableList,
    unreadable: unreadableList,
  };
}

/** `{ key: value }` when value is defined, `{}` otherwise (exactOptionalPropertyTypes-friendly). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
