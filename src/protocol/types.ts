/** CDS Hooks 2.0 request and response shapes used across the service. */
import type { Bundle, FhirResource, Extension } from 'fhir/r4.js';

export interface FhirAuthorization {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope: string;
  subject: string;
  patient?: string;
}

export interface OrderHookContext {
  userId: string;
  patientId: string;
  encounterId?: string;
  /** order-select only: references (`Type/id`) into draftOrders */
  selections?: string[];
  draftOrders: Bundle;
}

export interface HookRequest {
  hook: 'order-sign' | 'order-select';
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: FhirAuthorization;
  context: OrderHookContext;
  /**
   * CDS Hooks 2.0: a key present with null means the EHR has none on file; an absent key was not prefetched (it may
   * be fetched). Values are untyped JSON until gather's normaliser has read them.
   */
  prefetch?: Record<string, unknown>;
  extension?: Record<string, unknown>;
}

export interface Coding { system?: string; code: string; display?: string }

export interface Link {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
}

export interface Action {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: FhirResource;
  resourceId?: string[];
}

export interface Suggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions?: Action[];
}

export interface Card {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; icon?: string; topic?: Coding };
  suggestions?: Suggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: Coding[];
  links?: Link[];
  extension?: Record<string, unknown>;
}

export interface SystemAction extends Action {}

export interface HookResponse {
  cards: Card[];
  systemActions?: SystemAction[];
}

export type FhirExtension = Extension;
