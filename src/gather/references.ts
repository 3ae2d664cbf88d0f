/**
 * References and templates, in one place: who the chart is about (ChartSubject), the forms a reference to the
 * patient may take, which reference ties a resource to its patient, `Type/id` parsing, the fallback query that
 * fills a prefetch template, and which references the FHIR server may be asked for (never one outside fhirServer).
 * Pure functions: no I/O, no bookkeeping.
 */
import type { FhirResource } from 'fhir/r4.js';
import type { HookRequest, OrderHookContext } from '../protocol/types.js';
import { PREFETCH_TEMPLATES, type PrefetchKey } from './prefetch-templates.js';
import { isJsonObject } from '../json.js';
import { isUnderBase } from './fhir.js';

/** Who the chart is about; what every resource is checked against. */
export interface ChartSubject {
  patientId: string;
  userId: string;
  fhirServer?: string;
}

export function subjectOf(request: HookRequest): ChartSubject {
  return {
    patientId: request.context.patientId,
    userId: request.context.userId,
    ...(request.fhirServer ? { fhirServer: request.fhirServer } : {}),
  };
}

/** `Type/id` split; undefined for anything else (absolute URLs, contained refs, bare ids). */
export function parseRelativeReference(reference: string | undefined): { type: string; id: string } | undefined {
  const match = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '');
  return match?.[1] && match[2] ? { type: match[1], id: match[2] } : undefined;
}
/**
 * True when the reference names this patient: `Patient/<id>`, a bare `<id>`, `<fhirServer>/Patient/<id>`, or an
 * absolute URL under another base ending in `/Patient/<id>` (EHRs write the patient's canonical URL on Coverage),
 * a version (`/_history/n`) allowed.
 */
export function refersToPatient(reference: string | undefined, subject: ChartSubject): boolean {
  if (typeof reference !== 'string' || reference === '') return false;
  if (patientReferences(subject).includes(reference)) return true;
  if (!/^(https?|urn):/i.test(reference)) return false;
  const tail = `/Patient/${subject.patientId}`;
  const path = reference.replace(/\/_history\/[^/]+$/, '');
  return path.endsWith(tail);
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

export function referenceOf(value: unknown): string | undefined {
  return isJsonObject(value) && typeof value.reference === 'string' ? value.reference : undefined;
}

/** The reference that ties a resource to its patient, per resource type. */
export function patientReferenceOf(resource: FhirResource): string | undefined {
  switch (resource.resourceType) {
    case 'Coverage':
      return referenceOf(resource.beneficiary);
    case 'ClaimResponse':
    case 'Claim':
      return referenceOf(resource.patient);
    case 'Condition':
    case 'Observation':
    case 'MedicationRequest':
    case 'MedicationAdministration':
      return referenceOf(resource.subject);
    default:
      return undefined;
  }
}


/**
 * The FHIR query (relative to fhirServer) that stands in for a key the EHR did not prefetch, or undefined when
 * the hook context gives nothing to ask with (a user who is neither a PractitionerRole nor a Practitioner).
 */
export function fallbackQuery(
  key: PrefetchKey,
  context: Pick<OrderHookContext, 'patientId' | 'userId'>,
  templates: Readonly<Record<PrefetchKey, string>> = PREFETCH_TEMPLATES,
): string | undefined {
  if (key === 'practitionerRole') {
    const user = parseRelativeReference(context.userId);
    const include = '&_include=PractitionerRole:practitioner';
    if (user?.type === 'PractitionerRole') return `PractitionerRole?_id=${encodeURIComponent(user.id)}${include}`;
    // Typed reference form: every server accepts it, not every one resolves a bare id for a reference parameter.
    if (user?.type === 'Practitioner') return `PractitionerRole?practitioner=Practitioner/${encodeURIComponent(user.id)}${include}`;
    return undefined;
  }
  if (key === 'practitioner') {
    // A user who is a PractitionerRole names its Practitioner only inside the role: the next round reads it there.
    const user = parseRelativeReference(context.userId);
    return user?.type === 'Practitioner' ? `Practitioner?_id=${encodeURIComponent(user.id)}` : undefined;
  }
  return templates[key].replaceAll('{{context.patientId}}', encodeURIComponent(context.patientId));
}

export interface WantedReference {
  type: string;
  id: string;
  what: string;
}

/** A reference worth reading: relative, or absolute under fhirServer (never elsewhere: the token would follow). */
export function wanted(reference: string | undefined, type: string, what: string, base: URL | undefined): WantedReference[] {
  if (!reference || reference.startsWith('#')) return [];
  let relative = reference;
  if (/^https?:\/\//i.test(reference)) {
    if (!base || !isUnderBase(reference, base)) return [];
    relative = reference.slice(reference.indexOf(`/${type}/`) + 1);
  }
  const ref = parseRelativeReference(relative);
  return ref?.type === type ? [{ ...ref, what }] : [];
}
