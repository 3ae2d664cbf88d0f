/**
 * The benchmark's layer rows are only a fair split of the service's cost if the express floor answers what the
 * service answers, and the canned stack checks what the service checks: every request here gets the same status
 * and the same message from the canned stack as from the real service, and a well-formed one gets the service's
 * answer from both.
 */
import type { Bundle, Observation } from 'fhir/r4.js';
import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { defaultConfig } from '../../src/config.js';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { cannedServiceApp } from '../../scripts/lib/canned-service.js';
import { expressFloorApp } from '../../scripts/lib/express-floor.js';
import { syntheticChart } from '../../scripts/lib/synthetic-chart.js';
import { serviceApp } from '../support/service-app.js';

const HOOK = '/cds-services/oncology-pa-order-sign';
const chart = syntheticChart(200, {}).request as unknown as HookRequest;
const weightCode = loadCatalog().observations.facts.bodyWeight.loinc?.[0];

function withObservation(base: HookRequest, observation: Record<string, unknown>): HookRequest {
  const copy = structuredClone(base);
  const bundle = copy.prefetch?.['observations'] as Bundle;
  bundle.entry = [...(bundle.entry ?? []), { resource: observation as unknown as Observation }];
  return copy;
}

function observation(code: string | undefined, value: unknown): Record<string, unknown> {
  return {
    resourceType: 'Observation', id: `layers-${code}`, status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    subject: { reference: `Patient/${chart.context.patientId}` },
    effectiveDateTime: '2026-11-01',
    valueQuantity: { value },
  };
}

describe('benchmark layers', async () => {
  const service = serviceApp();
  const answer = (await request(service).post(HOOK).set('Content-Type', 'application/json').send(chart)).body as HookResponse;
  const canned = cannedServiceApp({ ...defaultConfig({}), rateLimitPerMinute: 1_000_000 }, answer, pino({ level: 'silent' }));

  it('the service answers the benchmark chart with cards', () => {
    expect(answer.cards.length).toBeGreaterThan(0);
  });

  it('the express floor and the canned stack answer a well-formed call with the service\'s answer', async () => {
    for (const app of [expressFloorApp(answer), canned]) {
      const res = await request(app).post(HOOK).set('Content-Type', 'application/json').send(chart);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(answer);
    }
  });

  const cases: Array<[string, number, () => unknown]> = [
    ['a malformed value on a weight (read around, named)', 200, () => withObservation(chart, observation(weightCode, '70'))],
    ['a malformed value on a routine lab (skipped)', 200, () => withObservation(chart, observation('718-7', '11.2'))],
    ['a draft order without its resource', 400, () => {
      const copy = structuredClone(chart);
      delete (copy.context.draftOrders.entry?.[0] as { resource?: unknown }).resource;
      return copy;
    }],
    ['no hookInstance', 400, () => ({ ...chart, hookInstance: undefined })],
    ['a forbidden key', 400, () => JSON.parse(JSON.stringify(chart).replace('"hook":', '"__proto__":{},"hook":'))],
    ['not an object', 400, () => [chart]],
  ];
  for (const [name, status, body] of cases) {
    it(`the canned stack checks as the service does: ${name} → ${status}`, async () => {
      const payload = JSON.stringify(body());
      const real = await request(service).post(HOOK).set('Content-Type', 'application/json').send(payload);
      const stack = await request(canned).post(HOOK).set('Content-Type', 'application/json').send(payload);
      expect(real.status).toBe(status);
      expect(stack.status).toBe(status);
      if (status !== 200) expect(stack.body).toEqual(real.body);
    });
  }
});
