/**
 * Open-loop load for "latency at 70 % of the maximum throughput": requests arrive as a Poisson process at the given
 * mean rate, independent of how fast earlier ones were answered, as signings from many clinicians do.
 *
 * autocannon's `overallRate` does not do this: each connection sends back to back until its quota for the current
 * second is used, and every connection's quota renews on the same tick, so the load is the maximum for most of each
 * second and nothing for the rest — its latency is the saturated latency. Here each request is sent at its
 * scheduled time on a free keep-alive connection (a new one when all are busy), and latency is measured from the
 * scheduled time, so a late send counts against the service (no coordinated omission).
 */
import { Agent, request } from 'node:http';

/** One load run's outcome: what every bench row reports, whichever generator produced it. */
export interface Load {
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  errors: number;
  requests: number;
}

/** A small deterministic generator (mulberry32), so runs offer the same arrival pattern. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function openLoopLoad(url: string, body: string, run: { seconds: number; rate: number; seed?: number }): Promise<Load> {
  const target = new URL(url);
  // Idle sockets are closed after 4 s, before the server's 5 s keep-alive timeout (node's default, which the server
  // also announces): at exactly 5 s a request can leave on a socket the server is closing, and fail through no fault
  // of either server. (Two requests to the floor failed in one run; this race is the likely cause.)
  const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 });
  const payload = Buffer.from(body);
  const next = random(run.seed ?? 42);
  const latencies: number[] = [];
  let errors = 0;
  const pending: Array<Promise<void>> = [];

  const send = (scheduled: number): Promise<void> =>
    new Promise((done) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - scheduled);
            else errors += 1;
            done();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors += 1;
        done();
      });
      req.end(payload);
    });

  const start = performance.now();
  const end = start + run.seconds * 1000;
  let at = start;
  for (;;) {
    at += (-Math.log(1 - next()) / run.rate) * 1000; // exponential gaps: a Poisson process
    if (at >= end) break;
    const wait = at - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(at));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    errors,
    requests: latencies.length + errors,
  };
}
