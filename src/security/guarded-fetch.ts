/**
 * A fetch for FHIR servers named by callers (`fhirServer` in a hook call), safe in every mode:
 *
 * - It refuses to connect to link-local, cloud-metadata or unspecified addresses (169.254.0.0/16 with
 *   169.254.169.254, fe80::/10, fd00:ec2::/32 with fd00:ec2::254, 100.100.100.200, 168.63.129.16, 0.0.0.0/8, ::,
 *   multicast, and their IPv4-mapped / NAT64 forms). The address checked is the one connected to: names are resolved
 *   by our own lookup, which node:net then connects to, so a name that resolves (or re-resolves) to a blocked
 *   address gets no connection; each redirect hop goes through the same check. Loopback and private networks are
 *   not blocked (an EHR's FHIR server commonly lives on one); an allowlist narrows those.
 * - A URL under an allowlisted base (compared after normalisation, see ./url.ts) is the explicit exception.
 * - It stops reading an answer past `maxResponseBytes` while it streams — at once when Content-Length says so, else
 *   as soon as the count passes the cap (after decompression) — so a huge or endless answer is never buffered.
 * - A redirect to another origin does not carry the Authorization header (the EHR's token goes only to its server).
 *
 * Same shape as the global fetch; the FHIR fallback's small client (src/gather/fhir.ts) is built on it (fhir-kit-client,
 * which calls the global fetch and cannot take one, was replaced: see README "Libraries").
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isAllowlisted } from './url.js';

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
}

const BLOCKED: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['100.100.100.200', 32, 'ipv4', 'cloud metadata'],
  ['168.63.129.16', 32, 'ipv4', 'cloud metadata'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['255.255.255.255', 32, 'ipv4', 'broadcast'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fd00:ec2::', 32, 'ipv6', 'cloud metadata'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  // NAT64 (64:ff9b::/96) forms of the IPv4 ranges above; IPv4-mapped forms are matched by BlockList itself
  ['64:ff9b::', 104, 'ipv6', 'unspecified'],
  ['64:ff9b::a9fe:0', 112, 'ipv6', 'link-local (cloud metadata)'],
];

const BLOCK_LISTS = BLOCKED.map(([address, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { list, reason };
});

/** Why an address may not be connected to, or undefined when it may. */
export function blockedAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return BLOCK_LISTS.find(({ list }) => list.check(bare, type))?.reason;
}

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
});

/** node:net's lookup, resolving with `resolve` and refusing when any address is blocked. */
function guardedLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then((all) => {
      const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
      const blocked = wanted.find((a) => blockedAddressReason(a.address) !== undefined);
      if (blocked !== undefined) {
        callback(new BlockedAddressError(`${hostname} resolves to ${blocked.address}, a ${blockedAddressReason(blocked.address)} address`), '', 4);
        return;
      }
      if (wanted.length === 0) {
        callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
        return;
      }
      if (options.all === true) (callback as (err: null, addresses: LookupAddress[]) => void)(null, wanted);
      else callback(null, wanted[0]!.address, wanted[0]!.family);
    }, (err: unknown) => callback(err as NodeJS.ErrnoException, '', 4));
  };
}

export interface GuardedFetchOptions {
  /** bytes an answer may have; more aborts it */
  maxResponseBytes: number;
  /** base URLs (normalised) exempt from the address check */
  allowlist?: readonly string[];
  /** redirects followed (redirect: 'follow'); default 5 */
  maxRedirects?: number;
  /** name resolution; default the system resolver (dns.lookup) — tests map names to addresses with it */
  resolve?: Resolve;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);

interface Outgoing {
  url: URL;
  method: string;
  headers: Headers;
  body: Buffer | undefined;
}

async function outgoing(input: string | URL | Request, init: RequestInit | undefined): Promise<Outgoing> {
  const request = input instanceof Request ? input : undefined;
  const url = new URL(input instanceof Request ? input.url : input instanceof URL ? input.href : input);
  const headers = new Headers(request?.headers);
  for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  let body: Buffer | undefined;
  const given = init?.body ?? (request?.body ? await request.arrayBuffer() : undefined);
  if (typeof given === 'string') body = Buffer.from(given);
  else if (given instanceof ArrayBuffer) body = Buffer.from(given);
  else if (ArrayBuffer.isView(given)) body = Buffer.from(given.buffer, given.byteOffset, given.byteLength);
  else if (given instanceof URLSearchParams) body = Buffer.from(given.toString());
  else if (given !== undefined && given !== null) throw new TypeError('guarded fetch: unsupported body type');
  return { url, method, headers, body };
}

/** Creates the fetch; its keep-alive agents are its own (one for checked hosts, one for allowlisted ones). */
export function createGuardedFetch(options: GuardedFetchOptions): FetchLike {
  const resolve = options.resolve ?? systemResolve;
  const allowlist = options.allowlist ?? [];
  const maxRedirects = options.maxRedirects ?? 5;
  const lookup = guardedLookup(resolve);
  const agents = {
    checked: { http: new HttpAgent({ keepAlive: true, lookup }), https: new HttpsAgent({ keepAlive: true, lookup }) },
    allowed: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
  };

  const once = (out: Outgoing, signal: AbortSignal | undefined): Promise<IncomingMessage> => {
    const { url } = out;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new TypeError(`guarded fetch: ${url.protocol} is not http(s)`));
    const exempt = isAllowlisted(url.href, allowlist);
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    // an address written in the URL is connected to without a lookup: check it here
    const literalReason = isIP(literal) !== 0 ? blockedAddressReason(literal) : undefined;
    if (!exempt && literalReason !== undefined) {
      return Promise.reject(new BlockedAddressError(`${literal} is a ${literalReason} address`));
    }
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = {};
    for (const [name, value] of out.headers) headers[name] = value;
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    if (out.body !== undefined) headers['content-length'] = String(out.body.length);
    const requestOptions: RequestOptions = {
      method: out.method,
      headers,
      agent: (exempt ? agents.allowed : agents.checked)[secure ? 'https' : 'http'],
      ...(signal && { signal }),
    };
    return new Promise<IncomingMessage>((done, fail) => {
      const req = (secure ? httpsRequest : httpRequest)(url, requestOptions, done);
      // a refusal by our lookup arrives here as the BlockedAddressError it raised
      req.once('error', fail);
      req.end(out.body);
    });
  };

  return async (input, init) => {
    let out = await outgoing(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const mode = init?.redirect ?? 'follow';
    for (let hop = 0; ; hop += 1) {
      const res = await once(out, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location !== undefined && mode !== 'manual') {
        res.resume();
        if (mode === 'error') throw new TypeError(`guarded fetch: redirect to ${location} (redirect: 'error')`);
        if (hop >= maxRedirects) throw new TypeError(`guarded fetch: more than ${maxRedirects} redirects`);
        const next = new URL(location, out.url);
        const headers = new Headers(out.headers);
        if (next.origin !== out.url.origin) {
          headers.delete('authorization');
          headers.delete('cookie');
        }
        const toGet = status === 303 || ((status === 301 || status === 302) && out.method === 'POST');
        if (toGet) {
          headers.delete('content-type');
          headers.delete('content-length');
        }
        out = { url: next, method: toGet ? 'GET' : out.method, headers, body: toGet ? undefined : out.body };
        continue;
      }
      return toResponse(res, out.url, options.maxResponseBytes, out.method);
    }
  };
}

function toResponse(res: IncomingMessage, url: URL, maxBytes: number, method: string): Response {
  const status = res.statusCode ?? 0;
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw new ResponseTooLargeError(`the answer from ${url.origin} declares ${declared} bytes, more than ${maxBytes}`);
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  let source: Readable = res;
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip()
    : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (decoder !== undefined) {
    source = res.pipe(decoder);
    res.once('error', (err) => decoder.destroy(err));
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  if (NULL_BODY.has(status) || method === 'HEAD') {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage ?? '', headers });
  }
  let seen = 0;
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      source.on('data', (chunk: Buffer) => {
        if (finished) return;
        seen += chunk.length;
        if (seen > maxBytes) {
          finished = true;
          controller.error(new ResponseTooLargeError(`the answer from ${url.origin} passed ${maxBytes} bytes; stopped reading`));
          res.destroy();
          if (source !== res) source.destroy();
          return;
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      });
      source.once('end', () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      source.once('error', (err) => {
        if (finished) return;
        finished = true;
        controller.error(err);
      });
    },
    cancel() {
      finished = true;
      res.destroy();
    },
  });
  const response = new Response(body, { status, statusText: res.statusMessage ?? '', headers });
  // Response.url is read-only and empty for constructed responses; clients that need the final URL can read this
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}
