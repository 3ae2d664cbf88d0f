import { spawn, spawnSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createConnection } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/listen.js';
import type { PipelineResult } from '../../src/protocol/pipeline.js';
import { freePort } from '../../scripts/lib/local-server.js';
import { buildApp, FIXED_RESPONSE, SIGN, validRequest } from './helpers.js';

/** A call through a keep-alive agent (connections stay open after the answer, as an EHR's client keeps them). */
function call(agent: Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string; at: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers: body === undefined ? {} : {
      'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)),
    } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, text, at: Date.now() }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

function gatedApp(): { app: ReturnType<typeof buildApp>['app']; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  const { app } = buildApp({}, {
    pipeline: {
      evaluate: async (): Promise<PipelineResult> => {
        await gate;
        return { response: FIXED_RESPONSE, audit: [] };
      },
    },
  });
  return { app, release };
}

describe('graceful shutdown', () => {
  it('finishes an in-flight call, then stops accepting connections', async () => {
    const { app, release } = gatedApp();
    const running = await listen(app, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${running.port}`;

    const inFlight = fetch(`${url}${SIGN}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(validRequest()),
    });
    await new Promise((r) => setTimeout(r, 100)); // let the call reach the pipeline
    const closed = running.shutdown();
    release();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(FIXED_RESPONSE);
    await closed;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('closes each keep-alive connection as its last call ends: done within a second of the last answer, not at the client\'s keep-alive timeout', async () => {
    const { app, release } = gatedApp();
    const running = await listen(app, 0, '127.0.0.1', 30_000);
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000, maxSockets: 4 });
    try {
      // one connection left idle after a call, two busy with a signing when shutdown begins
      expect((await call(agent, running.port, 'GET', '/health')).status).toBe(200);
      const signings = [1, 2].map(() => call(agent, running.port, 'POST', SIGN, JSON.stringify(validRequest())));
      await new Promise((r) => setTimeout(r, 150));
      const closed = running.shutdown().then(() => Date.now());
      await new Promise((r) => setTimeout(r, 300)); // the calls are still running: shutdown waits for them
      release();
      const answers = await Promise.all(signings);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const lastAnswer = Math.max(...answers.map((a) => a.at));
      const closedAt = await closed;
      expect(closedAt - lastAnswer).toBeLessThan(1000);
    } finally {
      agent.destroy();
    }
  });
});

/** npm processes this file started: killed when the file ends, even after a timeout. */
const started = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); // npm passes it on
});

describe('npm start', () => {
  it('passes SIGTERM to the server: no node dist/main.js is left listening once npm start has exited', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', WEB_CONCURRENCY: '1', LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    started.add(npm);
    try {
      const deadline = Date.now() + 60_000;
      let up = false;
      while (!up && Date.now() < deadline) {
        up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 200));
      }
      expect(up).toBe(true);
      const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(npm.pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/).map(Number);
      expect(children.length).toBeGreaterThan(0);
      npm.kill('SIGTERM');
      await exited;
      await new Promise((r) => setTimeout(r, 300));
      const listening = await new Promise<boolean>((resolve) => {
        const socket = createConnection({ port, host: '127.0.0.1' });
        socket.once('connect', () => { socket.destroy(); resolve(true); });
        socket.once('error', () => resolve(false));
      });
      expect(listening).toBe(false);
      for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
    }
  }, 120_000); // builds first: slow on a loaded machine
});
