/**
 * The FHIR fallback: what prefetch lacks is read from `fhirServer` with the hook's access token, through
 * fhir-kit-client. Every request is time-boxed and the whole gathering shares one deadline; failures become
 * typed results, never exceptions. The token goes to fhirServer only: no cross-origin `next` links, no
 * absolute references elsewhere, no redirects followed.
 */
import { Client } from 'fhir-kit-client';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import type { HookRequest } from '../protocol/types.js';
import type { Unavailable } from './types.js';
import { asFhirResource } from './prefetch.js';
import { isJsonObject } from '../json.js';

export type FailureReason = Unavailable['reason'];

/** Why the FHIR server cannot be asked at all. */
export type NoAccessReason = 'no-server' | 'no-token' | 'refused';

export type FhirAccess = { ok: true; client: Client; base: URL } | { ok: false; reason: NoAccessReason };

export interface QueryBudget {
  /** aborts when the whole gathering is out of time */
  deadline: AbortSignal;
  /** one query, all its pages */
  queryTimeoutMs: number;
  /** one HTTP request */
  fetchTimeoutMs: number;
  maxPages: number;
  maxResponseBytes: number;
}

export type QueryResult =
  | {
      ok: true;
      resources: FhirResource[];
      /** entries the server added through `_include` (search mode `include`), kept apart from the matches */
      included?: FhirResource[];
      /** set when only part was read (page limit, foreign link, timeout) */
      incomplete?: FailureReason;
    }
  | { ok: false; reason: FailureReason };

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A fhirServer is on the allowlist when it is an entry or lies under one (path boundary respected). */
export function isAllowed(fhirServer: string, allowlist: readonly string[] | undefined): boolean {
  if (allowlist === undefined) return true;
  const server = withoutTrailingSlash(fhirServer);
  return allowlist.some((entry) => {
    const allowed = withoutTrailingSlash(entry);
    return server === allowed || server.startsWith(`${allowed}/`);
  });
}

/** Parse fhirServer as an http(s) base without credentials; anything else is refused. */
function parseBase(fhirServer: string): URL | undefined {
  try {
    const url = new URL(fhirServer);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

export function openFhirAccess(request: HookRequest, allowlist?: readonly string[]): FhirAccess {
  const { fhirServer } = request;
  if (!fhirServer) return { ok: false, reason: 'no-server' };
  const base = parseBase(fhirServer);
  if (!base || !isAllowed(fhirServer, allowlist)) return { ok: false, reason: 'refused' };
  const token = request.fhirAuthorization?.access_token;
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'no-token' };
  const client = new Client({
    baseUrl: withoutTrailingSlash(fhirServer),
    customHeaders: { Authorization: `Bearer ${token}` },
    // fhir-kit-client spreads requestOptions into fetch's RequestInit: a redirect would carry the header along.
    requestOptions: { redirect: 'manual' },
  });
  return { ok: true, client, base };
}

/** Only URLs under the fhirServer base (same origin, same path prefix) may receive the token. */
export function isUnderBase(url: string, base: URL): boolean {
  let target: URL;
  try {
    target = new URL(url, `${withoutTrailingSlash(base.href)}/`);
  } catch {
    return false;
  }
  const basePath = withoutTrailingSlash(base.pathname);
  return target.origin === base.origin && (target.pathname === basePath || target.pathname.startsWith(`${basePath}/`));
}

/** Reject as soon as the signal aborts, whether or not the underlying request honours it. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // a late rejection after abort must not surface as unhandled
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

class ResponseTooLarge extends Error {}

function contentLengthOf(result: unknown): number | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const header = Client.httpFor(result as Parameters<typeof Client.httpFor>[0]).response?.headers.get('content-length');
  const length = header ? Number(header) : NaN;
  return Number.isFinite(length) ? length : undefined;
}

/** One GET through fhir-kit-client, bounded in time and size, narrowed to a FHIR resource. */
async function getResource(access: Extract<FhirAccess, { ok: true }>, url: string, signal: AbortSignal, budget: QueryBudget): Promise<FhirResource> {
  const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(budget.fetchTimeoutMs)]);
  const result: unknown = await untilAborted(access.client.request(url, { options: { signal: requestSignal } }), requestSignal);
  // fhir-kit-client has read the body by now; the header check still keeps oversized answers out of the chart.
  const length = contentLengthOf(result);
  if (length !== undefined && length > budget.maxResponseBytes) throw new ResponseTooLarge();
  const resource = asFhirResource(result);
  if (!resource) throw new Error('not a FHIR resource');
  // fhir-kit-client hangs the fetch Request (Authorization header included) and Response on the result as hidden
  // properties; a spread copy keeps own enumerable fields only, so the token never travels with the chart.
  return { ...resource };
}

function classify(err: unknown, signal: AbortSignal): FailureReason {
  if (signal.aborted) return 'timeout';
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timeout';
  return 'error';
}

/** The server's answer is read before the normaliser sees it: its links and entries are checked here. */
function nextLinkOf(bundle: Bundle): string | undefined {
  const links: unknown = bundle.link;
  if (!Array.isArray(links)) return undefined;
  for (const link of links as unknown[]) {
    if (isJsonObject(link) && link.relation === 'next' && typeof link.url === 'string') return link.url;
  }
  return undefined;
}

function entriesOf(bundle: Bundle, mode: 'include' | 'other'): FhirResource[] {
  const entries: unknown = bundle.entry;
  const list: unknown[] = Array.isArray(entries) ? entries : isJsonObject(entries) ? [entries] : [];
  const out: FhirResource[] = [];
  for (const entry of list) {
    if (!isJsonObject(entry)) continue;
    const search = entry.search;
    const included = isJsonObject(search) && search.mode === 'include';
    if (included !== (mode === 'include')) continue;
    const resource = asFhirResource(entry.resource);
    if (resource !== undefined) out.push(resource);
  }
  return out;
}

/**
 * Run a search and follow its `next` links (bounded, same base only). Returns every entry read (OperationOutcome
 * entries included, for the caller to judge). A read (`Type/id`) returns the one resource.
 */
export async function searchAll(access: Extract<FhirAccess, { ok: true }>, query: string, budget: QueryBudget): Promise<QueryResult> {
  const signal = AbortSignal.any([budget.deadline, AbortSignal.timeout(budget.queryTimeoutMs)]);
  const resources: FhirResource[] = [];
  const included: FhirResource[] = [];
  const partial = (incomplete: FailureReason): QueryResult => ({ ok: true, resources, included, incomplete });
  let url: string | undefined = query;
  for (let page = 0; url !== undefined; page += 1) {
    if (page >= budget.maxPages) return partial('error');
    if (page > 0 && !isUnderBase(url, access.base)) return partial('refused');
    // Out of time already: do not even open a connection.
    if (signal.aborted) return page === 0 ? { ok: false, reason: 'timeout' } : partial('timeout');
    let resource: FhirResource;
    try {
      resource = await getResource(access, url, signal, budget);
    } catch (err) {
      const reason = classify(err, signal);
      return page === 0 ? { ok: false, reason } : partial(reason);
    }
    if (resource.resourceType !== 'Bundle') return { ok: true, resources: [resource] };
    resources.push(...entriesOf(resource, 'other'));
    included.push(...entriesOf(resource, 'include'));
    url = nextLinkOf(resource);
  }
  return { ok: true, resources, included };
}

/** Read one referenced resource; the answer must be that very resource. */
export async function readReference(
  access: Extract<FhirAccess, { ok: true }>,
  ref: { type: string; id: string },
  budget: QueryBudget,
): Promise<QueryResult> {
  const result = await searchAll(access, `${ref.type}/${encodeURIComponent(ref.id)}`, { ...budget, maxPages: 1 });
  if (!result.ok) return result;
  const match = result.resources.filter((r) => r.resourceType === ref.type && r.id === ref.id);
  return match.length > 0 ? { ok: true, resources: match } : { ok: false, reason: 'error' };
}
