/**
 * The payer has a policy for the drug, but not for the member's plan: no coverage asserted, one info card saying so
 * in plain words (which plan, which plans the policy is for), the payer as source, switchable by the CRD
 * configuration. HTTP in, card and (no) coverage information out, on the shipped Medi-Cal scenario and on the
 * renderer directly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Bundle } from 'fhir/r4.js';
import { renderResponseWithMetadata, type RenderInput } from '../../src/cards/render.js';
import type { HookResponse } from '../../src/protocol/types.js';
import { assertCrdResponse, assertInfernoServerSuite } from '../support/crd-assert.js';
import { expectGolden } from '../support/golden.js';
import { serviceApp } from '../support/service-app.js';

const TOPICS = 'http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp';
const MEDI_CAL = 'fhir-resources/scenarios/bsc-blinatumomab/medi-cal-member-commercial-policy-not-applied.json';

function input(overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    hook: 'order-sign',
    evaluations: [],
    configuration: { enabled: {}, maxCards: 10 },
    baseUrl: 'https://cds.example.org/',
    today: '2026-12-01',
    plansWithoutPolicy: [
      {
        brand: 'Blincyto',
        orderReference: 'MedicationRequest/draft-blin-1',
        payerId: 'blue-shield-ca',
        payerName: 'Blue Shield of California',
        lineOfBusiness: 'medicaid',
        policies: [{ id: 'bsc-blinatumomab', version: '2026-01', title: 'Blinatumomab (Blincyto)', linesOfBusiness: ['commercial', 'marketplace'] }],
      },
    ],
    ...overrides,
  };
}

describe('no-policy-for-plan card (renderer)', () => {
  it('info, coverage-info, the payer as source: names the member\'s plan and the plans the policy is for; links the policy', () => {
    const rendered = renderResponseWithMetadata(input());
    const [card] = rendered.response.cards;
    expect(rendered.response.cards).toHaveLength(1);
    expect(card).toMatchObject({ indicator: 'info', source: { label: 'Blue Shield of California', topic: { system: TOPICS, code: 'coverage-info' } } });
    expect(card?.summary).toBe("Blincyto: Blue Shield of California has no policy for this member's Medicaid plan; coverage not checked");
    expect(card?.summary.length).toBeLessThan(140);
    expect(card?.detail).toContain('**Medicaid**');
    expect(card?.detail).toContain('for Commercial and Marketplace (HIM) plans only');
    expect(card?.links).toEqual([expect.objectContaining({ url: 'https://cds.example.org/policies/bsc-blinatumomab', type: 'absolute' })]);
    expect(card?.extension).toEqual({ 'davinci-crd.associated-resource': 'MedicationRequest/draft-blin-1' });
    expect(Object.values(rendered.cards)).toEqual([{ cardType: 'no-policy-for-plan', topic: 'coverage-info', payerId: 'blue-shield-ca', policyId: 'bsc-blinatumomab', policyVersion: '2026-01' }]);
    expect(rendered.response.systemActions).toEqual([]);
    expect(rendered.assertions).toEqual([]);
    expectGolden('no-policy-for-plan', rendered.response.cards);
  });

  it('a line of business the template does not name is shown as written; switched off, no card', () => {
    const other = input({ plansWithoutPolicy: [{ ...input().plansWithoutPolicy![0]!, lineOfBusiness: 'tricare' }] });
    expect(renderResponseWithMetadata(other).response.cards[0]?.summary).toContain("member's tricare plan");
    const off = renderResponseWithMetadata(input({ configuration: { enabled: { 'no-policy-for-plan': false }, maxCards: 10 } }));
    expect(off.response.cards).toEqual([]);
  });
});

describe('no-policy-for-plan card over HTTP (order-sign)', () => {
  const app = serviceApp();
  const hook = JSON.parse(readFileSync(MEDI_CAL, 'utf8')) as { context: { draftOrders: Bundle }; extension?: unknown };

  it('a Medi-Cal member under a Commercial-only policy: one info card, no coverage asserted, Inferno rules held', async () => {
    const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(hook);
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    assertCrdResponse(body, hook.context.draftOrders);
    assertInfernoServerSuite(body, hook.context.draftOrders, { hook: 'order-sign', expectCoverageInformation: false });
    expect(body.systemActions).toEqual([]);
    expect(body.cards).toHaveLength(1);
    expect(body.cards[0]).toMatchObject({ indicator: 'info', source: { label: 'Blue Shield of California', topic: { code: 'coverage-info' } } });
    // the line of business, and beside it the plan the Coverage names (Coverage.class plan "Medi-Cal")
    expect(body.cards[0]?.detail).toContain('This member\'s coverage: **Medicaid** (plan on the coverage: Medi-Cal)');
    expect(body.cards[0]?.detail).toContain('for Commercial plans only');
  });

  it('a client switches it off with the CRD configuration option advertised in discovery', async () => {
    const discovery = await request(app).get('/cds-services');
    const options = (discovery.body as { services: Array<{ extension: Record<string, Array<{ code: string; type: string; default: unknown }>> }> }).services[0]?.extension['davinci-crd.configuration-options'];
    expect(options).toContainEqual(expect.objectContaining({ code: 'no-policy-for-plan', type: 'boolean', default: true }));
    const off = await request(app)
      .post('/cds-services/oncology-pa-order-sign')
      .send({ ...hook, extension: { 'davinci-crd.configuration': { 'no-policy-for-plan': false } } });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ cards: [], systemActions: [] });
  });

  it('two draft orders of the drug in one signing (cycle 1 days 1-7 and 8-28): one card, not one per order', async () => {
    const [entry] = hook.context.draftOrders.entry ?? [];
    if (entry?.resource?.resourceType !== 'MedicationRequest') throw new Error('no draft order');
    const second = { ...entry.resource, id: `${entry.resource.id ?? 'draft'}-days-8-28` };
    const draftOrders: Bundle = { ...hook.context.draftOrders, entry: [entry, { fullUrl: `urn:uuid:${second.id}`, resource: second }] };
    const res = await request(app).post('/cds-services/oncology-pa-order-sign').send({ ...hook, context: { ...hook.context, draftOrders } });
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    expect(body.systemActions).toEqual([]);
    expect(body.cards.map((c) => c.summary)).toEqual([expect.stringContaining("has no policy for this member's Medicaid plan")]);
  });

  it('a Coverage that names no plan: the line of business alone', async () => {
    const coverage = (hook as unknown as { prefetch: { coverage: Bundle } }).prefetch.coverage;
    const withoutClass: Bundle = { ...coverage, entry: (coverage.entry ?? []).map((e) => (e.resource?.resourceType === 'Coverage' ? { ...e, resource: { ...e.resource, class: [] } } : e)) };
    const res = await request(app).post('/cds-services/oncology-pa-order-sign').send({ ...hook, prefetch: { ...(hook as unknown as { prefetch: object }).prefetch, coverage: withoutClass } });
    expect(res.status).toBe(200);
    const detail = (res.body as HookResponse).cards[0]?.detail ?? '';
    expect(detail).toContain('This member\'s coverage: **Medicaid**\n');
    expect(detail).not.toContain('plan on the coverage');
  });

  it('order-select: the same card, informational', async () => {
    const context = hook.context as unknown as Record<string, unknown> & { draftOrders: Bundle };
    const selections = (context.draftOrders.entry ?? []).map((e) => `MedicationRequest/${e.resource?.id ?? ''}`);
    const res = await request(app)
      .post('/cds-services/oncology-pa-order-select')
      .send({ ...hook, hook: 'order-select', context: { ...context, selections } });
    expect(res.status).toBe(200);
    expect((res.body as HookResponse).cards.map((c) => [c.indicator, c.source.topic?.code])).toEqual([['info', 'coverage-info']]);
  });
});
