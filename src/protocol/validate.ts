/**
 * Request validation: JSON Schema (draft 2020-12, compiled once) for shape, then the checks a schema cannot
 * express. The first problem found becomes a 400 whose message names the field.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FhirResource } from 'fhir/r4.js';
import addFormats from 'ajv-formats';
import { HttpError } from './errors.js';
import { inspectRequestFhir } from './fhir-guard.js';
import type { ServiceEntry } from './services.js';
import type { HookRequest } from './types.js';

export interface FeedbackItem {
  card: string;
  outcome: 'accepted' | 'overridden';
  acceptedSuggestions?: Array<{ id: string }>;
  overrideReason?: { reason?: { system?: string; code: string; display?: string }; userComment?: string };
  outcomeTimestamp: string;
}

export interface FeedbackRequest {
  feedback: FeedbackItem[];
}

function loadSchema(file: string): object {
  return JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as object;
}

// validateSchema off: checking our own schema files against the 2020-12 meta-schema compiles that meta-schema at
// every start-up (a few hundred ms); test/schemas.test.ts does that check once, in the test suite, instead.
const ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false, validateSchema: false });
addFormats.default(ajv);
const hookSchema: ValidateFunction<HookRequest> = ajv.compile<HookRequest>(loadSchema('cds-hooks-request.schema.json'));
const feedbackSchema: ValidateFunction<FeedbackRequest> = ajv.compile<FeedbackRequest>(loadSchema('feedback.schema.json'));

/** `/context/draftOrders/entry/0/resource` → `context.draftOrders.entry[0].resource` */
export function fieldName(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out;
}

export function describeError(error: ErrorObject): string {
  const at = fieldName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const join = (child: string): string => (at === '' ? child : `${at}.${child}`);
  switch (error.keyword) {
    case 'required':
      return `${join(String(params.missingProperty))} is required`;
    case 'dependentRequired':
      return `${join(String(params.missingProperty))} is required when ${join(String(params.property))} is present`;
    case 'pattern':
      return `${at} must match pattern ${String(params.pattern)}`;
    case 'enum':
      return `${at} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at} must be ${JSON.stringify(params.allowedValue)}`;
    case 'format':
      return `${at} must be a valid ${String(params.format)}`;
    default:
      return `${at === '' ? 'body' : at} ${error.message ?? 'is invalid'}`;
  }
}

function firstError(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  return first ? describeError(first) : 'request is invalid';
}

function requireObjectBody(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'body must be a JSON object (Content-Type: application/json)');
  }
}

/**
 * Validates a hook call for `service`; returns the request typed, or throws a 400 naming the field.
 * `readsResource`: which prefetched resources evaluation reads at all (see inspectRequestFhir).
 */
export function validateHookRequest(body: unknown, service: ServiceEntry, readsResource?: (resource: FhirResource) => boolean): HookRequest {
  requireObjectBody(body);
  if (!hookSchema(body)) throw new HttpError(400, firstError(hookSchema.errors));
  const request = body;
  if (request.hook !== service.hook) {
    throw new HttpError(400, `hook "${request.hook}" does not match service ${service.id}, which answers "${service.hook}"`);
  }
  checkSelections(request);
  const fhirProblem = inspectRequestFhir(request, readsResource);
  if (fhirProblem) throw new HttpError(400, fhirProblem);
  return request;
}

/** order-select: every selection must name a draft order (`Type/id`), or the client and we disagree on the focus. */
function checkSelections(request: HookRequest): void {
  const selections = request.context.selections;
  if (!selections) return;
  const drafts = new Set<string>();
  for (const entry of request.context.draftOrders.entry ?? []) {
    const r = entry.resource;
    if (r?.id !== undefined) drafts.add(`${r.resourceType}/${r.id}`);
  }
  selections.forEach((ref, i) => {
    if (!drafts.has(ref)) {
      throw new HttpError(400, `context.selections[${i}] "${ref}" does not refer to an entry of context.draftOrders`);
    }
  });
}

export function validateFeedback(body: unknown): FeedbackRequest {
  requireObjectBody(body);
  if (!feedbackSchema(body)) throw new HttpError(400, firstError(feedbackSchema.errors));
  return body;
}
