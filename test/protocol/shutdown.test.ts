import { describe, expect, it } from 'vitest';
import { listen } from '../../src/listen.js';
import type { PipelineResult } from '../../src/protocol/pipeline.js';
import { buildApp, FIXED_RESPONSE, SIGN, validRequest } from './helpers.js';

describe('graceful shutdown', () => {
  it('finishes an in-flight call, then stops accepting connections', async () => {
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
});
