/**
 * npm run soak -- --minutes N [--url http://localhost:3000] [--rate R] [--concurrency C] [--mix all|good]
 *                 [--key signing-key.jwk.json --iss https://ehr.example.org]
 *
 * Mixed good and bad traffic against a RUNNING service for N minutes (fractions allowed): good order-sign /
 * order-select calls built from fhir-resources/scenarios (fresh hookInstance each), and bad ones — invalid
 * JSON, schema-invalid, unknown service, an oversized body, and (when the service runs with JWT auth) a bad
 * token. Requests are sent open-loop at R per second (default 8), at most C in flight (default 32). `--mix good`
 * sends only good calls: `--rate 100 --mix good` is one EHR signing 100 orders a second (a large health system's
 * peak, all from one IP, and with --key from one issuer), which the default rate limit must never throttle; the
 * summary says how many of its calls got 429.
 *
 * With JWT auth on, good calls need a token: --key names a private JWK (with kid and alg) whose public half is
 * in a trusted issuer's JWKS, --iss that issuer; without --key, good calls go without a token and 401 is what
 * they are expected to get.
 *
 * Prints counts per kind and status, unexpected answers (5xx, a status the kind should not get, connection
 * errors), latency p50/p95/p99/max, and the service's RSS (from GET /health) at start, peak and end. Exits 1
 * when anything unexpected happened.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';

interface Args {
  minutes: number;
  url: string;
  rate: number;
  concurrency: number;
  keyFile?: string;
  iss?: string;
  mix: 'all' | 'good';
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run soak -- --minutes N [--url http://localhost:3000] [--rate R] [--concurrency C] [--key file.jwk.json --iss ISS]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { minutes: Number.NaN, url: 'http://localhost:3000', rate: 8, concurrency: 32, mix: 'all' };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`${flag} needs a value`);
    i += 1;
    switch (flag) {
      case '--minutes': args.minutes = Number(value); break;
      case '--url': args.url = value.replace(/\/+$/, ''); break;
      case '--rate': args.rate = Number(value); break;
      case '--concurrency': args.concurrency = Number(value); break;
      case '--key': args.keyFile = value; break;
      case '--iss': args.iss = value; break;
      case '--mix':
        if (value !== 'all' && value !== 'good') usage('--mix must be all or good');
        args.mix = value;
        break;
      default: usage(`unknown option ${flag}`);
    }
  }
  if (!(args.minutes > 0)) usage('--minutes must be a positive number');
  if (!(args.rate > 0)) usage('--rate must be a positive number');
  if (!(args.concurrency >= 1)) usage('--concurrency must be at least 1');
  if ((args.keyFile === undefined) !== (args.iss === undefined)) usage('--key and --iss go together');
  return args;
}

type Kind = 'good' | 'invalid-json' | 'schema-invalid' | 'unknown-service' | 'oversized' | 'bad-jwt';

/** What each kind of call should get; 429 (rate limited) is always acceptable and counted on its own. */
const EXPECTED: Record<Kind, readonly number[]> = {
  good: [200, 412],
  'invalid-json': [400],
  'schema-invalid': [400],
  'unknown-service': [404],
  oversized: [413],
  'bad-jwt': [401],
};

interface Scenario {
  name: string;
  hook: string;
  body: Record<string, unknown>;
}

function loadScenarios(root = 'fhir-resources/scenarios'): Scenario[] {
  const out: Scenario[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(join(root, dir.name))) {
      if (!file.endsWith('.json') || file.endsWith('.expect.json')) continue;
      const body = JSON.parse(readFileSync(join(root, dir.name, file), 'utf8')) as Record<string, unknown>;
      if (typeof body.hook === 'string') out.push({ name: `${dir.name}/${file}`, hook: body.hook, body });
    }
  }
  if (out.length === 0) usage(`no scenario requests under ${root}`);
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function health(url: string): Promise<{ auth?: string; rssMb?: number }> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { auth?: string; memory?: { rssMb?: number } };
    return { ...(body.auth !== undefined && { auth: body.auth }), ...(body.memory?.rssMb !== undefined && { rssMb: body.memory.rssMb }) };
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenarios = loadScenarios();
  const start = await health(args.url);
  if (start.auth === undefined) {
    console.error(`cannot reach ${args.url}/health — is the service running?`);
    process.exit(2);
  }
  const jwtMode = start.auth === 'jwt';
  let signer: ((aud: string) => Promise<string>) | undefined;
  if (args.keyFile !== undefined && args.iss !== undefined) {
    const jwk = JSON.parse(readFileSync(args.keyFile, 'utf8')) as JWK;
    if (typeof jwk.kid !== 'string' || typeof jwk.alg !== 'string') usage('the --key JWK needs kid and alg');
    const key = await importJWK(jwk, jwk.alg);
    const iss = args.iss;
    signer = (aud) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss, aud, iat: now, exp: now + 300, jti: randomUUID() })
        .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid!, typ: 'JWT' }).sign(key);
    };
  }
  const goodExpected = jwtMode && !signer ? [401] : EXPECTED.good;
  if (jwtMode && !signer) console.log('service requires JWT and no --key was given: good calls go without a token (expect 401)');

  const weights: Array<[Kind, number]> = args.mix === 'good' ? [['good', 1]] : [
    ['good', 70], ['invalid-json', 6], ['schema-invalid', 6], ['unknown-service', 6], ['oversized', 2],
    ...(jwtMode ? [['bad-jwt', 10] as [Kind, number]] : []),
  ];
  const totalWeight = weights.reduce((n, [, w]) => n + w, 0);
  const pickKind = (): Kind => {
    let r = Math.random() * totalWeight;
    for (const [kind, w] of weights) { r -= w; if (r < 0) return kind; }
    return 'good';
  };
  const oversized = `{"hook":"order-sign","pad":"${'x'.repeat(6 * 1024 * 1024)}"}`;

  const counts = new Map<string, number>();
  const unexpected = new Map<string, number>();
  const latencies: number[] = [];
  const goodLatencies: number[] = [];
  let sent = 0;
  let throttled = 0;
  let goodSent = 0;
  let goodThrottled = 0;
  let clientSaturated = 0;
  let inFlight = 0;
  let peakRss: number | undefined = start.rssMb;
  const bump = (map: Map<string, number>, key: string): void => { map.set(key, (map.get(key) ?? 0) + 1); };

  async function once(kind: Kind): Promise<void> {
    const scenario = scenarios[Math.floor(Math.random() * scenarios.length)]!;
    const service = scenario.hook === 'order-select' ? 'oncology-pa-order-select' : 'oncology-pa-order-sign';
    let path = `/cds-services/${service}`;
    let body: string;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const fresh = { ...scenario.body, hookInstance: randomUUID() };
    switch (kind) {
      case 'good': body = JSON.stringify(fresh); break;
      case 'invalid-json': body = JSON.stringify(fresh).slice(0, 200); break;
      case 'schema-invalid': body = JSON.stringify({ ...fresh, hookInstance: 'not-a-uuid', context: { patientId: 7 } }); break;
      case 'unknown-service': path = `/cds-services/no-such-service-${Math.floor(Math.random() * 1000)}`; body = JSON.stringify(fresh); break;
      case 'oversized': body = oversized; break;
      case 'bad-jwt': body = JSON.stringify(fresh); headers.authorization = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl'; break;
    }
    if (signer && kind !== 'bad-jwt') headers.authorization = `Bearer ${await signer(`${args.url}${path}`)}`;
    const expected = kind === 'good' ? goodExpected : EXPECTED[kind];
    const t0 = performance.now();
    try {
      const res = await fetch(`${args.url}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      latencies.push(ms);
      if (kind === 'good') goodLatencies.push(ms);
      bump(counts, `${kind} ${res.status}`);
      if (kind === 'good') goodSent += 1;
      if (res.status === 429) {
        throttled += 1;
        if (kind === 'good') goodThrottled += 1;
      }
      else if (res.status >= 500 || !expected.includes(res.status)) bump(unexpected, `${kind} → HTTP ${res.status}`);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      bump(counts, `${kind} ${cause}`);
      bump(unexpected, `${kind} → ${cause}`);
    }
  }

  const durationMs = args.minutes * 60_000;
  const began = Date.now();
  const pending = new Set<Promise<void>>();
  console.log(`soak: ${args.minutes} min against ${args.url} at ${args.rate}/s (auth ${start.auth}), ` +
    `${scenarios.length} scenario requests; RSS at start ${start.rssMb ?? '?'} MB`);

  const monitor = setInterval(() => {
    void health(args.url).then((h) => {
      if (h.rssMb !== undefined) peakRss = Math.max(peakRss ?? 0, h.rssMb);
      const bad = [...unexpected.values()].reduce((n, v) => n + v, 0);
      console.log(`  ${Math.round((Date.now() - began) / 1000)} s: sent ${sent}, unexpected ${bad}, RSS ${h.rssMb ?? '?'} MB`);
    });
  }, 10_000);

  const intervalMs = 1000 / args.rate;
  let next = performance.now();
  while (Date.now() - began < durationMs) {
    if (inFlight >= args.concurrency) clientSaturated += 1;
    else {
      inFlight += 1;
      sent += 1;
      const p = once(pickKind()).finally(() => { inFlight -= 1; pending.delete(p); });
      pending.add(p);
    }
    next += intervalMs;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
  clearInterval(monitor);
  const end = await health(args.url);
  if (end.rssMb !== undefined) peakRss = Math.max(peakRss ?? 0, end.rssMb);

  const fmt = (n: number): string => (Number.isNaN(n) ? '-' : n.toFixed(1));
  const sorted = [...latencies].sort((a, b) => a - b);
  const sortedGood = [...goodLatencies].sort((a, b) => a - b);
  console.log(`\nrequests: ${sent} in ${((Date.now() - began) / 1000).toFixed(0)} s` +
    `${clientSaturated > 0 ? ` (${clientSaturated} ticks skipped: ${args.concurrency} already in flight)` : ''}`);
  console.log('by kind and status:');
  for (const [key, n] of [...counts.entries()].sort()) console.log(`  ${key.padEnd(28)} ${n}`);
  console.log(`rate limited (429): ${throttled}`);
  const achieved = goodSent / ((Date.now() - began) / 1000);
  console.log(`one caller's good calls: ${goodSent} at ${achieved.toFixed(1)}/s achieved; ${goodThrottled} got 429` +
    `${goodThrottled === 0 ? ' (never throttled)' : ''}`);
  const unexpectedTotal = [...unexpected.values()].reduce((n, v) => n + v, 0);
  console.log(`unexpected (5xx, wrong status, connection errors): ${unexpectedTotal}`);
  for (const [key, n] of unexpected) console.log(`  ${key}: ${n}`);
  console.log(`latency ms, all:  p50 ${fmt(percentile(sorted, 50))}  p95 ${fmt(percentile(sorted, 95))}  ` +
    `p99 ${fmt(percentile(sorted, 99))}  max ${fmt(sorted[sorted.length - 1] ?? Number.NaN)}`);
  console.log(`latency ms, good: p50 ${fmt(percentile(sortedGood, 50))}  p95 ${fmt(percentile(sortedGood, 95))}  ` +
    `p99 ${fmt(percentile(sortedGood, 99))}  max ${fmt(sortedGood[sortedGood.length - 1] ?? Number.NaN)}`);
  if (start.rssMb === undefined) console.log('(this service does not report memory.rssMb in /health)');
  console.log(`service RSS MB: start ${start.rssMb ?? '?'}, peak ${peakRss ?? '?'}, end ${end.rssMb ?? '?'}`);
  process.exit(unexpectedTotal > 0 ? 1 : 0);
}

await main();
