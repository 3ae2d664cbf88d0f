/**
 * Reading one source's value for a key, prefetched or fetched alike: the normaliser first (gather/normalise.ts), then
 * the key's checks: right resource type, right patient, no error outcome. CDS Hooks 2.0: an absent key was not
 * prefetched (fetched instead where possible), `null` means none on file, an error OperationOutcome means the
 * lookup could not be done. Clients make mistakes (the CDS Hooks sandbox sends some templates unresolved and
 * merges repeated parameters): a value of another patient or type is treated as not prefetched.
 */
import type { Bundle, FhirResource, MedicationRequest, OperationOutcome } from 'fhir/r4.js';
import type { HookRequest } from '../protocol/types.js';
import { PREFETCH_KEYS, PREFETCH_RESOURCE_TYPES, type PrefetchKey } from './prefetch-templates.js';
import { parseRelativeReference, patientReferenceOf, referenceOf, refersToPatient, subjectOf, type ChartSubject } from './references.js';
import { isJsonObject } from '../json.js';
import { asFhirResource, normaliseResource, type ReadsResource, type Unreadable } from './normalise.js';


/** Why a key is not usable from prefetch. */
export type MissingWhy = 'absent' | 'unresolved-template' | 'operation-outcome' | 'misfit';

export type KeyReading =
  | { state: 'present'; resources: FhirResource[] }
  | { state: 'missing'; why: MissingWhy };

export interface DraftReading {
  draftOrders: MedicationRequest[];
  /** other resources shipped in draftOrders (Medications a draft order references, for one) */
  draftCompanions: FhirResource[];
  focusOrders: string[];
  /** what the normaliser set aside in the draft orders */
  unreadable: Unreadable[];
}

export interface PrefetchReading {
  keys: Record<PrefetchKey, KeyReading>;
  /** what the normaliser set aside in the prefetched resources */
  unreadable: Unreadable[];
}

/** The user's PractitionerRole is the one named by userId, or one held by the Practitioner named by userId. */
function isUsersRole(resource: FhirResource, subject: ChartSubject): boolean {
  if (resource.resourceType !== 'PractitionerRole') return false;
  const user = parseRelativeReference(subject.userId);
  if (user?.type === 'PractitionerRole') return resource.id === user.id;
  if (user?.type === 'Practitioner') return referenceOf(resource.practitioner) === `Practitioner/${user.id}`;
  return false;
}

function isUsersPractitioner(resource: FhirResource, subject: ChartSubject): boolean {
  const user = parseRelativeReference(subject.userId);
  return user?.type === 'Practitioner' ? resource.id === user.id : user?.type === 'PractitionerRole';
}

/** Does this resource belong under this key for this patient (or user)? */
export function fitsKey(key: PrefetchKey, resource: FhirResource, subject: ChartSubject): boolean {
  if (resource.resourceType !== PREFETCH_RESOURCE_TYPES[key]) return false;
  if (key === 'patient') return resource.id === subject.patientId;
  if (key === 'practitionerRole') return isUsersRole(resource, subject);
  // Which Practitioner stands behind a role user is known only from the role; one the chart does not point to is unused.
  if (key === 'practitioner') return isUsersPractitioner(resource, subject);
  // A resource that names no patient at all (a Coverage without beneficiary) came from the EHR's search for this
  // patient: read it. Only one that names another patient is not this chart's.
  const reference = patientReferenceOf(resource);
  return reference === undefined || refersToPatient(reference, subject);
}

/**
 * Error-level outcomes mean the EHR's query failed. Warnings and information (EHRs add them routinely, e.g.
 * "parameter ignored") do not make a result incomplete.
 */
export function isFailureOutcome(resource: FhirResource): resource is OperationOutcome {
  return (
    resource.resourceType === 'OperationOutcome' &&
    (resource.issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal')
  );
}

export type ContentReading = { state: 'present'; resources: FhirResource[] } | { state: 'missing'; why: 'operation-outcome' | 'misfit' };

/**
 * `_include`d entries the chart's references may point at, in any bundle: the order's Medication, the payer's
 * Organization, the requester's PractitionerRole and Practitioner, the authorization's Claim. They resolve
 * references (so no second round trip is needed); nothing else is read from them. Other types are dropped.
 */
const INCLUDABLE: ReadonlySet<string> = new Set(['Medication', 'Organization', 'Practitioner', 'PractitionerRole', 'Claim']);

function keptIncludes(included: readonly FhirResource[], subject: ChartSubject): FhirResource[] {
  // a Claim names its patient: one of another patient is not this chart's
  return included.filter((r) => {
    if (!INCLUDABLE.has(r.resourceType)) return false;
    const patient = r.resourceType === 'Claim' ? patientReferenceOf(r) : undefined;
    return patient === undefined || refersToPatient(patient, subject);
  });
}

/**
 * Check one prefetched or fetched value (a resource or a search Bundle) against its key.
 * Anything of another patient, an unexpected type (except `_include`d entries) or a failure outcome makes the
 * whole value untrusted: a mis-resolved template can return someone else's chart, and partial lists mislead.
 */
export function readKeyContent(key: PrefetchKey, value: FhirResource, subject: ChartSubject): ContentReading {
  if (isFailureOutcome(value)) return { state: 'missing', why: 'operation-outcome' };
  if (value.resourceType !== 'Bundle') {
    return fitsKey(key, value, subject) ? { state: 'present', resources: [value] } : { state: 'missing', why: 'misfit' };
  }
  const resources: FhirResource[] = [];
  const included: FhirResource[] = [];
  for (const entry of (value as Bundle).entry ?? []) {
    const resource = asFhirResource(entry.resource);
    if (!resource) continue;
    if (resource.resourceType === 'OperationOutcome') {
      if (isFailureOutcome(resource)) return { state: 'missing', why: 'operation-outcome' };
      continue;
    }
    if (fitsKey(key, resource, subject)) resources.push(resource);
    else if (entry.search?.mode === 'include' && resource.resourceType !== PREFETCH_RESOURCE_TYPES[key]) included.push(resource);
    else return { state: 'missing', why: 'misfit' };
  }
  return { state: 'present', resources: [...resources, ...keptIncludes(included, subject)] };
}

/** One source's value for a key (prefetched, or a fetched search), normalised, then checked against the key. */
export function readSource(
  key: PrefetchKey,
  raw: unknown,
  where: string,
  subject: ChartSubject,
  readsResource?: ReadsResource,
): { reading: KeyReading; unreadable: Unreadable[] } {
  const { resource, unreadable } = normaliseResource(raw, where, readsResource);
  if (resource === undefined) return { reading: { state: 'missing', why: 'misfit' }, unreadable };
  const reading = readKeyContent(key, resource, subject);
  // a value that is not this chart's (another patient, a foreign type) is not read: neither are its problems
  return { reading, unreadable: reading.state === 'present' ? unreadable : [] };
}

/**
 * One prefetch value → its reading. Values arrive as untyped JSON whatever the request type says.
 * CDS Hooks 2.0: absent = not prefetched; `null` = the EHR has none on file (an empty list, not a gap).
 */
export function readPrefetchValue(
  key: PrefetchKey,
  raw: unknown,
  present: boolean,
  subject: ChartSubject,
  readsResource?: ReadsResource,
): { reading: KeyReading; unreadable: Unreadable[] } {
  if (!present) return { reading: { state: 'missing', why: 'absent' }, unreadable: [] };
  if (raw === null) return { reading: { state: 'present', resources: [] }, unreadable: [] };
  if (typeof raw === 'string' && raw.includes('{{')) return { reading: { state: 'missing', why: 'unresolved-template' }, unreadable: [] };
  return readSource(key, raw, `prefetch.${key}`, subject, readsResource);
}

/**
 * Draft orders sent without an id (some clients do, the CDS Hooks sandbox among them) get a local one so they can be
 * evaluated and carded; no system action is returned for them, since the EHR could not match it to its order.
 */
export const UNIDENTIFIED_DRAFT_PREFIX = 'unidentified-draft-';

/**
 * The MedicationRequests of context.draftOrders (the orders being signed) and what came with them, through the same
 * normaliser as every other resource: an element of the wrong type is set aside and named, the order is still read.
 */
export function readDraftOrders(request: Pick<HookRequest, 'hook' | 'context'>, readsResource?: ReadsResource): DraftReading {
  const { resource: bundle, unreadable } = normaliseResource(request.context.draftOrders, 'context.draftOrders', readsResource);
  const entries = bundle?.resourceType === 'Bundle' ? (bundle.entry ?? []) : [];
  const resources = entries.map((e) => asFhirResource(e.resource)).filter((r): r is FhirResource => r !== undefined);
  const draftOrders = resources
    .filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest')
    .map((order, index) => (typeof order.id === 'string' && order.id !== '' ? order : { ...order, id: `${UNIDENTIFIED_DRAFT_PREFIX}${index + 1}` }));
  return {
    draftOrders,
    draftCompanions: resources.filter((r) => r.resourceType !== 'MedicationRequest'),
    focusOrders: focusOrdersOf(request, draftOrders),
    unreadable,
  };
}

/** order-select: the selected orders; order-sign: every draft MedicationRequest. */
export function focusOrdersOf(request: Pick<HookRequest, 'hook' | 'context'>, draftOrders: MedicationRequest[]): string[] {
  if (request.hook === 'order-select') return (request.context.selections ?? []).filter((s): s is string => typeof s === 'string');
  return draftOrders.flatMap((o) => (o.id ? [`MedicationRequest/${o.id}`] : []));
}

export function readPrefetch(request: HookRequest, readsResource?: ReadsResource): PrefetchReading {
  const subject = subjectOf(request);
  const prefetch: Record<string, unknown> = isJsonObject(request.prefetch) ? request.prefetch : {};
  const unreadable: Unreadable[] = [];
  const keys = {} as Record<PrefetchKey, KeyReading>;
  for (const key of PREFETCH_KEYS) {
    const read = readPrefetchValue(key, prefetch[key], Object.hasOwn(prefetch, key), subject, readsResource);
    keys[key] = read.reading;
    unreadable.push(...read.unreadable);
  }
  return { keys, unreadable };
}
