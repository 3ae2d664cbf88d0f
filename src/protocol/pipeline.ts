/**
 * The seam between the HTTP layer and the decision logic. The protocol layer validates and answers; whatever
 * implements `HookPipeline` (gather → facts → policy → cards, assembled elsewhere) decides.
 */
import type { FhirResource } from 'fhir/r4.js';
import type { CardMetadata } from '../cards/types.js';
import type { Covered, PaNeeded } from '../policy/types.js';
import type { CardConfiguration } from './crd-configuration.js';
import type { HookResponse, HookRequest } from './types.js';

export interface PipelineContext {
  /** id of the service called, e.g. `oncology-pa-order-sign` */
  service: string;
  /** what the client asked for through `extension["davinci-crd.configuration"]` */
  configuration: CardConfiguration;
  /** where this service is reachable, without trailing slash (for links back to it) */
  baseUrl: string;
}

/** One decision, for the audit trail CRD servers must keep. No patient data. */
export interface AuditRecord {
  hookInstance: string;
  service: string;
  policyId: string;
  policyVersion: string;
  /** catalog payer id (an organisation, not patient data) */
  payerId?: string;
  coverageAssertionId: string;
  covered: Covered;
  paNeeded?: PaNeeded;
  /** ISO 8601 time of the decision */
  at: string;
}

/** Where a card came from (the one card-metadata type, src/cards/types.ts), so feedback on it can be stored with its policy and payer. */
export type CardProvenance = CardMetadata & { uuid: string };

export interface PipelineResult {
  response: HookResponse;
  audit: AuditRecord[];
  /** optional: cards without an entry are remembered with their topic only */
  provenance?: CardProvenance[];
}

export interface HookPipeline {
  evaluate(request: HookRequest, context: PipelineContext): Promise<PipelineResult>;
  /**
   * Whether evaluation reads this prefetched resource at all (answering yes when unsure); the FHIR type check
   * skips the others. Omitted = every resource is read.
   */
  readsResource?(resource: FhirResource): boolean;
}
