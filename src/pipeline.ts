/**
 * The decision pipeline behind the hook endpoints: gather the chart → for each order in focus, identify the drug →
 * build the clinical facts → pick the payer's policy in effect → evaluate it → render cards and the CRD
 * coverage-information system actions. Everything loaded once per process (catalog, policies, compiled paths)
 * is built in `createPipeline`; per request only the chart is read.
 */
import type { Medication, MedicationRequest } from 'fhir/r4.js';
import { renderResponseWithMetadata, type EvaluatedOrder, type OrderAssertion, type PlanWithoutPolicy, type RenderInput, type UncheckedItem, type UncheckedOrder } from './cards/render.js';
import { identifyOrderedDrug, loadCatalog, type Catalog } from './catalog/index.js';
import type { AppConfig } from './config.js';
import { buildFacts, DEFAULT_LINE_COUNTING, isObservationOfInterest, observationSearchCodes, serviceDateOf, serviceDateReading, type LineCounting, type ServiceDateProblem } from './facts/index.js';
import { coverageFacts, coveragePlanName } from './facts/coverage.js';
import { todayUtc } from './facts/dates.js';
import { relativeReference } from './facts/fhir.js';
import type { ClinicalFacts } from './facts/types.js';
import { gatherChart, prefetchTemplates, type GatherOptions, type PrefetchKey } from './gather/index.js';
import type { ReadsResource } from './gather/normalise.js';
import type { FetchLike } from './security/guarded-fetch.js';
import { readDraftOrders, UNIDENTIFIED_DRAFT_PREFIX, type DraftReading } from './gather/prefetch.js';
import { refersToPatient, subjectOf } from './gather/references.js';
import type { GatheredChart, Unreadable } from './gather/types.js';
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
  /** which resources evaluation reads at all (the normaliser skips the others) */
  readsResource?: ReadsResource;
}

/** What happened to one order in focus, for the trace and for tests. */
export interface OrderDecision {
  orderReference: string;
  /** catalog drug id; null when the order names no drug the catalog knows */
  drug: string | null;
  /** why no policy was evaluated for this order */
  skipped?: 'not-a-policy-drug' | 'payer-unknown' | 'no-policy-in-effect' | 'no-policy-for-plan' | 'other-patient';
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

/**
 * Which orders in focus are (or may be) policy drugs, from the hook's context alone: a drug identified from the
 * order, its contained Medication or a Medication shipped in draftOrders; or a Medication reference that only the
 * FHIR server can resolve (then the chart must be gathered to know). Orders of another patient are set apart.
 */
function policyDrugOrders(drafts: DraftReading, request: HookRequest, catalog: Catalog): { candidates: MedicationRequest[]; otherPatient: MedicationRequest[] } {
  const focus = new Set(drafts.focusOrders);
  const chart = { medications: drafts.draftCompanions.filter((r): r is Medication => r.resourceType === 'Medication'), draftOrders: drafts.draftOrders };
  const subject = subjectOf(request);
  const candidates: MedicationRequest[] = [];
  const otherPatient: MedicationRequest[] = [];
  for (const order of drafts.draftOrders) {
    if (!focus.has(orderReferenceOf(order))) continue;
    const { drug } = identifyOrderedDrug(order, chart, catalog);
    const reference = order.medicationReference?.reference;
    const unresolved = drug === null && typeof reference === 'string' && !reference.startsWith('#');
    if (!unresolved && (drug === null || catalog.drugs.get(drug)?.policyDrug !== true)) continue;
    const subjectReference = order.subject?.reference;
    if (subjectReference !== undefined && !refersToPatient(subjectReference, subject)) otherPatient.push(order);
    else candidates.push(order);
  }
  return { candidates, otherPatient };
}

/** The chart when nothing needed gathering: the draft orders alone. */
function contextOnlyChart(request: HookRequest, drafts: DraftReading): GatheredChart {
  return {
    patientId: request.context.patientId, coverages: [], conditions: [], observations: [], medicationRequests: [], medicationAdministrations: [],
    claimResponses: [], claims: [], practitionerRoles: [], practitioners: [],
    medications: drafts.draftCompanions.filter((r): r is Medication => r.resourceType === 'Medication'), organizations: [],
    draftOrders: drafts.draftOrders, focusOrders: drafts.focusOrders, userId: request.context.userId,
    unavailable: [], unreadable: drafts.unreadable,
  };
}

/** How the normaliser names the draftOrders bundle itself (an entry there that is no resource concerns no order). */
const DRAFT_ORDERS = 'context.draftOrders';

/** What could not be read that matters to this order: the chart's resources, and this order itself (not its siblings). */
function unreadableFor(order: MedicationRequest, chart: GatheredChart): Unreadable[] {
  const drafts = new Set(chart.draftOrders.map(orderReferenceOf));
  const own = orderReferenceOf(order);
  return chart.unreadable.filter((u) => u.reference === own || (!drafts.has(u.reference) && u.reference !== DRAFT_ORDERS));
}

/** A resource set aside as unreadable, as the card's "could not check" line: what, why, and what to do. */
function uncheckedItemOf(u: Unreadable): UncheckedItem {
  return { subject: u.reference, reason: u.detail, unreadable: true };
}

/** A stated service date set aside as unreadable (far future, no calendar date), as a "could not check" line. */
function serviceDateItemOf(orderReference: string, p: ServiceDateProblem): UncheckedItem {
  return { subject: `${orderReference}.${p.element} (${p.value})`, reason: `service-date-${p.problem}`, unreadable: true };
}

/** Decide every order in focus; pure but for the FHIR reads done by gatherChart. */
export async function decide(request: HookRequest, context: PipelineContext, deps: DecisionDeps): Promise<Decision> {
  const drafts = readDraftOrders(request, deps.readsResource);
  const { candidates, otherPatient } = policyDrugOrders(drafts, request, deps.catalog);
  // No order of a policy drug for this patient: nothing to gather, no FHIR query, never a 412.
  const gathered = candidates.length > 0 ? await gatherChart(request, deps.gather, drafts) : contextOnlyChart(request, drafts);
  // Observations no fact can read (routine labs an EHR sent anyway) are dropped once, so each fact's look-up by code
  // indexes only those that can matter.
  const chart = { ...gathered, observations: gathered.observations.filter((o) => isObservationOfInterest(o, deps.catalog.observations)) };
  const today = deps.today?.();
  const inScope = new Set(candidates.map(orderReferenceOf));
  const elsewhere = new Set(otherPatient.map(orderReferenceOf));
  const focus = new Set(chart.focusOrders);
  const orders: OrderDecision[] = [];
  const evaluated: EvaluatedOrder[] = [];
  const unchecked: UncheckedOrder[] = [];
  const notThisPatient: UncheckedOrder[] = [];
  const plansWithoutPolicy: PlanWithoutPolicy[] = [];

  for (const order of chart.draftOrders) {
    const orderReference = orderReferenceOf(order);
    if (!focus.has(orderReference)) continue;
    const { drug } = identifyOrderedDrug(order, chart, deps.catalog);
    const entry = drug === null ? undefined : deps.catalog.drugs.get(drug);
    if (drug === null || entry?.policyDrug !== true || !(inScope.has(orderReference) || elsewhere.has(orderReference))) {
      orders.push({ orderReference, drug, skipped: 'not-a-policy-drug' });
      continue;
    }
    const brand = entry.brands[0] ?? entry.generic;
    if (elsewhere.has(orderReference)) {
      orders.push({ orderReference, drug, skipped: 'other-patient' });
      notThisPatient.push({ brand, orderReference });
      continue;
    }
    // the policy follows from the coverage and the service date alone, so the facts are read once, with its reading of
    // which lines count (lineCounting)
    const serviceDate = serviceDateOf(order, today ?? todayUtc());
    const coverage = coverageFacts(chart, deps.catalog, serviceDate);
    const payerId = coverage.payerId.value;
    const policy = payerId === null ? undefined : deps.policies.select(drug, payerId, serviceDate, coverage.lineOfBusiness.value);
    const reading = policy ? lineCountingOf(policy) : undefined;
    const facts = buildFacts(chart, order, deps.catalog, today, reading === undefined ? {} : { lineCounting: reading });
    if (payerId === null) {
      // Coverage missing or unreadable: no payer, so no policy can be chosen. Say so rather than stay silent.
      orders.push({ orderReference, drug, skipped: 'payer-unknown', facts });
      unchecked.push({ brand, orderReference });
      continue;
    }
    if (!policy) {
      // the payer's policy for another plan (a Commercial policy, a Medi-Cal member) asserts nothing for this one
      const otherPlans = deps.policies.inEffect(drug, payerId, serviceDate);
      const lineOfBusiness = coverage.lineOfBusiness.value;
      orders.push({ orderReference, drug, skipped: otherPlans.length > 0 ? 'no-policy-for-plan' : 'no-policy-in-effect', facts });
      // one card per drug: a second order of it in the same signing (days 1-7 and 8-28) has the same answer
      const said = plansWithoutPolicy.some((p) => p.brand === brand && p.payerId === payerId && p.lineOfBusiness === lineOfBusiness);
      if (otherPlans.length > 0 && lineOfBusiness !== null && !said) {
        const resource = chart.coverages.find((c) => relativeReference(c) === coverage.reference);
        plansWithoutPolicy.push(planWithoutPolicy(brand, orderReference, lineOfBusiness, otherPlans, resource === undefined ? undefined : coveragePlanName(resource)));
      }
      continue;
    }
    const evaluation = evaluatePolicy(policy, facts);
    orders.push({ orderReference, drug, facts, policy, evaluation });
    const decisionUrl = await storeDecision(deps.decisions, context.baseUrl, { brand, evaluation: withoutIdentifiers(evaluation), ...(policy.documentation !== undefined && { documentation: policy.documentation }) });
    const unreadable = [
      ...unreadableFor(order, chart).map(uncheckedItemOf),
      ...serviceDateReading(order, today ?? todayUtc()).problems.map((p) => serviceDateItemOf(orderReference, p)),
    ];
    evaluated.push({
      ...(decisionUrl !== undefined && { decisionUrl }),
      evaluation,
      order,
      ...(facts.coverage.reference !== null && { coverageReference: facts.coverage.reference }),
      brandName: brand,
      ...(entry.rounding !== undefined && { rounding: entry.rounding }),
      ...(policy.documentation !== undefined && { documentation: policy.documentation }),
      matchable: !order.id?.startsWith(UNIDENTIFIED_DRAFT_PREFIX),
      ...(unreadable.length > 0 && { unchecked: unreadable }),
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
    ...(notThisPatient.length > 0 && { otherPatientOrders: notThisPatient }),
    ...(plansWithoutPolicy.length > 0 && { plansWithoutPolicy }),
  });
  const response = rendered.response;
  const provenance: CardProvenance[] = Object.entries(rendered.cards).map(([uuid, meta]) => ({ uuid, ...meta }));
  const audit = auditRecords(request, context, rendered.assertions);
  return { result: { response, audit, provenance }, orders, chart };
}

/** What the no-policy-for-plan card needs: the member's plan and, per policy of the payer for the drug, its plans. */
function planWithoutPolicy(brand: string, orderReference: string, lineOfBusiness: string, policies: readonly Policy[], planName: string | undefined): PlanWithoutPolicy {
  const first = policies[0] as Policy;
  return {
    brand,
    orderReference,
    payerId: first.payer.id,
    payerName: first.payer.name,
    lineOfBusiness,
    ...(planName !== undefined && { planName }),
    policies: policies.map((p) => ({ id: p.id, version: p.version, title: p.title, linesOfBusiness: p.linesOfBusiness ?? [] })),
  };
}

/** The policy's line-counting reading when it differs from the default (DEFAULT_LINE_COUNTING); else undefined. */
export function lineCountingOf(policy: Policy): LineCounting | undefined {
  const stated = policy.lineCounting;
  if (stated === undefined) return undefined;
  const reading: LineCounting = { setting: stated.setting, earlyRelapseMonths: stated.earlyRelapseMonths ?? DEFAULT_LINE_COUNTING.earlyRelapseMonths };
  return reading.setting === DEFAULT_LINE_COUNTING.setting && reading.earlyRelapseMonths === DEFAULT_LINE_COUNTING.earlyRelapseMonths ? undefined : reading;
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
      'no-policy-for-plan': requested.cards['no-policy-for-plan'],
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
    case 'other-patient': return 'the order names another patient than the hook context';
    case 'no-policy-in-effect': return `no policy for payer ${order.facts?.coverage.payerId.value ?? '?'} in effect on ${order.facts?.serviceDate ?? '?'}`;
    case 'no-policy-for-plan': return `payer ${order.facts?.coverage.payerId.value ?? '?'} has a policy for this drug, but not for the member's line of business (${order.facts?.coverage.lineOfBusiness.value ?? '?'}): no coverage asserted`;
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
export function createPipeline(
  config: AppConfig,
  overrides: Partial<Pick<DecisionDeps, 'today' | 'decisions'>> & { fhirFetch?: FetchLike } = {},
): AssembledPipeline {
  const { fhirFetch, ...depOverrides } = overrides;
  const catalog = loadCatalog(config.catalogDir);
  const registry = loadPolicies(config.policiesDir, knownIdsOf(catalog));
  // discovery advertises these and gather falls back to the same queries
  const templates = prefetchTemplates(observationSearchCodes(catalog.observations));
  const readsResource: ReadsResource = (resource) => resource.resourceType !== 'Observation' || isObservationOfInterest(resource, catalog.observations);
  const deps: DecisionDeps = {
    catalog,
    policies: registry,
    readsResource,
    gather: {
      readsResource,
      deadlineMs: config.gather.deadlineMs,
      queryTimeoutMs: config.gather.queryTimeoutMs,
      templates,
      ...(config.fhirServerAllowlist.length > 0 && { fhirServerAllowlist: config.fhirServerAllowlist }),
      // default: gather's guarded fetch for this allowlist (no link-local / metadata / unspecified address)
      ...(fhirFetch !== undefined && { fetch: fhirFetch }),
    },
    payerSubmissionUrls: config.payerSubmissionUrls,
    ...(config.dtrAppUrl !== undefined && { dtrAppUrl: config.dtrAppUrl }),
    decisions: new InMemoryDecisionStore(),
    ...depOverrides,
  };
  const summary = registry.all().map((p) => ({ id: p.id, version: p.version }));
  return {
    pipeline: {
      evaluate: async (request, context) => (await decide(request, context, deps)).result,
      readsResource,
    },
    policiesSummary: () => summary,
    policies: () => registry.all(),
    prefetchTemplates: templates,
    explain: async (request, context) => traceOf(await decide(request, context, deps)),
    decisionStore: deps.decisions ?? new InMemoryDecisionStore(),
  };
}
