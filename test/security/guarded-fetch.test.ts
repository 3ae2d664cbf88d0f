/**
 * The guarded fetch for caller-named FHIR servers, on loopback: which addresses it refuses (literal, resolved, after
 * a redirect), the allowlist exception compared after normalisation, the byte cap while streaming, and the token not
 * following a redirect to another origin. Connecting to 0.0.0.0 reaches a loopback listener on Linux, so "the server
 * saw no request" proves a refusal happened before any connection.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlockedAddressError, blockedAddressReason, createGuardedFetch, ResponseTooLargeError, type Resolve,
} from '../../src/security/guarded-fetch.js';

interface Seen {
  path: string;
  host: string | undefined;
  authorization: string | undefined;
}

let server: Server;
let port: number;
const seen: Seen[] = [];
let lastStreamClosed: Promise<void> = Promise.resolve();

function route(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const to = url.searchParams.get('to');
  if (url.pathname === '/redirect' && to !== null) {
    res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: to }).end();
  } else if (url.pathname === '/big-declared') {
    res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': String(10_000_000) });
    res.write('{"resourceType":"Bundle"'); // the rest never comes: the client must not wait for it
  } else if (url.pathname === '/endless') {
    // chunked, no Content-Length, never ends on its own
    res.writeHead(200, { 'content-type': 'application/fhir+json' });
    lastStreamClosed = new Promise((closed) => res.once('close', () => closed()));
    const timer = setInterval(() => res.write(`{"pad":"${'x'.repeat(4096)}"},`), 1);
    res.once('close', () => clearInterval(timer));
  } else if (url.pathname === '/hang') {
    // never answers
  } else if (url.pathname === '/gzip-bomb') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(Buffer.alloc(5_000_000, 0x20)));
  } else if (url.pathname === '/gzip') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ resourceType: 'Patient', id: 'p1' })));
  } else {
    res.writeHead(200, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify({ resourceType: 'Patient', id: 'p1', path: url.pathname }));
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', host: req.headers.host, authorization: req.headers.authorization });
    route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Test names resolved without DNS: `*.loopback.test` is 127.0.0.1, `metadata.test` the cloud metadata address. */
const resolve: Resolve = async (hostname) => {
  if (hostname.endsWith('.loopback.test')) return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'metadata.test') return [{ address: '169.254.169.254', family: 4 }];
  if (hostname === 'nothing.test') return [{ address: '0.0.0.0', family: 4 }];
  if (hostname === 'mixed.test') return [{ address: '127.0.0.1', family: 4 }, { address: 'fe80::1', family: 6 }];
  if (hostname === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`unknown test host ${hostname}`), { code: 'ENOTFOUND' });
};

const MB = 1024 * 1024;
const hits = (path: string): number => seen.filter((s) => s.path.startsWith(path)).length;

describe('blocked addresses', () => {
  it.each([
    ['169.254.169.254', 'link-local (cloud metadata)'], ['169.254.170.2', 'link-local (cloud metadata)'],
    ['fd00:ec2::254', 'cloud metadata'], ['100.100.100.200', 'cloud metadata'], ['168.63.129.16', 'cloud metadata'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local (cloud metadata)'], ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['64:ff9b::a9fe:a9fe', 'link-local (cloud metadata)'], ['224.0.0.1', 'multicast'],
  ])('%s is refused (%s)', (address, reason) => {
    expect(blockedAddressReason(address)).toBe(reason);
  });

  it.each(['127.0.0.1', '::1', '10.1.2.3', '192.168.0.10', '172.16.0.1', 'fd12:3456::1', '93.184.216.34', '2606:2800::1'])(
    '%s is allowed (loopback, private and public networks are an allowlist\'s business)', (address) => {
      expect(blockedAddressReason(address)).toBeUndefined();
    });
});

describe('guarded fetch', () => {
  const fetchGuarded = createGuardedFetch({ maxResponseBytes: MB, resolve });

  it('reads a FHIR server on loopback like fetch does', async () => {
    const res = await fetchGuarded(`http://127.0.0.1:${port}/fhir/Patient/p1`, { headers: { accept: 'application/fhir+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/fhir+json');
    expect(await res.json()).toEqual({ resourceType: 'Patient', id: 'p1', path: '/fhir/Patient/p1' });
    // and a name resolved to loopback, sent with its own Host
    const named = await fetchGuarded(`http://ehr.loopback.test:${port}/fhir/Patient/p1`);
    expect(named.status).toBe(200);
    expect(seen.at(-1)?.host).toBe(`ehr.loopback.test:${port}`);
    // a Request object, as the gather client passes one, and a gzipped answer
    const viaRequest = await fetchGuarded(new Request(`http://127.0.0.1:${port}/gzip`, { headers: { authorization: 'Bearer t' } }));
    expect(await viaRequest.json()).toEqual({ resourceType: 'Patient', id: 'p1' });
    expect(seen.at(-1)?.authorization).toBe('Bearer t');
  });

  it.each([
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['the IPv6 metadata address', 'http://[fd00:ec2::254]/latest/meta-data/'],
    ['an IPv4-mapped metadata address', 'http://[::ffff:169.254.169.254]/latest/meta-data/'],
    ['a name that resolves to the metadata address', 'http://metadata.test/computeMetadata/v1/'],
    ['a name one of whose addresses is link-local', 'http://mixed.test/fhir'],
  ])('refuses %s before connecting', async (_what, url) => {
    await expect(fetchGuarded(url)).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('refuses the unspecified address, written or resolved: the server behind it sees no request', async () => {
    const before = hits('/secret');
    await expect(fetchGuarded(`http://0.0.0.0:${port}/secret/a`)).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(fetchGuarded(`http://nothing.test:${port}/secret/b`)).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(fetchGuarded(`http://[::]:${port}/secret/c`)).rejects.toBeInstanceOf(BlockedAddressError);
    expect(hits('/secret')).toBe(before);
  });

  it('checks every redirect hop: a loopback server redirecting to a blocked address gets the client no further', async () => {
    const before = hits('/secret');
    for (const to of [`http://0.0.0.0:${port}/secret/d`, `http://nothing.test:${port}/secret/e`, 'http://169.254.169.254/latest/meta-data/']) {
      await expect(fetchGuarded(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(to)}`)).rejects.toBeInstanceOf(BlockedAddressError);
    }
    expect(hits('/secret')).toBe(before);
    // a redirect to an allowed place is followed
    const res = await fetchGuarded(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent('/fhir/Patient/p2')}&status=307`);
    expect(await res.json()).toMatchObject({ path: '/fhir/Patient/p2' });
  });

  it("keeps the token on a same-origin redirect and drops it on a redirect to another origin", async () => {
    const other = `http://other.loopback.test:${port}/fhir/elsewhere`;
    await fetchGuarded(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(other)}`, { headers: { authorization: 'Bearer secret' } });
    expect(seen.at(-1)).toMatchObject({ path: '/fhir/elsewhere', authorization: undefined });
    await fetchGuarded(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent('/fhir/same')}`, { headers: { authorization: 'Bearer secret' } });
    expect(seen.at(-1)).toMatchObject({ path: '/fhir/same', authorization: 'Bearer secret' });
  });

  it("redirect: 'manual' hands the redirect back unfollowed", async () => {
    const res = await fetchGuarded(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent('http://169.254.169.254/')}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://169.254.169.254/');
  });

  it('lets an explicitly allowlisted base through, compared after normalisation: /fhir/../x is not under /fhir', async () => {
    const allowing = createGuardedFetch({ maxResponseBytes: MB, resolve, allowlist: [`http://0.0.0.0:${port}/fhir`] });
    const res = await allowing(`http://0.0.0.0:${port}/fhir/Patient/p1`);
    expect(await res.json()).toMatchObject({ path: '/fhir/Patient/p1' });
    const before = hits('/secret');
    await expect(allowing(`http://0.0.0.0:${port}/fhir/../secret/f`)).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(allowing(`http://0.0.0.0:${port}/fhir/%2e%2e/secret/g`)).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(allowing(`http://0.0.0.0:${port}/fhirx/secret`)).rejects.toBeInstanceOf(BlockedAddressError);
    expect(hits('/secret')).toBe(before);
  });

  it('aborts an answer whose Content-Length passes the cap, without waiting for its body', async () => {
    const small = createGuardedFetch({ maxResponseBytes: 1000, resolve });
    await expect(small(`http://127.0.0.1:${port}/big-declared`)).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('aborts an answer without Content-Length as soon as it streams past the cap, and closes the connection', async () => {
    const small = createGuardedFetch({ maxResponseBytes: 100_000, resolve });
    const res = await small(`http://127.0.0.1:${port}/endless`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toBeInstanceOf(ResponseTooLargeError);
    await lastStreamClosed; // the endless answer stopped: the connection was closed by the client
  });

  it('counts the decompressed bytes: a small gzip that inflates past the cap is aborted', async () => {
    const small = createGuardedFetch({ maxResponseBytes: 100_000, resolve });
    const res = await small(`http://127.0.0.1:${port}/gzip-bomb`);
    await expect(res.arrayBuffer()).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('honours an abort signal', async () => {
    const res = fetchGuarded(`http://127.0.0.1:${port}/hang`, { signal: AbortSignal.timeout(50) });
    await expect(res).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
  });
});
