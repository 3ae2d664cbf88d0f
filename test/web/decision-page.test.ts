/**
 * The clinician page behind each card: reachable from the card's link without credentials, by an unguessable id
 * that expires; says what matched, what is missing, the limit and why; shows no patient identifiers; not indexable.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { InMemoryDecisionStore } from '../../src/web/decision-store.js';
import { serviceApp } from '../support/service-app.js';

const SIGN = '/cds-services/oncology-pa-order-sign';
const app = serviceApp();

function scenario(name: string): HookRequest {
  return JSON.parse(readFileSync(`fhir-resources/scenarios/${name}.json`, 'utf8')) as HookRequest;
}

async function pageFor(name: string, topic: string): Promise<{ status: number; text: string; headers: Record<string, string>; url: string }> {
  const res = await request(app).post(SIGN).send(scenario(name));
  const card = (res.body as HookResponse).cards.find((c) => c.source.topic?.code === topic);
  const url = card?.links?.[0]?.url ?? '';
  expect(url).toMatch(/\/decisions\/[A-Za-z0-9_-]{24}$/);
  const page = await request(app).get(new URL(url).pathname);
  return { status: page.status, text: page.text, headers: page.headers as Record<string, string>, url };
}

function patientIdentifiers(req: HookRequest): string[] {
  const text = JSON.stringify(req);
  const found = [...text.matchAll(/"(?:family|birthDate)":\s*"([^"]+)"/g)].map((m) => m[1] ?? '');
  return [...found, req.context['patientId'] as string].filter((s) => s.length > 0);
}

describe('decision page', () => {
  it('dose over the limit: the limit and why, what matched, a link to the analyst view; no patient identifiers; noindex', async () => {
    const { status, text, headers } = await pageFor('bsc-ixabepilone/dose-90-mg-over', 'limits');
    expect(status).toBe(200);
    expect(headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(text).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(text).toContain('<meta name="viewport"');
    expect(text).toContain('The dose limit and why');
    expect(text).toContain('90 mg (50 mg/m² at BSA 1.80 m²)');
    expect(text).toContain('up to 40 mg/m² once per 21 days');
    expect(text).toContain('What matched');
    expect(text).toContain('href="../policies/bsc-ixabepilone"');
    for (const id of patientIdentifiers(scenario('bsc-ixabepilone/dose-90-mg-over'))) expect(text).not.toContain(id);
  });

  it('documentation missing: what to record, in words that survive any font', async () => {
    const { status, text } = await pageFor('bsc-ixabepilone/her2-not-documented', 'coverage-info');
    expect(status).toBe(200);
    expect(text).toContain('What is missing');
    expect(text).toMatch(/Not documented<\/span>: HER2/);
    expect(text).not.toMatch(/[✅❌❔⚠]/u);
  });

  it('an unknown or malformed id is a 404, not a page', async () => {
    expect((await request(app).get('/decisions/AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await request(app).get('/decisions/..%2Fpolicies')).status).toBe(404);
  });

  it('the store forgets a decision after its time to live', async () => {
    let now = 0;
    const store = new InMemoryDecisionStore(10, () => now);
    await store.put('a', 'x', 60);
    expect(await store.get('a')).toBe('x');
    now = 61_000;
    expect(await store.get('a')).toBeUndefined();
  });
});
