import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { buildApp, SIGN, validRequest } from './helpers.js';
import { LogCapture } from '../support/log-capture.js';

describe('logging', () => {
  it('redacts authorization headers, tokens and bodies', () => {
    const out = new LogCapture();
    const logger = createLogger('info', out);
    logger.info({
      req: { headers: { authorization: 'Bearer eyJ.secret' }, body: { name: 'Jane' } },
      fhirAuthorization: { access_token: 'secret-token' },
      context: { patientId: 'pat-1' },
    }, 'x');
    expect(out.text).not.toContain('eyJ.secret');
    expect(out.text).not.toContain('secret-token');
    expect(out.text).not.toContain('Jane');
    expect(out.text).not.toContain('pat-1');
  });

  it('writes one line per hook call with ids, status, timing and decisions, and no patient data', async () => {
    const out = new LogCapture();
    const { app } = buildApp({}, {}, out);
    await request(app).post(SIGN).set('Authorization', 'Bearer eyJ.secret').send(validRequest()).expect(200);
    const calls = out.lines().filter((l) => l.msg === 'hook call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea', service: 'oncology-pa-order-sign', status: 200, cards: 1,
      decisions: [{ payerId: 'blue-shield-ca', policyId: '000', policyVersion: '2024-01', covered: 'conditional', paNeeded: 'auth-needed' }],
    });
    expect(typeof calls[0]?.durationMs).toBe('number');
    for (const secret of ['pat-1', 'onc-1', 'secret-token', 'eyJ.secret', 'ixabepilone']) {
      expect(out.text).not.toContain(secret);
    }
  });

  it('logs failed calls with their status', async () => {
    const out = new LogCapture();
    const { app } = buildApp({}, {}, out);
    await request(app).post(SIGN).send({ hook: 'order-sign' }).expect(400);
    const calls = out.lines().filter((l) => l.msg === 'hook call');
    expect(calls[0]).toMatchObject({ service: 'oncology-pa-order-sign', status: 400 });
  });
});
