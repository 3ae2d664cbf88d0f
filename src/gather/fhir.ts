/**
 * The FHIR fallback: what prefetch lacks is read from `fhirServer` with the hook's access token. A small typed
 * client (GET a search or a read, follow Bundle `next` links) over the guarded fetch (src/security/guarded-fetch.ts):
 * no connection to a link-local, cloud-metadata or unspecified address unless the base is allowlisted, and answers
 * cut off past the byte cap while they stream. Every request is time-boxed and the whole gathering shares one
 * deadline; failures become typed results, never exceptions. The token goes to fhirServer only: no cross-origin
 * `next` links, no absolute references elsewhere, no redirects followed.
 */
import type { Bundle, FhirResource } from 'fhir/r4.js';
import type { HookRequest } from '../protocol/types.js';
import type { Unavailable } from './types.js';
import { asFhirResource } from './normalise.js';
import { isJsonObject } from '../json.js';
import { BlockedAddressError, type FetchLike } from '../security/guarded-fetch.js';
import { isAllowlisted } from '../security/url.js';

export type FailureReason = Unavailable['reason'];

/** Why the FHIR server cannot be asked at all. */
export type NoAccessReason = 'no-server' | 'no-token' | 'refused';

/** What a FHIR request needs: where, with which token, over which fetch. */
export type FhirAccess = { ok: true; base: URL; token: string; fetch: FetchLike } | { ok: false; reason: NoAccessReason };

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

/**
 * A fhirServer is on the allowlist when it is an entry or lies under one (path boundary respected), both compared
 * after URL normalisation (`/fhir/../x` is `/x`): see src/security/url.ts. No allowlist: every server may be asked.
 */
export function isAllowed(fhirServer: string, allowlist: readonly string[] | undefined): boolean {
  return allowlist === undefined || isAllowlisted(fhirServer, allowlist);
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

export function openFhirAccess(request: HookRequest, fetch: FetchLike, allowlist?: readonly string[]): FhirAccess {
  const { fhirServer } = request;
  if (!fhirServer) return { ok: false, reason: 'no-server' };
  const base = parseBase(fhirServer);
  if (!base || !isAllowed(fhirServer, allowlist)) return { ok: false, reason: 'refused' };
  const token = request.fhirAuthorization?.access_token;
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'no-token' };
  return { ok: true, base, token, fetch };
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

class ResponseTooLarge extends Error {
  override name = 'ResponseTooLarge';
}

class HttpStatusError extends Error {
  override name = 'HttpStatusError';
}

/**
 * The body as text, never more than `maxBytes`: a declared Content-Length over the cap is refused before reading,
 * and an undeclared one is cut off as soon as the count passes it (the guarded fetch also stops at its own cap).
 */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += value.byteLength;
    if (seen > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One GET (a search page or a read), bounded in time and size, narrowed to a FHIR resource. */
async function fetchResource(access: Extract<FhirAccess, { ok: true }>, url: string, signal: AbortSignal, maxBytes: number): Promise<FhirResource> {
  const target = new URL(url, `${withoutTrailingSlash(access.base.href)}/`);
  const response = await access.fetch(target.href, {
    method: 'GET',
    headers: { accept: 'application/fhir+json', authorization: `Bearer ${access.token}` },
    // a redirect is an error here, not a hop: the answer must come from fhirServer itself
    redirect: 'manual',
    signal,
  });
  // an error answer (often an OperationOutcome) is a failed lookup, as it was with fhir-kit-client; read no body
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new HttpStatusError(`HTTP ${response.status}`);
  }
  const text = await readCapped(response, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const resource = asFhirResource(parsed);
  if (!resource) throw new Error('not a FHIR resource');
  return resource;
}

async function getResource(access: Extract<FhirAccess, { ok: true }>, url: string, signal: AbortSignal, budget: QueryBudget): Promise<FhirResource> {
  const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(budget.fetchTimeoutMs)]);
  return untilAborted(fetchResource(access, url, requestSignal, budget.maxResponseBytes), requestSignal);
}

function classify(err: unknown, signal: AbortSignal): FailureReason {
  // the address check refused the connection: said like a server not allowed, and no request was made
  if (err instanceof BlockedAddressError) return 'refused';
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
