import { describe, expect, it } from 'vitest';
import type { Extension, MedicationRequest } from 'fhir/r4.js';
import { renderResponse } from '../../src/cards/render.js';
import type { HookResponse } from '../../src/protocol/types.js';
import { assertCrdResponse, assertInfernoServerSuite } from '../support/crd-assert.js';
import { doseOver, evaluation, medicationRequest } from '../support/evaluation-builder.js';

function good(): HookResponse {
  return renderResponse({
    hook: 'order-sign',
    evaluations: [
      { evaluation: evaluation({ dose: doseOver() }), order: medicationRequest(), coverageReference: 'Coverage/cov-1', brandName: 'Ixempra', rounding: { step: 0.1, unit: 'mg' } },
    ],
    configuration: { enabled: {}, maxCards: 10 },
    baseUrl: 'https://cds.example.org',
  });
}

function coverageInfo(body: HookResponse): Extension {
  return (body.systemActions![0]!.resource as MedicationRequest).extension!.at(-1)!;
}

describe('assertCrdResponse rejects what CRD forbids', () => {
  it('accepts a good response', () => {
    expect(() => assertCrdResponse(good(), [medicationRequest()])).not.toThrow();
  });

  it('rejects an empty array', () => {
    const body = good();
    body.cards[0]!.links = [];
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/empty array/);
  });

  it('rejects a summary of 140 characters', () => {
    const body = good();
    body.cards[0]!.summary = 'x'.repeat(140);
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/summary has 140 characters/);
  });

  it('rejects satisfied-pa-id without pa-needed satisfied', () => {
    const body = good();
    coverageInfo(body).extension!.push({ url: 'satisfied-pa-id', valueString: 'PA-1' });
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/satisfied-pa-id must be present exactly when/);
  });

  it('rejects pa-needed with not-covered, and info-needed without conditional', () => {
    const body = good();
    const ext = coverageInfo(body);
    ext.extension!.find((e) => e.url === 'covered')!.valueCode = 'not-covered';
    ext.extension!.push({ url: 'info-needed', valueCode: 'OTH' });
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/pa-needed must be absent[\s\S]*info-needed must be present exactly/);
  });

  it('rejects nulls, missing uuids, suggestions without selectionBehavior', () => {
    const body = good() as unknown as { cards: Array<Record<string, unknown>> };
    const dose = body.cards.find((c) => c.suggestions)!;
    delete dose.selectionBehavior;
    (dose.suggestions as Array<Record<string, unknown>>)[0]!.uuid = undefined;
    dose.detail = null;
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/selectionBehavior is required[\s\S]*/);
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/null/);
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/uuid is missing/);
  });

  it('rejects a system action or suggestion that changes more of the order', () => {
    const body = good();
    (body.systemActions![0]!.resource as MedicationRequest).status = 'active';
    const dose = body.cards.find((c) => c.suggestions)!;
    (dose.suggestions![0]!.actions![0]!.resource as MedicationRequest).note = [{ text: 'changed' }];
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/beyond the coverage-information[\s\S]*/);
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/changes more than the dose/);
  });

  it('rejects a card without source.topic', () => {
    const body = good();
    delete body.cards[0]!.source.topic;
    expect(() => assertCrdResponse(body, [medicationRequest()])).toThrow(/source.topic is missing/);
  });
});

describe('assertInfernoServerSuite rejects what the Inferno CRD server suite flags', () => {
  const sign = { hook: 'order-sign', expectCoverageInformation: true } as const;
  const check = (body: unknown) => () => assertInfernoServerSuite(body, [medicationRequest()], sign);

  it('accepts a good response', () => expect(check(good())).not.toThrow());

  it('rejects an order-sign answer without systemActions, or without coverage information in them', () => {
    const body = good();
    delete body.systemActions;
    expect(check(body)).toThrow(/systemActions must be an array for order-sign \[crd_service_response_validation/);
    body.systemActions = [];
    expect(check(body)).toThrow(/no order carrying coverage information \[crd_coverage_info_system_action_received/);
    // order-select answers need neither
    expect(() => assertInfernoServerSuite(body, [medicationRequest()], { hook: 'order-select', expectCoverageInformation: true })).not.toThrow();
  });

  it('rejects an unknown indicator, a source without label or topic code', () => {
    const body = good() as unknown as { cards: Array<Record<string, unknown> & { source: Record<string, unknown> & { topic: Record<string, unknown> } }> };
    body.cards[0]!.indicator = 'hard-stop';
    delete body.cards[0]!.source.label;
    delete body.cards[0]!.source.topic.code;
    expect(check(body)).toThrow(/indicator 'hard-stop'[\s\S]*source.label must be present[\s\S]*source.topic.code must be present/);
  });

  it('rejects a link that is neither absolute nor smart, an absolute link with appContext, a link without a URL', () => {
    const body = good();
    body.cards[0]!.links = [
      { label: 'a', type: 'relative' as 'absolute', url: 'https://example.org' },
      { label: 'b', type: 'absolute', url: 'https://example.org', appContext: 'x' },
      { label: 'c', type: 'absolute', url: 'not a url' },
    ];
    expect(check(body)).toThrow(/links\[0\].type 'relative'[\s\S]*links\[1\].appContext[\s\S]*links\[2\].url must be present as a URL/);
  });

  it('rejects actions without description, a delete with no replacing create, an empty actions array', () => {
    const body = good();
    delete (body.systemActions![0] as { description?: string }).description;
    const dose = body.cards.find((c) => c.suggestions)!;
    dose.suggestions!.push({ label: 'withdraw', uuid: '00000000-0000-4000-8000-000000000001', actions: [{ type: 'delete', description: 'withdraw', resourceId: ['MedicationRequest/' + medicationRequest().id] }] });
    dose.suggestions!.push({ label: 'nothing', uuid: '00000000-0000-4000-8000-000000000002', actions: [] });
    expect(check(body)).toThrow(/no create action replaces[\s\S]*actions must be a non-empty array[\s\S]*systemActions\[0\].description must be present/);
  });

  it('rejects two coverage-assertion-ids for one coverage, and one id shared by two coverages', () => {
    const body = good();
    const order = body.systemActions![0]!.resource as MedicationRequest;
    const first = order.extension!.at(-1)!;
    const second = structuredClone(first);
    second.extension!.find((e) => e.url === 'coverage-assertion-id')!.valueString = 'another';
    order.extension!.push(second);
    expect(check(body)).toThrow(/2 different coverage-assertion-ids \[crd_coverage_info_system_action_validation/);
    second.extension!.find((e) => e.url === 'coverage-assertion-id')!.valueString = first.extension!.find((e) => e.url === 'coverage-assertion-id')!.valueString!;
    second.extension!.find((e) => e.url === 'coverage')!.valueReference = { reference: 'Coverage/cov-2' };
    expect(check(body)).toThrow(/repeats across coverages/);
  });
});
