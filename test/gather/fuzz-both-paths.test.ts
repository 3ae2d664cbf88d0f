/**
 * Property tests on both paths, fixed seeds: whatever a request carries in its FHIR resources, and whatever a FHIR
 * server answers, the service answers (200, or 412 when needed data can be neither prefetched nor fetched), never
 * with an error a 5xx would carry. The prefetch path mutates the request's resources; the FHIR-server path serves
 * the same chart from a loopback server whose every answer is mutated.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { createPipeline } from '../../src/pipeline.js';
import { parseCardConfiguration } from '../../src/protocol/crd-configuration.js';
import { toHttpError } from '../../src/protocol/errors.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { findService } from '../../src/protocol/services.js';
import { validateHookRequest } from '../../src/protocol/validate.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const SCENARIO = 'fhir-resources/scenarios/bsc-ixabepilone/dose-90-mg-over.json';
const original = JSON.parse(readFileSync(SCENARIO, 'utf8')) as { [key: string]: Json };
const RUNS = 1000;

// Short FHIR time limits: a run whose answer the mutation made unreadable must not wait long for nothing.
const pipeline = createPipeline({ ...defaultConfig({}), gather: { deadlineMs: 1500, queryTimeoutMs: 1000 } }).pipeline;
const service = findService('oncology-pa-order-sign')!;

/** The status the service would answer with: what the hook handler does, without HTTP around it. */
async function statusOf(body: unknown): Promise<number> {
  try {
    const request = validateHookRequest(body, service);
    await pipeline.evaluate(request, { service: service.id, configuration: parseCardConfiguration(request.extension), baseUrl: 'http://localhost' });
    return 200;
  } catch (err) {
    return toHttpError(err)?.status ?? 500;
  }
}

function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => { out.push([...prefix, i]); pathsOf(v, [...prefix, i], out); });
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { out.push([...prefix, k]); pathsOf(v, [...prefix, k], out); }
  }
  return out;
}

const DELETE = Symbol('delete');
const WRAP = Symbol('wrap in an array');
type Change = Json | typeof DELETE | typeof WRAP;
const changeValue: fc.Arbitrary<Change> = fc.oneof(
  fc.constant<Change>(DELETE), fc.constant<Change>(WRAP), fc.constant<Change>(null), fc.boolean(), fc.integer(),
  fc.double(), fc.constantFrom<Json>(-90, 0, 1e308, -1e308, '2090-01-01', '1968', 'abc', '', 19680412),
  fc.string({ maxLength: 8 }),
  fc.constantFrom<Json>({}, [], [null], [{}], { resourceType: 'Bundle' }, { resourceType: 'Bundle', entry: 5 }, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'x' }] }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** A copy of `root` with each change applied at its path (a path whose container is gone is skipped). */
function mutated<T extends Json>(root: T, changes: ReadonlyArray<readonly [Path, Change]>): T {
  const copy = structuredClone(root);
  for (const [path, change] of changes) {
    let node: Json | undefined = copy;
    for (const step of path.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string | number, Json>)[step] : undefined;
    if (node === null || typeof node !== 'object' || node === undefined) continue;
    const container = node as Record<string | number, Json>;
    const last = path[path.length - 1]!;
    if (change === DELETE) {
      if (Array.isArray(container)) container.splice(Number(last), 1);
      else delete container[last];
    } else if (change === WRAP) container[last] = [container[last] ?? null];
    else container[last] = change;
  }
  return copy;
}

describe('fuzzing the prefetch path', () => {
  const paths = pathsOf(original).filter((p) => p[0] === 'prefetch' || (p[0] === 'context' && p[1] === 'draftOrders'));

  it(`${RUNS} mutated requests: never a 5xx`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...paths), changeValue), { minLength: 1, maxLength: 4 }), async (changes) => {
        const body = mutated(original, changes);
        delete (body as Record<string, Json>)['fhirServer']; // the prefetch path alone: nothing is fetched
        const status = await statusOf(body);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect([200, 400, 412]).toContain(status);
      }),
      { numRuns: RUNS, seed: 20261205, endOnFailure: true },
    );
    // the property was exercised on answered requests, not only refused ones
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 2);
  }, 600_000);
});

describe('fuzzing what the FHIR server answers', () => {
  // The chart's resources as the server holds them, per resource type.
  const prefetch = original['prefetch'] as Record<string, Json>;
  const held = new Map<string, Json[]>();
  for (const value of Object.values(prefetch)) {
    const entries = (value as { entry?: Array<{ resource: Json }> }).entry;
    for (const resource of entries !== undefined ? entries.map((e) => e.resource) : [value]) {
      const type = (resource as { resourceType: string }).resourceType;
      held.set(type, [...(held.get(type) ?? []), resource]);
    }
  }
  /** What the server answers to a URL before mutation: a read, or a searchset of every resource of the type. */
  function answerFor(url: string): Json {
    const match = /\/fhir\/([A-Za-z]+)(?:\/([^?]+))?/.exec(url);
    const type = match?.[1] ?? '';
    const resources = held.get(type) ?? [];
    if (match?.[2] !== undefined) return resources.find((r) => (r as { id?: string }).id === match[2]) ?? { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] };
    return { resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })) };
  }
  // every answer the server may give, mutated per run by the same kind of changes as requests
  const answerPaths = [...held.keys()].flatMap((type) => pathsOf(answerFor(`/fhir/${type}?x`)).map((p) => [type, p] as const));

  let server: Server;
  let base = '';
  let changesNow: ReadonlyArray<readonly [string, Path, Change]> = [];
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      const url = req.url ?? '/';
      const type = /\/fhir\/([A-Za-z]+)/.exec(url)?.[1] ?? '';
      const answer = mutated(answerFor(url), changesNow.filter(([t]) => t === type).map(([, p, c]) => [p, c] as const));
      const body = JSON.stringify(answer).replaceAll('1e+308', '1e400');
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(body);
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it(`${RUNS} mutated FHIR-server answers: never a 5xx`, async () => {
    const statuses = new Map<number, number>();
    const withoutPrefetch = { ...structuredClone(original), fhirServer: 'set per run', fhirAuthorization: { access_token: 'fuzz', token_type: 'Bearer', scope: 'patient/*.read', subject: 'cds' } } as Record<string, Json>;
    delete withoutPrefetch['prefetch'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...answerPaths), changeValue), { minLength: 1, maxLength: 4 }), async (changes) => {
        changesNow = changes.map(([[type, path], change]) => [type, path, change] as const);
        const status = await statusOf({ ...withoutPrefetch, fhirServer: base } as unknown as HookRequest);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status).toBe(200);
      }),
      { numRuns: RUNS, seed: 20261206, endOnFailure: true },
    );
    expect(requests).toBeGreaterThan(RUNS);
  }, 600_000);
});
