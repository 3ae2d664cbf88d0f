/**
 * One scenario through HTTP (order-sign) and the same pipeline called directly: what `<name>.expect.json` says must
 * be what the service answers — coverage information (covered, pa-needed, allowed-period), card kinds, the suggested
 * dose (and the suggested order signed again passes its limits), each named criterion's status. Every response must
 * pass the CDS Hooks schema and the CRD rules. Used by test/scenarios.test.ts on the shipped data and by
 * test/policy/new-policy.test.ts on an analyst's copy.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, Dosage, Extension, MedicationRequest } from 'fhir/r4.js';
import type express from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import { decide, type DecisionDeps } from '../../src/pipeline.js';
import type { CriterionResult, PolicyEvaluation } from '../../src/policy/types.js';
import { parseCardConfiguration } from '../../src/protocol/crd-configuration.js';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { assertCrdResponse } from './crd-assert.js';

export interface Expectation {
  description: string;
  covered: string;
  paNeeded?: string;
  cards: string[];
  criteria?: Record<string, string>;
  suggestedDose?: { value: number; unit: string };
  approvalDuration?: string;
  /** the order was not evaluated, and why (e.g. no-policy-for-plan): no coverage is asserted, no system action */
  skipped?: string;
}

/** Expectation files name card kinds by topic (one coverage card per order: coverage-info, off-guideline or missing-data; plus limits). */
const CARD_KIND_NAMES: Record<string, string> = {
  'prior-auth': 'coverage-info',
  'dose-limit': 'limits',
  'criteria-not-met': 'off-guideline',
  'missing-data': 'missing-data',
};
const COVERAGE_INFO = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';

export function readExpectation(file: string): Expectation {
  return JSON.parse(readFileSync(file.replace(/\.json$/, '.expect.json'), 'utf8')) as Expectation;
}

function coverageInformation(order: MedicationRequest | undefined): Map<string, Extension[]> {
  const info = order?.extension?.find((e) => e.url === COVERAGE_INFO);
  const byUrl = new Map<string, Extension[]>();
  for (const sub of info?.extension ?? []) byUrl.set(sub.url, [...(byUrl.get(sub.url) ?? []), sub]);
  return byUrl;
}

function codeOf(ext: Extension[] | undefined): string | undefined {
  return ext?.[0]?.valueCode ?? ext?.[0]?.valueCoding?.code;
}

function findCriterion(evaluation: PolicyEvaluation, id: string): { status: string } | undefined {
  const indication = evaluation.indications.find((i) => i.id === id);
  if (indication) return indication;
  const walk = (node: CriterionResult): CriterionResult | undefined =>
    node.id === id ? node : node.children?.map(walk).find((n) => n !== undefined);
  for (const i of evaluation.indications) {
    const hit = walk(i.criteria);
    if (hit) return hit;
  }
  for (const e of evaluation.exclusions) {
    const hit = walk(e);
    if (hit) return hit;
  }
  return undefined;
}

function dosesOf(order: MedicationRequest | undefined): Dosage[] {
  return order?.dosageInstruction ?? [];
}

/** Send the scenario `file` to `app` and check the answer against its expectation (`deps` = the app's pipeline). */
export async function assertScenario(app: express.Application, decisionDeps: DecisionDeps, file: string): Promise<void> {
  const hookRequest = JSON.parse(readFileSync(file, 'utf8')) as HookRequest & { context: { draftOrders: Bundle } };
  const expected = readExpectation(file);

    const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(hookRequest);
    expect(res.status).toBe(200);
    const body = res.body as HookResponse;
    assertCrdResponse(body, hookRequest.context.draftOrders);

    if (expected.skipped !== undefined) {
      expect(body.systemActions ?? []).toEqual([]);
      expect(body.cards.map((c) => c.source.topic?.code)).toEqual(expected.cards);
      const skipped = await decide(
        hookRequest,
        { service: 'oncology-pa-order-sign', configuration: parseCardConfiguration(hookRequest.extension), baseUrl: 'http://localhost' },
        decisionDeps,
      );
      expect(skipped.orders.map((o) => o.skipped)).toContain(expected.skipped);
      return;
    }

    const updated = (body.systemActions ?? []).map((a) => a.resource as MedicationRequest);
    expect(updated.length).toBeGreaterThan(0);
    const info = coverageInformation(updated[0]);
    expect(codeOf(info.get('covered'))).toBe(expected.covered);
    expect(codeOf(info.get('pa-needed'))).toBe(expected.paNeeded);
    if (expected.approvalDuration !== undefined) {
      const period = JSON.stringify(info.get('detail') ?? []);
      expect(period).toContain('allowed-period');
    }

    if (expected.suggestedDose) {
      const limits = body.cards.find((c) => c.source.topic?.code === 'limits');
      const action = limits?.suggestions?.[0]?.actions?.[0];
      const amount = dosesOf(action?.resource as MedicationRequest | undefined)[0]?.doseAndRate?.[0];
      // A continuous infusion is fixed as a rate (ug/d); the expectation names the mass unit.
      const suggested = amount?.doseQuantity ?? amount?.rateQuantity;
      expect({ value: suggested?.value, unit: suggested?.code?.replace(/\/d$/, '') }).toEqual(expected.suggestedDose);

      // The one-click fix must itself pass the limits it was built from: sign the suggested order again.
      const fixed = structuredClone(hookRequest);
      const entry = fixed.context.draftOrders.entry?.find((e) => e.resource?.id === (action?.resource as MedicationRequest).id);
      if (entry) entry.resource = action?.resource as MedicationRequest;
      const again = await request(app).post('/cds-services/oncology-pa-order-sign').send(fixed);
      expect(again.status).toBe(200);
      expect((again.body as HookResponse).cards.map((c) => c.source.topic?.code)).not.toContain('limits');
    }

    // The same pipeline, called directly, names each card's kind (the HTTP body shows only topics).
    const decision = await decide(
      hookRequest,
      { service: 'oncology-pa-order-sign', configuration: parseCardConfiguration(hookRequest.extension), baseUrl: 'http://localhost' },
      decisionDeps,
    );
    const direct = decision.result.response.cards;
    expect(body.cards.map((c) => [c.source.topic?.code, c.summary])).toEqual(direct.map((c) => [c.source.topic?.code, c.summary]));
    const kinds = (decision.result.provenance ?? [])
      .map((p) => CARD_KIND_NAMES[p.cardType ?? ''])
      .filter((k): k is string => k !== undefined)
      .sort();
    expect(kinds).toEqual([...expected.cards].sort());

    {
      const evaluation = decision.orders.find((o) => o.evaluation)?.evaluation;
      expect(evaluation).toBeDefined();
      if (!evaluation) return;
      for (const [id, status] of Object.entries(expected.criteria ?? {})) {
        expect({ id, status: findCriterion(evaluation, id)?.status }).toEqual({ id, status });
      }
      if (expected.approvalDuration !== undefined) expect(evaluation.approvalDuration).toBe(expected.approvalDuration);
    }
}
