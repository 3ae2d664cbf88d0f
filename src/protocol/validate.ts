/**
 * Request validation: only the hook envelope is refused (400 naming the field): a body that is not a JSON object,
 * `hook` / `hookInstance` / `context` missing or mistyped, no patient, or no draft order to evaluate (JSON Schema
 * draft 2020-12, compiled once, then the count of draft orders). Everything else is read defensively: a mistyped
 * `fhirServer`, `fhirAuthorization`, `prefetch` or `extension` is set aside here, and the FHIR resources are read
 * by gather's normaliser, which names what it could not read.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Bundle } from 'fhir/r4.js';
import addFormats from 'ajv-formats';
import { HttpError } from './errors.js';
import { isJsonObject } from '../json.js';
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

/** More draft orders than any signing holds: deciding each would let one call cost as much as thousands. */
export const MAX_DRAFT_ENTRIES = 100;

/**
 * Validates a hook call's envelope for `service`; returns the request typed, or throws a 400 naming the field.
 * The returned request holds only what was readable: optional members of the wrong type are left out.
 */
export function validateHookRequest(body: unknown, service: ServiceEntry): HookRequest {
  requireObjectBody(body);
  if (!hookSchema(body)) throw new HttpError(400, firstError(hookSchema.errors));
  const raw = body as unknown as Record<string, unknown> & { hook: string; hookInstance: string; context: Record<string, unknown> };
  if (raw.hook !== service.hook) {
    throw new HttpError(400, `hook "${raw.hook}" does not match service ${service.id}, which answers "${service.hook}"`);
  }
  const context = raw.context;
  const draftOrders = context.draftOrders as Record<string, unknown>;
  const entries = draftOrders.entry;
  const count = Array.isArray(entries) ? entries.length : isJsonObject(entries) ? 1 : 0;
  if (count > MAX_DRAFT_ENTRIES) throw new HttpError(400, `context.draftOrders holds ${count} entries; at most ${MAX_DRAFT_ENTRIES} are evaluated`);
  const orders = (Array.isArray(entries) ? entries : [entries]).filter((e) => isJsonObject(e) && isJsonObject(e.resource));
  if (orders.length === 0) throw new HttpError(400, 'context.draftOrders holds no draft order (no entry with a resource)');

  const fhirAuthorization = raw.fhirAuthorization;
  const token = isJsonObject(fhirAuthorization) ? fhirAuthorization.access_token : undefined;
  return {
    hook: raw.hook as HookRequest['hook'],
    hookInstance: raw.hookInstance,
    ...(typeof raw.fhirServer === 'string' && { fhirServer: raw.fhirServer }),
    ...(typeof token === 'string' && { fhirAuthorization: fhirAuthorization as unknown as NonNullable<HookRequest['fhirAuthorization']> }),
    context: {
      ...context,
      patientId: context.patientId as string,
      userId: typeof context.userId === 'string' ? context.userId : '',
      ...(Array.isArray(context.selections) && { selections: context.selections as string[] }),
      draftOrders: draftOrders as unknown as Bundle,
    },
    ...(isJsonObject(raw.prefetch) && { prefetch: raw.prefetch as NonNullable<HookRequest['prefetch']> }),
    ...(isJsonObject(raw.extension) && { extension: raw.extension }),
  };
}

export function validateFeedback(body: unknown): FeedbackRequest {
  requireObjectBody(body);
  if (!feedbackSchema(body)) throw new HttpError(400, firstError(feedbackSchema.errors));
  return body;
}
