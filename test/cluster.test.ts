import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  rateLimitPerMinutePerWorker?: number;
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

describe('cluster mode, as npm start runs it (built dist/main.js)', () => {
  it('serves signings from 2 workers, replaces a killed worker, and exits 0 on SIGTERM', async () => {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cluster-test-'));
    const child = spawn(process.execPath, startCommand(), {
      env: {
        ...process.env,
        WEB_CONCURRENCY: '2',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '600',
        AUDIT_FILE: join(dir, 'audit.jsonl'),
        FEEDBACK_FILE: join(dir, 'feedback.jsonl'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const log = watchLog(child);
      const discovery = `http://127.0.0.1:${port}/cds-services`;
      await log.waitFor((lines) => started(lines).length === 2);
      expect(await discoveryStatus(discovery)).toBe(200);
      // the built code reads its schemas, card templates and policies from the project, as the TypeScript does
      const signing = await fetch(`http://127.0.0.1:${port}/cds-services/oncology-pa-order-sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: readFileSync('fhir-resources/scenarios/bsc-ixabepilone/dose-90-mg-over.json', 'utf8'),
      });
      expect(signing.status).toBe(200);
      const answer = (await signing.json()) as { cards: Array<{ summary: string }>; systemActions: unknown[] };
      expect(answer.cards.some((c) => /dose above/i.test(c.summary))).toBe(true);
      expect(answer.systemActions).toHaveLength(1);
      // the default 600 calls a minute per caller, shared by the two workers
      expect(log.lines.find((l) => l.msg === 'cluster primary forking workers')?.rateLimitPerMinutePerWorker).toBe(300);

      const victim = started(log.lines)[0]?.pid;
      expect(victim).toBeTypeOf('number');
      process.kill(victim as number, 'SIGKILL');
      await log.waitFor((lines) => lines.some((l) => l.msg === 'worker died; restarting') && started(lines).length === 3);
      expect(await discoveryStatus(discovery)).toBe(200);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
