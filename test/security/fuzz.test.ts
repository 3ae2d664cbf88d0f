/**
 * Hostile input, property-based: valid order-sign requests (a scenario with full prefetch) mutated by fast-check —
 * wrong types, nulls, huge numbers, deep nesting, `__proto__` / `constructor` / `prototype` keys, long strings,
 * multiplied arrays — POSTed to the app built with the real pipeline. Every answer must be a client answer
 * (< 500) in JSON, nothing may reach Object.prototype, and the original request must get the same answer after
 * the run as before it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createPipeline } from '../../src/pipeline.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import { JsonlAuditLog } from '../../src/protocol/audit.js';
import { JsonlFeedbackStore } from '../../src/protocol/feedback.js';
import { MAX_JSON_DEPTH } from '../../src/protocol/json-guard.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const SCENARIO = 'fhir-resources/scenarios/bsc-ixabepilone/bsa-computed-kg-cm.json';
const SIGN = '/cds-services/oncology-pa-order-sign';
/** No fhirServer is on this list, so whatever a mutation puts there, no request ever leaves the test. */
const ALLOWLIST = ['https://fhir.allowlisted.invalid/fhir'];

const original = JSON.parse(readFileSync(SCENARIO, 'utf8')) as { [key: string]: Json };

function buildRealApp(): ReturnType<typeof createApp> {
  const dir = mkdtempSync(join(tmpdir(), 'cds-fuzz-'));
  const config = loadConfig({
    env: { VITEST: 'true' },
    overrides: {
      feedbackFile: join(dir, 'feedback.jsonl'), auditFile: join(dir, 'audit.jsonl'),
      fhirServerAllowlist: ALLOWLIST, gather: { deadlineMs: 500, queryTimeoutMs: 300 }, rateLimitPerMinute: 0,
      // links in cards are built from the base URL: fixed, so answers compare across supertest's ephemeral ports
      publicBaseUrl: 'https://cds.fuzz.example',
    },
  });
  const { pipeline, policiesSummary } = createPipeline(config);
  return createApp({
    config, pipeline, policiesSummary, logger: createLogger('silent'), authMode: 'open',
    cardIndex: new CardIndex(1000), feedbackStore: new JsonlFeedbackStore(config.feedbackFile),
    auditLog: new JsonlAuditLog(config.auditFile),
  });
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The answer without what differs per call: uuids (cards, assertion ids) and today's dates and times. */
function normalized(body: unknown): unknown {
  const today = new Date().toISOString().slice(0, 10);
  return JSON.parse(JSON.stringify(body), (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const v = value.replace(UUID, '<uuid>');
    return v.startsWith(today) ? '<today>' : v;
  }) as unknown;
}

/** Every path to a value inside the request, the root excluded. */
function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => { out.push([...prefix, i]); pathsOf(v, [...prefix, i], out); });
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { out.push([...prefix, k]); pathsOf(v, [...prefix, k], out); }
  }
  return out;
}

const PATHS = pathsOf(original);
const CONTAINER_PATHS: Path[] = [[], ...PATHS.filter((p) => {
  const v = get(original, p);
  return v !== null && typeof v === 'object';
})];

function get(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[step as number] : node[step as string];
  }
  return node;
}

/** Placeholders replaced in the serialized text by what JSON.stringify cannot produce. */
const HUGE = '\u0000huge\u0000';
const TINY = '\u0000tiny\u0000';

function nested(depth: number, asArray: boolean): Json {
  let v: Json = 'bottom';
  for (let i = 0; i < depth; i += 1) v = asArray ? [v] : { a: v };
  return v;
}

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 5e-324, -0, 1e21),
  fc.constantFrom(HUGE, TINY),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', 'x'.repeat(20_000), '\u0000', '\ud800', '<script>alert(1)</script>', '../../etc/passwd',
    'Patient/../../x', '2024-13-45', 'NaN', '{"__proto__":{"polluted":1}}'),
  fc.constantFrom<Json>({}, [], [null], { resourceType: 'Bundle' }, { resourceType: 'Patient', id: 'other' }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.tuple(fc.integer({ min: 5, max: 120 }), fc.boolean()).map(([d, a]) => nested(d, a)),
);

type Mutation =
  | { kind: 'set'; path: Path; value: Json }
  | { kind: 'delete'; path: Path }
  | { kind: 'poison'; path: Path; key: '__proto__' | 'constructor' | 'prototype' }
  | { kind: 'multiply'; path: Path; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }) },
  { weight: 2, arbitrary: fc.record({
    kind: fc.constant('poison' as const), path: fc.constantFrom(...CONTAINER_PATHS),
    key: fc.constantFrom('__proto__' as const, 'constructor' as const, 'prototype' as const),
  }) },
  { weight: 1, arbitrary: fc.record({
    kind: fc.constant('multiply' as const), path: fc.constantFrom(...CONTAINER_PATHS), times: fc.integer({ min: 2, max: 300 }),
  }) },
);

/** Applies the mutations to a copy and serializes it; `__proto__` is written as an own key, as an attacker would. */
function mutatedBody(mutations: Mutation[]): string {
  const copy = structuredClone(original) as Json;
  for (const m of mutations) {
    const parent = m.kind === 'poison' || m.kind === 'multiply' ? get(copy, m.path) : get(copy, m.path.slice(0, -1));
    if (parent === null || typeof parent !== 'object' || parent === undefined) continue;
    const last = m.path[m.path.length - 1];
    switch (m.kind) {
      case 'set':
        if (last !== undefined) (parent as Record<string | number, Json>)[last] = structuredClone(m.value);
        break;
      case 'delete':
        if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
        else if (last !== undefined) delete (parent as Record<string, Json>)[last];
        break;
      case 'poison':
        if (!Array.isArray(parent)) {
          Object.defineProperty(parent, m.key, { value: { polluted: 'yes', toString: 'no' }, enumerable: true, configurable: true, writable: true });
        }
        break;
      case 'multiply':
        if (Array.isArray(parent) && parent.length > 0) {
          const items = parent.slice();
          for (let i = 1; i < m.times; i += 1) parent.push(...structuredClone(items));
        }
        break;
    }
  }
  return JSON.stringify(copy).replaceAll(JSON.stringify(HUGE), '1e400').replaceAll(JSON.stringify(TINY), '-1e-400');
}

function prototypesSnapshot(): string {
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort()));
}

function expectUnpolluted(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(typeof probe.toString).toBe('function');
}

let app: ReturnType<typeof createApp>;
let baseline: { status: number; body: unknown };
const protoBefore = prototypesSnapshot();

async function post(body: string): Promise<request.Response> {
  return request(app).post(SIGN).set('Content-Type', 'application/json').send(body);
}

beforeAll(async () => {
  app = buildRealApp();
  const res = await post(JSON.stringify(original));
  baseline = { status: res.status, body: normalized(res.body) };
});

afterAll(() => {
  expect(prototypesSnapshot()).toBe(protoBefore);
});

describe('hostile input against the real pipeline', () => {
  it('the untouched scenario is answered (the baseline for later comparisons)', () => {
    expect(baseline.status).toBeLessThan(500);
  });

  it('mutated requests never get a 5xx, always JSON, and pollute nothing', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const res = await post(mutatedBody(mutations));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        if (res.status >= 400) {
          expect(res.body.resourceType).toBe('OperationOutcome');
          expect(typeof res.body.issue[0].diagnostics).toBe('string');
        } else {
          expect(Array.isArray(res.body.cards)).toBe(true);
        }
        expectUnpolluted();
      }),
      { numRuns: 150, seed: 20261123, endOnFailure: true },
    );
    // the run exercised both refusals and accepted requests
    expect([...statuses.keys()].some((s) => s === 400)).toBe(true);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect(prototypesSnapshot()).toBe(protoBefore);
  }, 60_000);

  it('refuses __proto__, constructor and prototype keys anywhere with a 400 naming the key', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype'] as const) {
      for (const path of [[], ['context'], ['prefetch', 'patient'], ['context', 'draftOrders', 'entry', 0, 'resource']] as Path[]) {
        const res = await post(mutatedBody([{ kind: 'poison', path, key }]));
        expect(res.status).toBe(400);
        expect(res.body.issue[0].diagnostics).toBe(`forbidden key "${key}" in JSON body`);
      }
    }
    expectUnpolluted();
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels with a 400, even 100,000 levels`, async () => {
    const atLimit = structuredClone(original);
    // the request is level 1, so `extension` holding n nested objects reaches level n + 1
    atLimit.extension = nested(MAX_JSON_DEPTH - 1, false);
    expect((await post(JSON.stringify(atLimit))).status).toBeLessThan(500);
    expect((await post(JSON.stringify(atLimit))).body.issue?.[0]?.diagnostics ?? '').not.toMatch(/nesting/);
    const over = structuredClone(original);
    over.extension = nested(MAX_JSON_DEPTH, false);
    const res = await post(JSON.stringify(over));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toBe(`JSON nesting deeper than ${MAX_JSON_DEPTH} levels`);
    const abyss = `{"hook":"order-sign","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const deep = await post(abyss);
    expect(deep.status).toBe(400);
    expect(deep.body.issue[0].diagnostics).toMatch(/nesting deeper/);
  });

  it('answers a prefetch bundle of 20,000 entries without a 5xx', async () => {
    const big = structuredClone(original) as { prefetch: Record<string, Json> } & Record<string, Json>;
    big.prefetch.observations = {
      resourceType: 'Bundle', type: 'searchset',
      entry: Array.from({ length: 20_000 }, (_, i) => ({
        resource: {
          resourceType: 'Observation', id: `o${i}`, status: 'final', code: { text: 'x' },
          subject: { reference: 'Patient/pat-bc-1' }, valueQuantity: { value: i, unit: 'kg' },
        },
      })),
    };
    const res = await post(JSON.stringify(big));
    expect(res.status).toBeLessThan(500);
  }, 30_000);

  it('refuses a draftOrders bundle of 20,000 entries with a 400 rather than deciding each', async () => {
    const big = structuredClone(original) as { context: { draftOrders: { entry: Json[] } } } & Record<string, Json>;
    // small orders, so the body stays under the size limit and the entry count is what is refused
    big.context.draftOrders.entry = Array.from({ length: 20_000 }, (_, i) => ({
      resource: {
        resourceType: 'MedicationRequest', id: `mr${i}`, status: 'draft', intent: 'order',
        subject: { reference: 'Patient/pat-bc-1' }, medicationCodeableConcept: { text: 'ixabepilone' },
      },
    }));
    const res = await post(JSON.stringify(big));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/^context\.draftOrders holds 20000 entries; at most 100 are evaluated$/);
  });

  it('refuses a body over the size limit with a 413', async () => {
    const res = await post(`{"pad":"${'x'.repeat(6 * 1024 * 1024)}"}`);
    expect(res.status).toBe(413);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('gives the original request the same answer after all of the above', async () => {
    const res = await post(JSON.stringify(original));
    expect(res.status).toBe(baseline.status);
    expect(normalized(res.body)).toEqual(baseline.body);
    expectUnpolluted();
  });
});
