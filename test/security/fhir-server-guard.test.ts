/**
 * The FHIR fallback over the guarded fetch, through HTTP on the real app (open mode, the default): a fhirServer at a
 * cloud-metadata, link-local or unspecified address gets no request and the answer still says what could not be
 * checked (200, never a 5xx); a FHIR server streaming an endless answer without Content-Length is cut off at the byte
 * cap; the access token goes to the fhirServer origin only. No real network: blocked addresses are refused before any
 * connection (a name is mapped to 169.254.169.254 by an injected resolver), and connecting to 0.0.0.0 would reach the
 * loopback listener below on Linux, so "the listener saw no request" proves the refusal came first.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { createGuardedFetch, type Resolve } from '../../src/security/guarded-fetch.js';
import { serviceApp } from '../support/service-app.js';

const SIGN = '/cds-services/oncology-pa-order-sign';
const TOKEN = 'secret-ehr-token-4711';

type Scenario = HookRequest & { prefetch: Record<string, FhirResource | null>; context: { draftOrders: Bundle } };

/** A real scenario with only what identifies the patient and the order prefetched: the rest must be fetched. */
function partlyPrefetched(fhirServer: string): Scenario {
  const s = JSON.parse(readFileSync('fhir-resources/scenarios/bsc-ixabepilone/dose-90-mg-over.json', 'utf8')) as Scenario;
  const keep = ['patient', 'conditions', 'medicationRequests'];
  s.prefetch = Object.fromEntries(Object.entries(s.prefetch).filter(([key]) => keep.includes(key)));
  s.fhirServer = fhirServer;
  s.fhirAuthorization = { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'cds-service' };
  return s;
}

/**
 * The answer a clinician sees when the lookups failed: one info card listing what could not be checked, each line
 * with the reason the renderer words (cards/missing-data.json), and no coverage update.
 */
function expectCouldNotCheck(body: HookResponse, reason: string): void {
  expect(body.cards).toHaveLength(1);
  expect(body.cards[0]?.indicator).toBe('info');
  const lines = (body.cards[0]?.detail ?? '').split('\n').filter((line) => /could not check/i.test(line));
  expect(lines.some((line) => line.includes('insurance coverage'))).toBe(true);
  expect(lines.every((line) => line.includes(`(${reason})`))).toBe(true);
  expect(body.systemActions ?? []).toEqual([]);
}

interface Seen {
  url: string;
  authorization: string | undefined;
}

let listener: Server;
let port: number;
const seen: Seen[] = [];
let bytesWritten = 0;
let streamsClosed = 0;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(404).end();

beforeAll(async () => {
  listener = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as AddressInfo).port;
});

afterAll(async () => {
  listener.closeAllConnections();
  await new Promise((r) => listener.close(r));
});

afterEach(() => {
  seen.length = 0;
  bytesWritten = 0;
  streamsClosed = 0;
  handler = (_req, res) => res.writeHead(404).end();
});

describe('a fhirServer at a blocked address', () => {
  it('http://169.254.169.254/fhir (cloud metadata) is never asked: 200, saying what could not be checked', async () => {
    const res = await request(serviceApp()).post(SIGN).send(partlyPrefetched('http://169.254.169.254/fhir'));
    expect(res.status).toBe(200);
    expectCouldNotCheck(res.body as HookResponse, 'access refused');
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
  });

  it('a name that resolves to 169.254.169.254 is refused at connection time: no request, 200, could not be checked', async () => {
    const asked: string[] = [];
    const resolve: Resolve = (hostname) => {
      asked.push(hostname);
      return Promise.resolve(hostname === 'fhir.ehr.test' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    };
    const app = serviceApp({}, [], createGuardedFetch({ maxResponseBytes: 10 * 1024 * 1024, resolve }));
    const res = await request(app).post(SIGN).send(partlyPrefetched(`http://fhir.ehr.test:${port}/fhir`));
    expect(res.status).toBe(200);
    expectCouldNotCheck(res.body as HookResponse, 'access refused');
    // the name was looked up (so the fallback did try) and nothing reached the loopback listener
    expect(asked).toContain('fhir.ehr.test');
    expect(seen).toEqual([]);
  });

  it('the unspecified address 0.0.0.0 (which Linux would route to the loopback listener) gets no request', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"Bundle","type":"searchset"}');
    const res = await request(serviceApp()).post(SIGN).send(partlyPrefetched(`http://0.0.0.0:${port}/fhir`));
    expect(res.status).toBe(200);
    expectCouldNotCheck(res.body as HookResponse, 'access refused');
    expect(seen).toEqual([]);
  });

  it('is asked when its base is explicitly allowlisted (entries compared after normalisation)', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"Bundle","type":"searchset"}');
    const app = serviceApp({ fhirServerAllowlist: [`http://0.0.0.0:${port}/ehr/../fhir/`] });
    const res = await request(app).post(SIGN).send(partlyPrefetched(`http://0.0.0.0:${port}/fhir`));
    expect(res.status).toBe(200);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.url.startsWith('/fhir/') && s.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });
});

describe('a FHIR answer past the byte cap', () => {
  it('is cut off while it streams without Content-Length: the connection is closed and the answer says what could not be checked', async () => {
    // a Bundle that never ends, sent chunked (no Content-Length)
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.write('{"resourceType":"Bundle","type":"searchset","entry":[');
      const timer = setInterval(() => {
        const chunk = `{"resource":{"resourceType":"Observation","id":"pad","status":"final","code":{"text":"${'x'.repeat(4096)}"}}},`;
        bytesWritten += chunk.length;
        res.write(chunk);
      }, 1);
      res.once('close', () => {
        clearInterval(timer);
        streamsClosed += 1;
      });
    };
    const cap = 64 * 1024;
    const app = serviceApp({ gather: { deadlineMs: 20_000, queryTimeoutMs: 15_000 } }, [], createGuardedFetch({ maxResponseBytes: cap }));
    const res = await request(app).post(SIGN).send(partlyPrefetched(`http://127.0.0.1:${port}/fhir`));
    expect(res.status).toBe(200);
    // cut off, not timed out: the reason is the server's failed answer, not "no answer in time"
    expectCouldNotCheck(res.body as HookResponse, 'the FHIR server returned an error');
    // every query was answered with the endless stream, and every one of them was hung up on
    expect(seen.length).toBeGreaterThan(0);
    await expect.poll(() => streamsClosed).toBe(seen.length);
    // far less than the deadline would let through (about 4 MB a second for 20 s): the cap stopped the reading
    expect(bytesWritten).toBeLessThan(seen.length * (cap + 4 * 1024 * 1024));
    // loopback stays allowed, and the token went to the fhirServer only
    expect(seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });
});
