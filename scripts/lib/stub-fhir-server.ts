/**
 * A deliberately small FHIR stub for the benchmark: `node:http`, the synthetic chart's resources held in memory,
 * every answer delayed by a fixed time (a remote EHR's query latency). It answers reads (`Type/id`) and searches
 * (`Type?…`) with searchset Bundles, honouring `_id`, `patient` / `subject` / `beneficiary`, `code` (token) and `_include=Type:element`
 * (as HAPI and most EHR servers do; the service asks for the user's role with its Practitioner); other parameters
 * (`status`, `use`, `_count`) are ignored, so every search is one page unless `pageSize` is set, in which case it
 * honours `_count` (capped at pageSize) and links to the next page with `_offset`.
 * Answers are serialised once per URL and cached: the stub must cost far less than the service it feeds.
 *
 * Run as a child process by scripts/bench.ts:
 *   tsx scripts/lib/stub-fhir-server.ts '{"size":500,"servers":[{"delayMs":0},{"delayMs":50,"pageSize":100}]}'
 * prints one line `{"urls":["http://127.0.0.1:…/fhir", …]}` when listening.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { syntheticChart } from './synthetic-chart.js';

export interface StubOptions {
  delayMs: number;
  /** page searches: honour `_count` up to this size and add `next` links */
  pageSize?: number;
}

const BASE_PATH = '/fhir';
const PATIENT_PARAMS = ['patient', 'subject', 'beneficiary'] as const;

function patientReference(resource: FhirResource): string | undefined {
  switch (resource.resourceType) {
    case 'Coverage':
      return resource.beneficiary.reference;
    case 'ClaimResponse':
    case 'Claim':
      return resource.patient.reference;
    case 'Condition':
    case 'Observation':
    case 'MedicationRequest':
      return resource.subject?.reference;
    default:
      return undefined;
  }
}

function outcome(code: string, diagnostics: string): string {
  return JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });
}

export class StubFhir {
  private readonly byType = new Map<string, FhirResource[]>();
  private readonly byRef = new Map<string, FhirResource>();
  private readonly cache = new Map<string, { status: number; body: string }>();

  constructor(resources: readonly FhirResource[]) {
    for (const r of resources) {
      const list = this.byType.get(r.resourceType) ?? [];
      list.push(r);
      this.byType.set(r.resourceType, list);
      if (r.id) this.byRef.set(`${r.resourceType}/${r.id}`, r);
    }
  }

  /**
   * The answer to GET `pathAndQuery` (under /fhir), cached by server and URL: servers sharing the data differ in
   * their base (fullUrl, next links) and paging.
   */
  answer(pathAndQuery: string, base: string, pageSize: number | undefined): { status: number; body: string } {
    const key = `${base}|${pageSize ?? ''}|${pathAndQuery}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const computed = this.compute(pathAndQuery, base, pageSize);
    this.cache.set(key, computed);
    return computed;
  }

  private compute(pathAndQuery: string, base: string, pageSize: number | undefined): { status: number; body: string } {
    const url = new URL(pathAndQuery, 'http://stub');
    if (!url.pathname.startsWith(`${BASE_PATH}/`)) return { status: 404, body: outcome('not-found', 'not under /fhir') };
    const path = url.pathname.slice(BASE_PATH.length + 1);
    const read = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(path);
    if (read) {
      const resource = this.byRef.get(path);
      return resource ? { status: 200, body: JSON.stringify(resource) } : { status: 404, body: outcome('not-found', `${path} not found`) };
    }
    if (!/^[A-Z][A-Za-z]+$/.test(path)) return { status: 400, body: outcome('not-supported', 'unsupported interaction') };

    let matches = this.byType.get(path) ?? [];
    const ids = url.searchParams.get('_id');
    if (ids !== null) {
      const wanted = new Set(ids.split(','));
      matches = matches.filter((r) => r.id !== undefined && wanted.has(r.id));
    }
    for (const name of PATIENT_PARAMS) {
      const value = url.searchParams.get(name);
      if (value === null) continue;
      const reference = value.includes('/') ? value : `Patient/${value}`;
      matches = matches.filter((r) => patientReference(r) === reference);
    }
    // `code` as a token search: comma-separated alternatives, `system|code` or a bare code (any system)
    const code = url.searchParams.get('code');
    if (code !== null) {
      const wanted = code.split(',').map((token) => {
        const bar = token.indexOf('|');
        return bar < 0 ? { code: token } : { system: token.slice(0, bar), code: token.slice(bar + 1) };
      });
      matches = matches.filter((r) => {
        const codings = 'code' in r && typeof r.code === 'object' && r.code !== null && 'coding' in r.code ? (r.code.coding ?? []) : [];
        return codings.some((c) => wanted.some((w) => w.code === c.code && (w.system === undefined || w.system === c.system)));
      });
    }

    const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: matches.length };
    let page = matches;
    if (pageSize !== undefined) {
      const count = Math.min(pageSize, Number(url.searchParams.get('_count') ?? pageSize) || pageSize);
      const offset = Number(url.searchParams.get('_offset') ?? '0') || 0;
      page = matches.slice(offset, offset + count);
      if (offset + count < matches.length) {
        const next = new URLSearchParams(url.searchParams);
        next.set('_count', String(count));
        next.set('_offset', String(offset + count));
        bundle.link = [{ relation: 'next', url: `${base}/${path}?${next.toString()}` }];
      }
    }
    bundle.entry = page.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode: 'match' } }));
    for (const included of this.includes(page, url.searchParams.getAll('_include'))) {
      bundle.entry.push({ fullUrl: `${base}/${included.resourceType}/${included.id ?? ''}`, resource: included, search: { mode: 'include' } });
    }
    return { status: 200, body: JSON.stringify(bundle) };
  }

  /** `_include=Type:element`: the resources the matches point to through that element, each once. */
  private includes(matches: readonly FhirResource[], specs: readonly string[]): FhirResource[] {
    const out = new Map<string, FhirResource>();
    for (const spec of specs) {
      const [type, element] = spec.split(':');
      if (!type || !element) continue;
      for (const match of matches) {
        if (match.resourceType !== type) continue;
        const value: unknown = (match as unknown as Record<string, unknown>)[element];
        for (const ref of Array.isArray(value) ? value : [value]) {
          const reference = typeof ref === 'object' && ref !== null ? (ref as { reference?: unknown }).reference : undefined;
          const target = typeof reference === 'string' ? this.byRef.get(reference) : undefined;
          if (target) out.set(reference as string, target);
        }
      }
    }
    return [...out.values()];
  }
}

export interface RunningStub {
  url: string;
  close(): Promise<void>;
}

export async function startStubFhirServer(stub: StubFhir, options: StubOptions): Promise<RunningStub> {
  let base = '';
  const server: Server = createServer((req, res) => {
    const reply = (): void => {
      if (req.method !== 'GET') {
        const body = outcome('not-supported', 'GET only');
        res.writeHead(405, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      const { status, body } = stub.answer(req.url ?? '/', base, options.pageSize);
      res.writeHead(status, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (options.delayMs > 0) setTimeout(reply, options.delayMs);
    else reply();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE_PATH}`;
  return {
    url: base,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

interface StubCommand {
  size: number;
  servers: StubOptions[];
}

async function runFromCommandLine(arg: string): Promise<void> {
  const command = JSON.parse(arg) as StubCommand;
  const stub = new StubFhir(syntheticChart(command.size).resources);
  const running = await Promise.all(command.servers.map((options) => startStubFhirServer(stub, options)));
  process.stdout.write(`${JSON.stringify({ urls: running.map((r) => r.url) })}\n`);
  const stop = (): void => {
    void Promise.all(running.map((r) => r.close())).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1]?.endsWith('stub-fhir-server.ts') && process.argv[2] !== undefined) await runFromCommandLine(process.argv[2]);
