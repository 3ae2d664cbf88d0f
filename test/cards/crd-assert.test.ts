import { describe, expect, it } from 'vitest';
import type { Extension, MedicationRequest } from 'fhir/r4.js';
import { renderResponse } from '../../src/cards/render.js';
import type { HookResponse } from '../../src/protocol/types.js';
import { assertCrdResponse } from '../support/crd-assert.js';
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
