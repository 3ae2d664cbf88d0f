import { existsSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CardIndex } from '../../src/protocol/card-index.js';
import { MemoryState } from '../../src/shared-state/index.js';
import { buildApp, CARD_UUID, SIGN, SUGGESTION_UUID, validRequest } from './helpers.js';

const FEEDBACK = `${SIGN}/feedback`;

function lines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('feedback', () => {
  it('stores accepted and overridden feedback with card metadata and no patient data', async () => {
    const { app, feedbackFile } = buildApp();
    await request(app).post(SIGN).send(validRequest()).expect(200); // fills the card index
    const res = await request(app).post(FEEDBACK).send({
      feedback: [
        { card: CARD_UUID, outcome: 'accepted', acceptedSuggestions: [{ id: SUGGESTION_UUID }], outcomeTimestamp: '2026-11-23T10:15:00Z' },
        {
          card: CARD_UUID, outcome: 'overridden', outcomeTimestamp: '2026-11-23T10:16:00.123-05:00',
          overrideReason: {
            reason: { system: 'http://example.org/override', code: 'patient-specific', display: 'Patient-specific need' },
            userComment: 'Jane Doe, DOB 1960-01-01, MRN 12345',
          },
        },
      ],
    }).expect(200);
    expect(res.body).toEqual({});

    const stored = lines(feedbackFile);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({
      service: 'oncology-pa-order-sign', card: CARD_UUID, outcome: 'accepted', acceptedSuggestions: [SUGGESTION_UUID],
      outcomeTimestamp: '2026-11-23T10:15:00Z', cardKnown: true, topic: 'coverage-info', policyId: '000',
      policyVersion: '2024-01', payerId: 'blue-shield-ca',
    });
    expect(typeof stored[0]?.receivedAt).toBe('string');
    expect(stored[1]).toMatchObject({
      outcome: 'overridden', overrideReason: { code: 'patient-specific', display: 'Patient-specific need' },
      userCommentLength: 35, payerId: 'blue-shield-ca',
    });
    const text = readFileSync(feedbackFile, 'utf8');
    for (const phi of ['Jane', '1960-01-01', '12345', 'pat-1', 'Practitioner/onc-1', 'secret-token']) {
      expect(text).not.toContain(phi);
    }
  });

  it('stores feedback on an unknown card without metadata', async () => {
    const { app, feedbackFile } = buildApp();
    await request(app).post(FEEDBACK).send({
      feedback: [{ card: CARD_UUID, outcome: 'overridden', outcomeTimestamp: '2026-11-23T10:15:00Z' }],
    }).expect(200);
    const [line] = lines(feedbackFile);
    expect(line).toMatchObject({ cardKnown: false });
    expect(line).not.toHaveProperty('policyId');
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['accepted without acceptedSuggestions',
      { feedback: [{ card: CARD_UUID, outcome: 'accepted', outcomeTimestamp: '2026-11-23T10:15:00Z' }] },
      /^feedback\[0\]\.acceptedSuggestions is required$/],
    ['a timestamp that is not RFC 3339',
      { feedback: [{ card: CARD_UUID, outcome: 'overridden', outcomeTimestamp: '23/11/2026 10:15' }] },
      /^feedback\[0\]\.outcomeTimestamp must be a valid date-time$/],
    ['a timestamp without a time zone',
      { feedback: [{ card: CARD_UUID, outcome: 'overridden', outcomeTimestamp: '2026-11-23T10:15:00' }] },
      /^feedback\[0\]\.outcomeTimestamp must be a valid date-time$/],
    ['an unknown outcome',
      { feedback: [{ card: CARD_UUID, outcome: 'ignored', outcomeTimestamp: '2026-11-23T10:15:00Z' }] },
      /^feedback\[0\]\.outcome must be one of "accepted", "overridden"$/],
    ['a card that is not a uuid',
      { feedback: [{ card: 'card-1', outcome: 'overridden', outcomeTimestamp: '2026-11-23T10:15:00Z' }] },
      /^feedback\[0\]\.card must be a valid uuid$/],
    ['no feedback array', { outcome: 'accepted' }, /^feedback is required$/],
  ];
  for (const [what, body, message] of invalid) {
    it(`400 for ${what}`, async () => {
      const { app, feedbackFile } = buildApp();
      const res = await request(app).post(FEEDBACK).send(body as object).expect(400);
      expect(res.body.issue[0].diagnostics).toMatch(message);
      expect(existsSync(feedbackFile)).toBe(false);
    });
  }

  it('404 for feedback to an unknown service', async () => {
    const { app } = buildApp();
    await request(app).post('/cds-services/nope/feedback').send({ feedback: [] }).expect(404);
  });
});

describe('card index', () => {
  it('forgets the card written longest ago beyond its capacity', async () => {
    const index = new CardIndex(2);
    await index.remember('a', { service: 's' });
    await index.remember('b', { service: 's' });
    await index.remember('c', { service: 's', policyId: '001' });
    expect(await index.lookup('a')).toBeUndefined();
    expect(await index.lookup('b')).toEqual({ service: 's' });
    expect(await index.lookup('c')).toEqual({ service: 's', policyId: '001' });
  });

  it('forgets a card after its time to live', async () => {
    let now = 1_000_000;
    const index = new CardIndex(10, { state: new MemoryState({ now: () => now, sweepEveryMs: 0 }), ttlSeconds: 60 });
    await index.remember('a', { service: 's' });
    now += 59_000;
    expect(await index.lookup('a')).toEqual({ service: 's' });
    now += 2_000;
    expect(await index.lookup('a')).toBeUndefined();
  });
});
