import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { RESTART_BACKOFF, restartDelayMs, webConcurrency } from '../src/cluster.js';
import { freePort } from '../scripts/lib/local-server.js';

describe('WEB_CONCURRENCY', () => {
  it('defaults to the number of cores, at least one', () => {
    expect(webConcurrency({}, 8)).toBe(8);
    expect(webConcurrency({ WEB_CONCURRENCY: '' }, 2)).toBe(2);
    expect(webConcurrency({}, 0)).toBe(1);
  });

  it('takes a whole number from 1 to 256', () => {
    expect(webConcurrency({ WEB_CONCURRENCY: '1' }, 8)).toBe(1);
    expect(webConcurrency({ WEB_CONCURRENCY: ' 3 ' }, 8)).toBe(3);
  });

  it.each(['0', '-1', '1.5', 'many', '257'])('refuses %j, naming the setting', (value) => {
    expect(() => webConcurrency({ WEB_CONCURRENCY: value }, 2)).toThrow(ConfigError);
    expect(() => webConcurrency({ WEB_CONCURRENCY: value }, 2)).toThrow(/WEB_CONCURRENCY/);
  });
});

describe('restart backoff', () => {
  it('doubles from the first delay and stops at the maximum', () => {
    expect(restartDelayMs(1)).toBe(RESTART_BACKOFF.firstMs);
    expect(restartDelayMs(2)).toBe(2 * RESTART_BACKOFF.firstMs);
    expect(restartDelayMs(3)).toBe(4 * RESTART_BACKOFF.firstMs);
    expect(restartDelayMs(1000)).toBe(RESTART_BACKOFF.maxMs);
  });
});

interface LogLine {
  msg?: string;
  role?: string;
  pid?: number;
  sharedState?: string;
}

/** Lines the child logged so far, and a way to wait for one. */
function watchLog(child: ChildProcess): { lines: LogLine[]; waitFor: (test: (lines: LogLine[]) => boolean) => Promise<void> } {
  const lines: LogLine[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        // not a log line
      }
      newline = buffer.indexOf('\n');
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const waitFor = async (test: (lines: LogLine[]) => boolean): Promise<void> => {
    while (!test(lines)) {
      if (child.exitCode !== null) throw new Error(`cluster exited early with ${child.exitCode}`);
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { lines, waitFor };
}

async function discoveryStatus(url: string): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.status;
    } catch {
      await new Promise((r) => setTimeout(r, 50)); // not listening yet
    }
  }
}

const started = (lines: LogLine[]): LogLine[] => lines.filter((l) => l.role === 'primary' && l.msg === 'worker started');

/** `npm start` is `npm run build && node <flags> dist/main.js`: the test runs the same, from package.json. */
function startCommand(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const tokens = start.split(/\s+/);
  return tokens.slice(tokens.lastIndexOf('node') + 1);
}

/** One HTTP call on a connection of its own (as separate clients, or a load balancer, would make it). */
function freshCall(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string):
Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: {
      ...headers, ...(body !== undefined && { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

const ISS = 'https://ehr.example.org';
const PUBLIC_BASE_URL = 'http://cds.example.org';
const SIGN_PATH = '/cds-services/oncology-pa-order-sign';

/** Cluster processes this file started and has not seen exit: killed when the file ends, whatever happened. */
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); // the primary stops its workers
});

describe('cluster mode, as npm start runs it (built dist/main.js)', () => {
  it('2 workers with default settings share replay record, rate counters, card index and decision pages through the primary, across a worker restart; SIGTERM exits 0', async () => {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cluster-test-'));
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const sign = (path = SIGN_PATH, jti: string = randomUUID()): Promise<string> => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: ISS, aud: `${PUBLIC_BASE_URL}${path}`, iat: now, exp: now + 300, jti })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' }).sign(privateKey);
    };
    const child = spawn(process.execPath, startCommand(), {
      env: {
        ...process.env,
        WEB_CONCURRENCY: '2',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: ISS, jwks: { keys: [jwk] } }]),
        PUBLIC_BASE_URL,
        RATE_LIMIT_PER_MINUTE: '',
        REDIS_URL: '',
        AUDIT_FILE: join(dir, 'audit.jsonl'),
        FEEDBACK_FILE: join(dir, 'feedback.jsonl'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    running.add(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { running.delete(child); resolve(code); }));
    try {
      const log = watchLog(child);
      const discovery = `http://127.0.0.1:${port}/cds-services`;
      await log.waitFor((lines) => started(lines).length === 2);
      expect(await discoveryStatus(discovery)).toBe(200);
      expect(log.lines.find((l) => l.msg === 'cluster primary forking workers')?.sharedState).toBe('primary');

      // the built code reads its schemas, card templates and policies from the project, as the TypeScript does
      const body = readFileSync('fhir-resources/scenarios/bsc-ixabepilone/dose-90-mg-over.json', 'utf8');
      const token = await sign();
      const signing = await freshCall(port, 'POST', SIGN_PATH, { authorization: `Bearer ${token}` }, body);
      expect(signing.status).toBe(200);
      const answer = JSON.parse(signing.body) as { cards: Array<{ uuid: string; summary: string }>; systemActions: unknown[] };
      expect(answer.cards.some((c) => /dose above/i.test(c.summary))).toBe(true);
      expect(answer.systemActions).toHaveLength(1);

      // six replays of that token, each on a new connection (so spread over both workers): all refused
      const replays = [];
      for (let i = 0; i < 6; i += 1) replays.push(await freshCall(port, 'POST', SIGN_PATH, { authorization: `Bearer ${token}` }, body));
      expect(replays.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
      for (const r of replays) expect(r.body).toMatch(/jti was already used \(replay\)/);

      // one caller, one budget: the remaining count falls by one per call whichever worker answers
      const remaining: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await freshCall(port, 'POST', SIGN_PATH, { authorization: `Bearer ${await sign()}` }, body);
        expect(res.status).toBe(200);
        remaining.push(Number(/r=(\d+)/.exec(String(res.headers.ratelimit))?.[1]));
      }
      expect(remaining.slice(1).map((r, i) => remaining[i]! - r)).toEqual([1, 1, 1]);

      // feedback on the card, sent twice on new connections: both workers find what the card was about
      const card = answer.cards[0]!.uuid;
      const feedbackPath = `${SIGN_PATH}/feedback`;
      for (let i = 0; i < 2; i += 1) {
        const res = await freshCall(port, 'POST', feedbackPath, { authorization: `Bearer ${await sign(feedbackPath)}` },
          JSON.stringify({ feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-01-01T10:00:00Z' }] }));
        expect(res.status).toBe(200);
      }

      // the card's clinician page opens from either worker (the link is followed without credentials)
      const links = (answer.cards as Array<{ links?: Array<{ url: string }> }>).flatMap((c) => c.links ?? []).map((l) => l.url);
      const decisionPath = links.map((u) => new URL(u).pathname).find((p) => p.startsWith('/decisions/'));
      expect(decisionPath).toBeTypeOf('string');
      const pages = [];
      for (let i = 0; i < 4; i += 1) pages.push((await freshCall(port, 'GET', decisionPath as string)).status);
      expect(pages).toEqual([200, 200, 200, 200]);

      const victim = started(log.lines)[0]?.pid;
      expect(victim).toBeTypeOf('number');
      process.kill(victim as number, 'SIGKILL');
      await log.waitFor((lines) => lines.some((l) => l.msg === 'worker died; restarting') && started(lines).length === 3);
      expect(await discoveryStatus(discovery)).toBe(200);
      // the replay record lives in the primary: the new worker refuses the token too
      for (let i = 0; i < 2; i += 1) {
        expect((await freshCall(port, 'POST', SIGN_PATH, { authorization: `Bearer ${token}` }, body)).status).toBe(401);
      }

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const feedback = readFileSync(join(dir, 'feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cardKnown: boolean; policyId?: string });
      expect(feedback).toHaveLength(2);
      for (const f of feedback) expect(f).toMatchObject({ cardKnown: true, policyId: expect.any(String) });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000); // a build, two workers, a restart: on a loaded machine this takes well over the default 20 s
});
