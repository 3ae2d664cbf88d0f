/**
 * A real redis-server (Debian's package) for the tests that need one: started on a free loopback port with no
 * persistence, stopped afterwards. Where redis-server is not installed the tests that need it are skipped, saying so
 * — except under CI=true, where a missing redis-server fails them (`.ci/run` installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/local-server.js';

const CANDIDATES = [process.env.REDIS_SERVER_PATH, '/usr/bin/redis-server', '/usr/local/bin/redis-server'];

export const REDIS_SERVER: string | undefined = CANDIDATES.find((p): p is string => p !== undefined && existsSync(p));

/** true when the tests can run; logs why they are skipped otherwise, and throws under CI. */
export function redisAvailable(suite: string): boolean {
  if (REDIS_SERVER !== undefined) return true;
  const why = `[${suite}] no redis-server (apt-get install -y redis-server, or set REDIS_SERVER_PATH)`;
  if (process.env.CI === 'true') throw new Error(`${why}: required under CI`);
  console.warn(`${why}: SKIPPED`);
  return false;
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('+PONG')); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

export async function startRedis(): Promise<RedisServer> {
  if (REDIS_SERVER === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const pidfile = join(dir, 'redis.pid');
  execFileSync(REDIS_SERVER, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'yes', '--pidfile', pidfile, '--dir', dir, '--logfile', join(dir, 'redis.log'),
  ]);
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return; // already gone
      }
      for (let i = 0; i < 100 && spawnSync('kill', ['-0', String(pid)]).status === 0; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
