/**
 * The orders the CDS Hooks sandbox builds (fhir-resources/sandbox/orders/*.json, each with its .expect.json), in its
 * request shape (draftOrders Bundle without `type`, `category` an object, order id `request-123`): a count of "{pill}"
 * units once to four times a day, for 30 days, on a scenario's chart. Through HTTP on both hooks: the amount of an
 * injection counted in vials is "not checkable" with a line saying what to record, the schedule is still checked
 * where it alone breaks the limit, a capsule count of a sized oral product is an amount (with a suggestion), and
 * order-select says nothing about a dose it could not read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, MedicationRequest } from 'fhir/r4.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { serviceApp } from '../support/service-app.js';

interface SandboxExpectation {
  description: string;
  orderSign: { cards: string[]; doseLine?: string; suggestedSchedule?: { frequency: number; period: number; periodUnit: string } };
  orderSelect: { noCards: string[] };
}

const DIR = 'fhir-resources/sandbox/orders';
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
  .map((f) => ({ name: f.slice(0, -'.json'.length), file: join(DIR, f) }));
const app = serviceApp(defaultConfig({}));

function topics(body: HookResponse): string[] {
  return [...new Set(body.cards.map((c) => c.source.topic?.code ?? ''))].sort();
}

describe('the sandbox orders are real sandbox orders', () => {
  it('finds some', () => expect(cases.length).toBeGreaterThanOrEqual(2));
  it.each(cases)('$name is dosed as the sandbox doses: a count of {pill} units, once a day or more', ({ file }) => {
    const hook = JSON.parse(readFileSync(file, 'utf8')) as HookRequest & { context: { draftOrders: Bundle } };
    const order = hook.context.draftOrders.entry?.map((e) => e.resource).find((r): r is MedicationRequest => r?.resourceType === 'MedicationRequest' && r.id === 'request-123');
    expect(order?.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity?.code).toBe('{pill}');
    expect(order?.dosageInstruction?.[0]?.timing?.repeat?.period).toBe(1);
    expect(hook.context.draftOrders.type).toBeUndefined();
    expect(Array.isArray(order?.category)).toBe(false);
  });
});

describe.each(cases)('sandbox order $name', ({ file }) => {
  const hook = JSON.parse(readFileSync(file, 'utf8')) as HookRequest;
  const expected = JSON.parse(readFileSync(file.replace(/\.json$/, '.expect.json'), 'utf8')) as SandboxExpectation;

  it(`order-sign: ${expected.description}`, async () => {
    const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(hook);
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    expect(topics(body)).toEqual([...new Set(expected.orderSign.cards)].sort());
    const limits = body.cards.find((c) => c.source.topic?.code === 'limits');
    if (expected.orderSign.doseLine !== undefined) expect(limits?.detail).toContain(expected.orderSign.doseLine);
    if (expected.orderSign.suggestedSchedule === undefined) {
      expect(limits?.suggestions ?? []).toEqual([]);
    } else {
      const resource = limits?.suggestions?.[0]?.actions?.[0]?.resource as MedicationRequest | undefined;
      const repeat = resource?.dosageInstruction?.[0]?.timing?.repeat;
      expect({ frequency: repeat?.frequency, period: repeat?.period, periodUnit: repeat?.periodUnit }).toEqual(expected.orderSign.suggestedSchedule);
      // the fixed order is the covered one: signed again, no limits card
      const fixed = structuredClone(hook) as HookRequest & { context: { draftOrders: Bundle } };
      const entry = fixed.context.draftOrders.entry?.find((e) => e.resource?.id === resource?.id);
      if (entry && resource) entry.resource = resource;
      const again = await request(app).post('/cds-services/oncology-pa-order-sign').send(fixed);
      expect(again.status).toBe(200);
      expect(topics(again.body as HookResponse)).not.toContain('limits');
    }
  });

  it('order-select: no dose verdict on an amount it could not read', async () => {
    const select = { ...structuredClone(hook), hook: 'order-select', context: { ...structuredClone(hook.context), selections: ['MedicationRequest/request-123'] } };
    const res = await request(app).post('/cds-services/oncology-pa-order-select').send(select);
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    expect(body.cards.length).toBeGreaterThan(0);
    for (const topic of expected.orderSelect.noCards) expect(topics(body)).not.toContain(topic);
    for (const card of body.cards) expect(card.detail ?? '').not.toMatch(/Dose check/i);
  });
});
