/** Inputs and outputs of the card renderer (see docs/contracts.md: cards). */
import type { MedicationRequest } from 'fhir/r4.js';
import type { Unreadable } from '../gather/types.js';
import type { PolicyEvaluation } from '../policy/types.js';
import type { Covered, PaNeeded } from '../policy/types.js';
import type { HookResponse } from '../protocol/types.js';
import type { UncheckedItem } from './criteria.js';

export type { UncheckedItem } from './criteria.js';

/**
 * Card types in order of importance: `maxCards` keeps the first ones. One order gets at most one coverage card
 * (prior-auth, criteria-not-met or missing-data: the one that applies) and the dose card; instructions only when a
 * client switches it on. An order of a plan the payer has no policy for gets only the no-policy-for-plan card.
 */
export const CARD_TYPES = ['dose-limit', 'prior-auth', 'criteria-not-met', 'missing-data', 'no-policy-for-plan', 'instructions'] as const;
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
  /** false when the EHR sent the order without an id: cards yes, coverage-information update no (it cannot be matched) */
  matchable?: boolean;
  /** data about this order that could not be read or checked (structured; the card says what to record where) */
  unchecked?: UncheckedItem[];
  /** this decision's clinician page (unguessable, expiring link); absent when none was stored */
  decisionUrl?: string;
}

/**
 * A policy drug ordered for a member whose payer has a policy for the drug, but not for the member's plan (line of
 * business): no coverage is asserted; the card names the plan and which plans the payer's policies are for.
 */
export interface PlanWithoutPolicy {
  brand: string;
  orderReference: string;
  payerId: string;
  payerName: string;
  /** the member's line of business (catalog/lines-of-business.json id) */
  lineOfBusiness: string;
  /** the plan the member's Coverage names (Coverage.class of type plan), when it names one */
  planName?: string;
  /** the payer's policies in effect for the drug, and the lines of business each is for */
  policies: Array<{ id: string; version: string; title: string; linesOfBusiness: string[] }>;
}

/** A policy drug ordered for a patient whose payer could not be determined: no policy could be applied. */
export interface UncheckedOrder {
  brand: string;
  orderReference: string;
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
  /** policy drugs whose coverage could not be checked at all (payer unknown), and what could not be read */
  uncheckedCoverage?: { orders: UncheckedOrder[]; items: UncheckedItem[] };
  /** policy-drug orders whose subject is another patient than the hook's: not evaluated, named on a card */
  otherPatientOrders?: UncheckedOrder[];
  /** policy-drug orders of a member whose plan the payer has no policy for: no coverage asserted, one info card each */
  plansWithoutPolicy?: PlanWithoutPolicy[];
}

/**
 * The one card-metadata type: what rendering knows about a card, what the card index keeps for feedback and what the
 * audit and feedback records store. No patient data.
 */
export interface CardMetadata {
  /** the CDS service that returned the card (set by the hook handler) */
  service?: string;
  cardType?: CardType;
  /** CRD card topic code: coverage-info, limits, off-guideline */
  topic?: string;
  policyId?: string;
  policyVersion?: string;
  payerId?: string;
}

/** One order's coverage assertion as returned to the EHR, for the audit trail. */
export interface OrderAssertion {
  orderReference: string;
  policyId: string;
  policyVersion: string;
  payerId: string;
  covered: Covered;
  paNeeded?: PaNeeded;
  /** the coverage-assertion-id of the coverage-information update; absent when no update went out */
  coverageAssertionId?: string;
  /** whether the EHR can match the order (it sent an id) */
  matchable: boolean;
}

export interface RenderedResponse {
  response: HookResponse;
  /** card uuid → metadata, for every card in the response */
  cards: Record<string, CardMetadata>;
  assertions: OrderAssertion[];
}
