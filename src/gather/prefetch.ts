/**
 * Reading what the EHR prefetched. Clients make mistakes (the CDS Hooks sandbox sends some templates unresolved and
 * merges repeated parameters), so every value is checked: right resource type, right patient, no error outcome.
 * A key that fails any check is treated as not prefetched, so it is fetched instead where possible.
 */
import type { Bundle, FhirResource, MedicationRequest, OperationOutcome } from 'fhir/r4.js';
import type { HookRequest } from '../protocol/types.js';
import { PREFETCH_KEYS, PREFETCH_RESOURCE_TYPES, parseRelativeReference, type PrefetchKey } from './prefetch-templates.js';
import { isJsonObject } from '../json.js';

/** Why a key is not usable from prefetch. */
export type MissingWhy = 'absent' | 'null' | 'unresolved-template' | 'operation-outcome' | 'misfit';

export type KeyReading =
  | { state: 'present'; resources: FhirResource[] }
  | { state: 'missing'; why: MissingWhy };

/** Who the chart is about; what every resource is checked against. */
export interface ChartSubject {
  patientId: string;
  userId: string;
  fhirServer?: string;
}

export interface PrefetchReading {
  keys: Record<PrefetchKey, KeyReading>;
  draftOrders: MedicationRequest[];
  /** other resources shipped in draftOrders (Medications a draft order references, for one) */
  draftCompanions: FhirResource[];
  focusOrders: string[];
}

/** Narrow an untyped JSON value to a FHIR resource (it has a resourceType); nothing deeper is promised. */
export function asFhirResource(value: unknown): FhirResource | undefined {
  return isJsonObject(value) && typeof value.resourceType === 'string' ? (value as unknown as FhirResource) : undefined;
}

/** True when the reference names this patient: `Patient/<id>`, a bare `<id>`, or `<fhirServer>/Patient/<id>`. */
export function refersToPatient(reference: string | undefined, subject: ChartSubject): boolean {
  if (!reference) return false;
  return patientReferences(subject).includes(reference);
}

/** The forms a reference to the subject's patient may take, spelled once per subject (asked for every resource). */
const PATIENT_REFERENCES = new WeakMap<ChartSubject, readonly string[]>();

function patientReferences(subject: ChartSubject): readonly string[] {
  let forms = PATIENT_REFERENCES.get(subject);
  if (forms === undefined) {
    const base = subject.fhirServer?.replace(/\/+$/, '');
    forms = [`Patient/${subject.patientId}`, subject.patientId, ...(base !== undefined ? [`${base}/Patient/${subject.patientId}`] : [])];
    PATIENT_REFERENCES.set(subject, forms);
  }
  return forms;
}

function referenceOf(value: unknown): string | undefined {
  return isJsonObject(value) && typeof value.reference === 'string' ? value.reference : undefined;
}

/** The reference that ties a resource to its patient, per resource type. */
function patientReferenceOf(resource: FhirResource): string | undefined {
  switch (resource.resourceType) {
    case 'Coverage':
      return referenceOf(resource.beneficiary);
    case 'ClaimResponse':
    case 'Claim':
      return referenceOf(resource.patient);
    case 'Condition':
    case 'Observation':
    case 'MedicationRequest':
      return referenceOf(resource.subject);
    default:
      return undefined;
  }
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
  return refersToPatient(patientReferenceOf(resource), subject);
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
 * `_include`d entries worth keeping: the Practitioner of the user's PractitionerRole (the template asks for it, so
 * no second round trip is needed), and only when a kept role points to it. Other includes are dropped.
 */
function keptIncludes(key: PrefetchKey, matches: readonly FhirResource[], included: readonly FhirResource[]): FhirResource[] {
  if (key !== 'practitionerRole') return [];
  const wanted = new Set(matches.flatMap((r) => (r.resourceType === 'PractitionerRole' && r.practitioner?.reference ? [r.practitioner.reference] : [])));
  return included.filter((r) => r.resourceType === 'Practitioner' && wanted.has(`Practitioner/${r.id ?? ''}`));
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
  return { state: 'present', resources: [...resources, ...keptIncludes(key, resources, included)] };
}

/** One prefetch value → its reading. Values arrive as untyped JSON whatever the request type says. */
export function readPrefetchValue(key: PrefetchKey, raw: unknown, present: boolean, subject: ChartSubject): KeyReading {
  if (!present) return { state: 'missing', why: 'absent' };
  if (raw === null) return { state: 'missing', why: 'null' };
  if (typeof raw === 'string' && raw.includes('{{')) return { state: 'missing', why: 'unresolved-template' };
  const resource = asFhirResource(raw);
  if (!resource) return { state: 'missing', why: 'misfit' };
  return readKeyContent(key, resource, subject);
}

/**
 * Draft orders sent without an id (some clients do, the CDS Hooks sandbox among them) get a local one so they can be
 * evaluated and carded; no system action is returned for them, since the EHR could not match it to its order.
 */
export const UNIDENTIFIED_DRAFT_PREFIX = 'unidentified-draft-';

/** The MedicationRequests of context.draftOrders (trusted: they are the orders being signed) and what came with them. */
export function readDraftOrders(draftOrders: unknown): Pick<PrefetchReading, 'draftOrders' | 'draftCompanions'> {
  const bundle = asFhirResource(draftOrders);
  const entries = bundle?.resourceType === 'Bundle' ? (bundle.entry ?? []) : [];
  const resources = entries.map((e) => asFhirResource(e.resource)).filter((r): r is FhirResource => r !== undefined);
  return {
    draftOrders: resources
      .filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest')
      .map((order, index) => (order.id ? order : { ...order, id: `${UNIDENTIFIED_DRAFT_PREFIX}${index + 1}` })),
    draftCompanions: resources.filter((r) => r.resourceType !== 'MedicationRequest'),
  };
}

/** order-select: the selected orders; order-sign: every draft MedicationRequest. */
export function focusOrdersOf(request: Pick<HookRequest, 'hook' | 'context'>, draftOrders: MedicationRequest[]): string[] {
  if (request.hook === 'order-select') return [...(request.context.selections ?? [])];
  return draftOrders.flatMap((o) => (o.id ? [`MedicationRequest/${o.id}`] : []));
}

export function subjectOf(request: HookRequest): ChartSubject {
  return {
    patientId: request.context.patientId,
    userId: request.context.userId,
    ...(request.fhirServer ? { fhirServer: request.fhirServer } : {}),
  };
}

export function readPrefetch(request: HookRequest): PrefetchReading {
  const subject = subjectOf(request);
  const prefetch: Record<string, unknown> = isJsonObject(request.prefetch) ? request.prefetch : {};
  const keys = Object.fromEntries(
    PREFETCH_KEYS.map((key) => [key, readPrefetchValue(key, prefetch[key], Object.hasOwn(prefetch, key), subject)]),
  ) as Record<PrefetchKey, KeyReading>;
  const drafts = readDraftOrders(request.context.draftOrders);
  return { keys, ...drafts, focusOrders: focusOrdersOf(request, drafts.draftOrders) };
}
