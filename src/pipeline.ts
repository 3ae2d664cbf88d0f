/**
 * The decision pipeline behind the hook endpoints: gather the chart → for each order in focus, identify the drug →
 * build the clinical facts → pick the payer's policy in effect → evaluate it → render cards and the CRD
 * coverage-information system actions. Everything loaded once per process (catalog, policies, compiled paths)
 * is built in `createPipeline`; per request only the chart is read.
 */
import type { MedicationRequest } from 'fhir/r4.js';
import { renderResponseWithMetadata, type EvaluatedOrder, type OrderAssertion, type RenderInput, type UncheckedOrder } from './cards/render.js';
import { identifyOrderedDrug, loadCatalog, type Catalog } from './catalog/index.js';
import type { AppConfig } from './config.js';
import { buildFacts, isObservationOfInterest, observationSearchCodes } from './facts/index.js';
import type { ClinicalFacts } from './facts/types.js';
import { gatherChart, prefetchTemplates, type GatherOptions, type PrefetchKey } from './gather/index.js';
import { UNIDENTIFIED_DRAFT_PREFIX } from './gather/prefetch.js';
import type { GatheredChart } from './gather/types.js';
import { evaluatePolicy, knownIdsOf, loadPolicies, type PolicyRegistry } from './policy/index.js';
import { traceLines } from './policy/trace.js';
import type { Policy, PolicyEvaluation } from './policy/types.js';
import type { PolicySummary } from './protocol/health.js';
import type { AuditRecord, CardProvenance, HookPipeline, PipelineContext, PipelineResult } from './protocol/pipeline.js';
import type { HookRequest } from './protocol/types.js';
import { withoutIdentifiers, type DecisionRecord } from './web/decision-page.js';
import { DECISION_TTL_SECONDS, InMemoryDecisionStore, newDecisionId, type DecisionStore } from './web/decision-store.js';


export interface DecisionDeps {
  catalog: Catalog;
  policies: PolicyRegistry;
  gather: GatherOptions;
  dtrAppUrl?: string;
  /** payer id → where a prior-authorization request is submitted */
  payerSubmissionUrls: Record<string, string>;
  /** YYYY-MM-DD; injectable so fixtures with fixed dates stay stable */
  today?: () => string;
  /** where each decision's clinician page is kept (the card links to it); omitted = no decision pages */
  decisions?: DecisionStore;
}

/** What happened to one order in focus, for the trace and for tests. */
export interface OrderDecision {
  orderReference: string;
  /** catalog drug id; null when the order names no drug the catalog knows */
  drug: string | null;
  /** why no policy was evaluated for this order */
  skipped?: 'not-a-policy-drug' | 'payer-unknown' | 'no-policy-in-effect' | 'no-policy-for-plan';
  facts?: ClinicalFacts;
  policy?: Policy;
  evaluation?: PolicyEvaluation;
}

export interface Decision {
  result: PipelineResult;
  orders: OrderDecision[];
  chart: GatheredChart;
}

function orderReferenceOf(order: MedicationRequest): string {
  return `MedicationRequest/${order.id ?? ''}`;
}

/** Decide every order in focus; pure but for the FHIR reads done by gatherChart. */
export async function decide(request: HookRequest, context: PipelineContext, deps: DecisionDeps): Promise<Decision> {
  const gathered = await gatherChart(request, deps.gather);
  // Observations no fact can read (routine labs an EHR sent anyway) are dropped once, so each fact's look-up by code
  // indexes only those that can matter.
  const chart = { ...gathered, observations: gathered.observations.filter((o) => isObservationOfInterest(o, deps.catalog.observations)) };
  const today = deps.today?.();
  const focus = new Set(chart.focusOrders);
  const orders: OrderDecision[] = [];
  const evaluated: EvaluatedOrder[] = [];
  const unchecked: UncheckedOrder[] = [];

  for (const order of chart.draftOrders) {
    const orderReference = orderReferenceOf(order);
    if (!focus.has(orderReference)) continue;
    const { drug } = identifyOrderedDrug(order, chart, deps.catalog);
    const entry = drug === null ? undefined : deps.catalog.drugs.get(drug);
    if (drug === null || entry?.policyDrug !== true) {
      orders.push({ orderReference, drug, skipped: 'not-a-policy-drug' });
      continue;
    }
    const brand = entry.brands[0] ?? entry.generic;
    const facts = buildFacts(chart, order, deps.catalog, today);
    const payerId = facts.coverage.payerId.value;
    if (payerId === null) {
      // Coverage missing or unreadable: no payer, so no policy can be chosen. Say so rather than stay silent.
      orders.push({ orderReference, drug, skipped: 'payer-unknown', facts });
      unchecked.push({ brand, orderReference });
      continue;
    }
    const policy = deps.policies.select(drug, payerId, facts.serviceDate, facts.coverage.lineOfBusiness.value);
    if (!policy) {
      // the payer's policy for another plan (a Commercial policy, a Medi-Cal member) asserts nothing for this one
      const otherPlan = deps.policies.inEffect(drug, payerId, facts.serviceDate).length > 0;
      orders.push({ orderReference, drug, skipped: otherPlan ? 'no-policy-for-plan' : 'no-policy-in-effect', facts });
      continue;
    }
    const evaluation = evaluatePolicy(policy, facts);
    orders.push({ orderReference, drug, facts, policy, evaluation });
    const decisionUrl = await storeDecision(deps.decisions, context.baseUrl, { brand, evaluation: withoutIdentifiers(evaluation), ...(policy.documentation !== undefined && { documentation: policy.documentation }) });
    evaluated.push({
      ...(decisionUrl !== undefined && { decisionUrl }),
      evaluation,
      order,
      ...(facts.coverage.reference !== null && { coverageReference: facts.coverage.reference }),
      brandName: brand,
      ...(entry.rounding !== undefined && { rounding: entry.rounding }),
      ...(policy.documentation !== undefined && { documentation: policy.documentation }),
      matchable: !order.id?.startsWith(UNIDENTIFIED_DRAFT_PREFIX),
    });
  }

  const rendered = renderResponseWithMetadata({
    hook: request.hook === 'order-select' ? 'order-select' : 'order-sign',
    evaluations: evaluated,
    configuration: cardConfiguration(context.configuration),
    baseUrl: context.baseUrl,
    payerLinks: payerLinksFor(evaluated[0]?.evaluation.policy.payerId, deps),
    ...(today !== undefined && { today }),
    ...(unchecked.length > 0 && {
      uncheckedCoverage: { orders: unchecked, items: chart.unavailable.map((u) => ({ subject: u.what, reason: u.reason })) },
    }),
  });
  const response = rendered.response;
  const provenance: CardProvenance[] = Object.entries(rendered.cards).map(([uuid, meta]) => ({ uuid, ...meta }));
  const audit = auditRecords(request, context, rendered.assertions);
  return { result: { response, audit, provenance }, orders, chart };
}
/** Keeps the decision for its clinician page; a store that fails costs the link, never the signing. */
async function storeDecision(store: DecisionStore | undefined, baseUrl: string, record: DecisionRecord): Promise<string | undefined> {
  if (store === undefined) return undefined;
  const id = newDecisionId();
  try {
    await store.put(id, JSON.stringify(record), DECISION_TTL_SECONDS);
  } catch {
    return undefined;
  }
  return `${baseUrl}/decisions/${id}`;
}

/** The CRD configuration codes the client used, in the renderer's card types. */
function cardConfiguration(requested: PipelineContext['configuration']): RenderInput['configuration'] {
  return {
    enabled: {
      'prior-auth': requested.cards.coverage,
      'dose-limit': requested.cards.limits,
      'criteria-not-met': requested.cards['off-guideline'],
      'missing-data': requested.cards['missing-data'],
      instructions: requested.cards.instructions,
    },
    maxCards: requested.maxCards,
  };
}

/** One chart has one active coverage, so one payer's links serve every card of the response. */
function payerLinksFor(payerId: string | undefined, deps: DecisionDeps): NonNullable<RenderInput['payerLinks']> {
  const submissionUrl = payerId === undefined ? undefined : deps.payerSubmissionUrls[payerId];
  return {
    ...(submissionUrl !== undefined && { submissionUrl }),
    ...(deps.dtrAppUrl !== undefined && { dtrAppUrl: deps.dtrAppUrl }),
  };
}

/** One audit record per decision, with the coverage-assertion-id the EHR received. No patient data. */
function auditRecords(request: HookRequest, context: PipelineContext, assertions: readonly OrderAssertion[]): AuditRecord[] {
  const at = new Date().toISOString();
  return assertions.map((a) => ({
    hookInstance: request.hookInstance,
    service: context.service,
    policyId: a.policyId,
    policyVersion: a.policyVersion,
    payerId: a.payerId,
    // no update went out: no Coverage reference on file, or an order the EHR sent without an id
    coverageAssertionId: a.coverageAssertionId ?? 'none (no coverage-information update returned)',
    covered: a.covered,
    ...(a.paNeeded !== undefined && { paNeeded: a.paNeeded }),
    at,
  }));
}

/** The evaluation trace an analyst reads: every criterion, value and evidence, per order. */
export function traceOf(decision: Decision): { trace: string[]; evaluations: PolicyEvaluation[] } {
  const trace: string[] = [];
  for (const order of decision.orders) {
    if (order.evaluation) {
      trace.push(...traceLines(order.evaluation), '');
    } else {
      trace.push(`Order ${order.orderReference} (${order.drug ?? 'drug not recognised'}): not evaluated — ${skipText(order)}`, '');
    }
  }
  for (const gap of decision.chart.unavailable) trace.push(`Could not check: ${gap.what} (${gap.reason})`);
  return { trace, evaluations: decision.orders.flatMap((o) => (o.evaluation ? [o.evaluation] : [])) };
}

function skipText(order: OrderDecision): string {
  switch (order.skipped) {
    case 'not-a-policy-drug': return 'no policy covers this drug';
    case 'payer-unknown': return `payer not determined (${order.facts?.coverage.payerId.unknownReason ?? 'no coverage'})`;
    case 'no-policy-in-effect': return `no policy for payer ${order.facts?.coverage.payerId.value ?? '?'} in effect on ${order.facts?.serviceDate ?? '?'}`;
    default: return 'not evaluated';
  }
}

export interface AssembledPipeline {
  pipeline: HookPipeline;
  policiesSummary: () => PolicySummary[];
  policies: () => Policy[];
  explain: (request: HookRequest, context: PipelineContext) => Promise<{ trace: string[]; evaluations: PolicyEvaluation[] }>;
  /** what discovery advertises: the Observation search narrowed to the catalog's codes */
  prefetchTemplates: Readonly<Record<PrefetchKey, string>>;
  /** the decision pages' store, for `GET /decisions/{id}` */
  decisionStore: DecisionStore;
}

/** Load catalog and policies (a broken file throws, naming file and path) and assemble the pipeline. */
export function createPipeline(config: AppConfig, overrides: Partial<Pick<DecisionDeps, 'today' | 'decisions'>> = {}): AssembledPipeline {
  const catalog = loadCatalog(config.catalogDir);
  const registry = loadPolicies(config.policiesDir, knownIdsOf(catalog));
  // discovery advertises these and gather falls back to the same queries
  const templates = prefetchTemplates(observationSearchCodes(catalog.observations));
  const deps: DecisionDeps = {
    catalog,
    policies: registry,
    gather: {
      deadlineMs: config.gather.deadlineMs,
      queryTimeoutMs: config.gather.queryTimeoutMs,
      templates,
      ...(config.fhirServerAllowlist.length > 0 && { fhirServerAllowlist: config.fhirServerAllowlist }),
    },
    payerSubmissionUrls: config.payerSubmissionUrls,
    ...(config.dtrAppUrl !== undefined && { dtrAppUrl: config.dtrAppUrl }),
    decisions: new InMemoryDecisionStore(),
    ...overrides,
  };
  const summary = registry.all().map((p) => ({ id: p.id, version: p.version }));
  return {
    pipeline: {
      evaluate: async (request, context) => (await decide(request, context, deps)).result,
      readsResource: (resource) => resource.resourceType !== 'Observation' || isObservationOfInterest(resource, catalog.observations),
    },
    policiesSummary: () => summary,
    policies: () => registry.all(),
    prefetchTemplates: templates,
    explain: async (request, context) => traceOf(await decide(request, context, deps)),
    decisionStore: deps.decisions ?? new InMemoryDecisionStore(),
  };
}
