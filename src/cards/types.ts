/** Inputs and outputs of the card renderer (see docs/contracts.md: cards). */
import type { MedicationRequest } from 'fhir/r4.js';
import type { Unreadable } from '../gather/types.js';
import type { PolicyEvaluation } from '../policy/types.js';
import type { HookResponse } from '../protocol/types.js';

/** Card types in order of importance: `maxCards` keeps the first ones. */
export const CARD_TYPES = ['dose-limit', 'prior-auth', 'criteria-not-met', 'missing-data', 'instructions'] as const;
export type CardType = (typeof CARD_TYPES)[number];

/** How a product can be given: round down to a step, or to one available strength (one capsule per dose). */
export type DoseRounding =
  | { step: number; unit: 'mg' | 'ug' }
  | { strengths: readonly number[]; unit: 'mg' | 'ug' };

export interface CardConfiguration {
  /** A card type switched off (false) is never returned; absent means on. */
  enabled: Partial<Record<CardType, boolean>>;
  maxCards: number;
}

export interface EvaluatedOrder {
  evaluation: PolicyEvaluation;
  /** The draft order as the EHR sent it; never mutated. */
  order: MedicationRequest;
  /** `Coverage/<id>`; without it CRD allows no coverage-information extension. */
  coverageReference?: string;
  /** Brand name for clinicians, e.g. "Ixempra". */
  brandName: string;
  /** From the catalog; without it no dose suggestion is offered (a strength cannot be guessed). */
  rounding?: DoseRounding;
  /** What the policy asks to attach to an authorization request (Policy.documentation). */
  documentation?: string[];
  /** Chart resources (or parts) that could not be read: named on the missing-data card. */
  unreadable?: readonly Unreadable[];
}

export interface RenderInput {
  hook: 'order-sign' | 'order-select';
  evaluations: EvaluatedOrder[];
  configuration: CardConfiguration;
  /** Absolute base URL of this service; policies are served at `${baseUrl}/policies/{id}`. */
  baseUrl: string;
  payerLinks?: { submissionUrl?: string; dtrAppUrl?: string };
  /** YYYY-MM-DD assertion date; defaults to today (UTC). */
  today?: string;
}

/** What the feedback endpoint needs to file feedback on a card, with no patient data. */
export interface RenderedCardMeta {
  cardType: CardType;
  topic: string;
  policyId: string;
  payerId: string;
}

export interface RenderedResponse {
  response: HookResponse;
  renderedCards: Record<string, RenderedCardMeta>;
}
