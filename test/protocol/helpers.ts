/** Shared test fixtures: a fake pipeline that records its input, a valid request, and an app built on them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { MedicationRequest } from 'fhir/r4.js';
import { createApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import { JsonlFeedbackStore } from '../../src/protocol/feedback.js';
import type { HookPipeline, PipelineContext, PipelineResult } from '../../src/protocol/pipeline.js';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';

export const CARD_UUID = '6b0e8f5a-8f3c-4f71-9a55-0d7b1c4e2a10';
export const SUGGESTION_UUID = 'a7f3d1c2-4b5e-4c6d-8e9f-0a1b2c3d4e5f';

export const FIXED_RESPONSE: HookResponse = {
  cards: [{
    uuid: CARD_UUID,
    summary: 'Prior authorization required for ixabepilone',
    indicator: 'warning',
    source: {
      label: 'Blue Shield of California',
      topic: { system: 'http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp', code: 'coverage-info' },
    },
  }],
};

export class FakePipeline implements HookPipeline {
  calls: Array<{ request: HookRequest; context: PipelineContext }> = [];
  failWith: Error | undefined;
  async evaluate(request: HookRequest, context: PipelineContext): Promise<PipelineResult> {
    this.calls.push({ request, context });
    if (this.failWith) {
      const err = this.failWith;
      this.failWith = undefined;
      throw err;
    }
    return {
      response: FIXED_RESPONSE,
      audit: [{
        hookInstance: request.hookInstance, service: context.service, policyId: '000', policyVersion: '2024-01', payerId: 'blue-shield-ca',
        coverageAssertionId: 'ca-1', covered: 'conditional', paNeeded: 'auth-needed', at: new Date().toISOString(),
      }],
      provenance: [{ uuid: CARD_UUID, policyId: '000', policyVersion: '2024-01', payerId: 'blue-shield-ca' }],
    };
  }
}

const DRAFT_ORDER: MedicationRequest = {
  resourceType: 'MedicationRequest', id: 'mr-1', status: 'draft', intent: 'order',
  subject: { reference: 'Patient/pat-1' },
  medicationCodeableConcept: { text: 'ixabepilone' },
};

export function validRequest(hook: 'order-sign' | 'order-select' = 'order-sign'): HookRequest {
  const request: HookRequest = {
    hook,
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    fhirServer: 'https://ehr.example.org/fhir',
    fhirAuthorization: {
      access_token: 'secret-token', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'ehr',
    },
    context: {
      userId: 'Practitioner/onc-1',
      patientId: 'pat-1',
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: structuredClone(DRAFT_ORDER) }],
      },
    },
    prefetch: { patient: { resourceType: 'Patient', id: 'pat-1' }, coverage: null },
  };
  if (hook === 'order-select') request.context.selections = ['MedicationRequest/mr-1'];
  return request;
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  pipeline: FakePipeline;
  cardIndex: CardIndex;
  feedbackFile: string;
  deps: AppDeps;
}

export function buildApp(overrides: ConfigInput = {}, extra: Partial<AppDeps> = {}, logStream?: Writable): TestApp {
  const dir = mkdtempSync(join(tmpdir(), 'cds-protocol-'));
  const feedbackFile = join(dir, 'feedback.jsonl');
  const config = loadConfig({
    env: { VITEST: 'true' },
    overrides: { feedbackFile, auditFile: join(dir, 'audit.jsonl'), ...overrides },
  });
  const pipeline = new FakePipeline();
  const cardIndex = extra.cardIndex ?? new CardIndex(100);
  const deps: AppDeps = {
    config,
    pipeline,
    logger: createLogger(logStream ? 'info' : 'silent', logStream),
    policiesSummary: () => [{ id: '000', version: '2024-01' }, { id: '001', version: '3' }],
    authMode: 'open',
    cardIndex,
    feedbackStore: new JsonlFeedbackStore(feedbackFile),
    ...extra,
  };
  return { app: createApp(deps), pipeline, cardIndex, feedbackFile, deps };
}

export const SIGN = '/cds-services/oncology-pa-order-sign';
export const SELECT = '/cds-services/oncology-pa-order-select';
