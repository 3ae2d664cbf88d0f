/**
 * CDS Hooks 2.0 / Da Vinci CRD response for evaluated draft orders: every card (wording from cards/*.json), built and
 * ranked here, one coverage-information system action per matchable order, and what the pipeline needs for the
 * audit trail and feedback (assertion ids, card metadata with the policy version).
 *
 * Economy: one order gets at most one coverage card, the one that applies (criteria-not-met when not covered, else
 * prior-auth when authorization is needed, else missing-data when something must be recorded), leading with only
 * what is missing or unmet; plus the dose card when the dose exceeds the limit. The full criteria and the
 * documentation checklist are on the decision page, or on the instructions card when a client switches it on.
 */
import { randomUUID } from 'node:crypto';
import type { MedicationRequest } from 'fhir/r4.js';
import type { CriterionResult, CumulativeCap, DoseExceeds, PolicyEvaluation } from '../policy/types.js';
import type { Card, HookResponse, Link, SystemAction } from '../protocol/types.js';
import { coverageInformationAction } from './coverage-information.js';
import {
  bulletList,
  closestIndication,
  criteriaChecklist,
  criterionLine,
  decidingIndication,
  evidenceList,
  factName,
  lackingLeaves,
  leaves,
  openCriterionLine,
  openLines,
  recordLine,
  settleText,
  uncheckedLine,
} from './criteria.js';
import { applyCoveredDose, hasSeveralDoseLines } from './dose-suggestion.js';
import { oneSpelling, quantityText } from '../units.js';
import { approvalText, coveredText, limitsText, orderedText } from './quantities.js';
import { COMMON, CRITERIA_NOT_MET, DOSE_LIMIT, INSTRUCTIONS, MISSING_DATA, NO_POLICY_FOR_PLAN, PRIOR_AUTH, templateIndicator, topicOf } from './templates.js';
import { renderSummary, renderTemplate, trusted, type TemplateValues } from './template.js';
import {
  CARD_TYPES,
  type CardMetadata,
  type CardType,
  type EvaluatedOrder,
  type OrderAssertion,
  type PlanWithoutPolicy,
  type RenderedResponse,
  type RenderInput,
  type UncheckedOrder,
} from './types.js';

export type {
  RenderInput, RenderedResponse, CardMetadata, CardType, CardConfiguration, DoseRounding, EvaluatedOrder, OrderAssertion, PlanWithoutPolicy, UncheckedOrder, UncheckedItem,
} from './types.js';
export { CARD_TYPES } from './types.js';

interface OrderContext {
  entry: EvaluatedOrder;
  evaluation: PolicyEvaluation;
  hook: RenderInput['hook'];
  policyUrl: string;
  orderReference: string;
  coverageAssertionId: string;
  payerLinks: NonNullable<RenderInput['payerLinks']>;
  enabled: (type: CardType) => boolean;
  /** the instructions card is the one a client must ask for */
  instructionsOn: boolean;
  /** Values every template may use. */
  values: TemplateValues;
}

interface TypedCard {
  type: CardType;
  card: Card;
  meta: CardMetadata;
}

// ------------------------------------------------------------------ shared pieces

function orderReferenceOf(order: MedicationRequest, evaluation: PolicyEvaluation): string {
  return order.id ? `MedicationRequest/${order.id}` : evaluation.orderReference;
}

function link(label: string, url: string, type: Link['type'] = 'absolute', appContext?: string): Link {
  return appContext ? { label, url, type, appContext } : { label, url, type };
}

/**
 * Links: this decision's page when there is one (the policy page is one click from it), else the policy page; the
 * payer's published text; the submission page and DTR app where an authorization request is asked for.
 */
function linksFor(ctx: OrderContext, withSubmission: boolean): Link[] {
  const links = ctx.entry.decisionUrl
    ? [link(renderTemplate(COMMON.links.decision, ctx.values, 'text'), ctx.entry.decisionUrl)]
    : [link(renderTemplate(COMMON.links.policy, { ...ctx.values, title: ctx.evaluation.policy.title }, 'text'), ctx.policyUrl)];
  if (ctx.evaluation.policy.url) links.push(link(renderTemplate(COMMON.links.publishedPolicy, ctx.values, 'text'), ctx.evaluation.policy.url));
  if (withSubmission && ctx.hook === 'order-sign') {
    const { submissionUrl, dtrAppUrl } = ctx.payerLinks;
    if (submissionUrl) links.push(link(renderTemplate(COMMON.links.submission, ctx.values, 'text'), submissionUrl));
    if (dtrAppUrl) {
      // DTR needs the order and the assertion it was launched from (CRD: coverage-assertion-id).
      const appContext = JSON.stringify({
        order: ctx.orderReference,
        coverage: ctx.entry.coverageReference,
        coverageAssertionId: ctx.coverageAssertionId,
      });
      links.push(link(renderTemplate(COMMON.links.dtr, ctx.values, 'text'), dtrAppUrl, 'smart', appContext));
    }
  }
  return links;
}

function metaOf(type: CardType, evaluation: PolicyEvaluation): CardMetadata {
  return {
    cardType: type,
    topic: topicOf(type).code,
    policyId: evaluation.policy.id,
    policyVersion: evaluation.policy.version,
    payerId: evaluation.policy.payerId,
  };
}

function card(type: CardType, ctx: OrderContext, summary: string, detail: string, links: Link[], extra: Partial<Card> = {}): TypedCard {
  return {
    type,
    meta: metaOf(type, ctx.evaluation),
    card: {
      uuid: randomUUID(),
      summary,
      detail,
      // order-select is an early look, not a stop: every card is informational.
      indicator: ctx.hook === 'order-select' ? 'info' : templateIndicator(type),
      source: { label: ctx.evaluation.policy.payerName, url: ctx.entry.decisionUrl ?? ctx.policyUrl, topic: topicOf(type) },
      ...extra,
      links,
      extension: { 'davinci-crd.associated-resource': ctx.orderReference },
    },
  };
}

function paRequired(evaluation: PolicyEvaluation): boolean {
  return evaluation.covered !== 'not-covered' && evaluation.paNeeded === 'auth-needed';
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items.filter((s) => s.trim().length > 0))];
}

function inEffectLeaves(evaluation: PolicyEvaluation): CriterionResult[] {
  const indication = decidingIndication(evaluation);
  return indication ? leaves(indication.criteria) : [];
}

/** Facts that belong to the order being written; at order-select a blank one is not yet an omission. */
const ORDER_FIELDS = new Set(['$.order.amount', '$.order.doseLines', '$.order.schedule', '$.order.dosePerDay', '$.order.dosePerAdministration']);

/**
 * What must be recorded to settle coverage, one line each naming what and where: the deciding indication's
 * not-documented criteria, the facts the dose check lacked, and anything that could not be read.
 */
function missingLines(ctx: OrderContext): string[] {
  const { evaluation } = ctx;
  const deciding = decidingIndication(evaluation);
  const criteria = evaluation.covered === 'conditional' && deciding ? openLines(deciding.criteria) : [];
  const doseMissing = evaluation.dose.status === 'not-documented' ? (evaluation.dose.missing ?? []) : [];
  const reason = evaluation.dose.unknownReasons?.join('; ');
  const dose = doseMissing
    .filter((fact) => ctx.hook === 'order-sign' || !ORDER_FIELDS.has(fact))
    .map((fact) => recordLine(renderTemplate(MISSING_DATA.doseLabel, { fact: factName(fact) }, 'text'), settleText(fact), reason));
  const unchecked = (ctx.entry.unchecked ?? []).map(uncheckedLine);
  return unique([...criteria, ...dose, ...unchecked]);
}

function items(lines: readonly string[], template: string): string {
  return lines.map((line) => renderTemplate(template, { line: trusted(line) }, 'markdown')).join('\n');
}

// ------------------------------------------------------------------ the coverage card (one per order)

function priorAuthCard(ctx: OrderContext, missing: string[]): TypedCard {
  const { evaluation } = ctx;
  const indication = decidingIndication(evaluation);
  let detail = renderTemplate(PRIOR_AUTH.detail, ctx.values, 'markdown');
  // The met indication in one line; when it is open, the closest one is named above what it lacks.
  if (indication?.status === 'met') detail += `\n\n${renderTemplate(COMMON.metIndication, { indication: indication.label }, 'markdown')}`;
  else if (indication) detail += renderTemplate(PRIOR_AUTH.closest, { indication: indication.label }, 'markdown');
  else detail += PRIOR_AUTH.noIndication;
  if (missing.length > 0) detail += renderTemplate(PRIOR_AUTH.missing, { items: trusted(items(missing, PRIOR_AUTH.item)) }, 'markdown');
  if (evaluation.approval) detail += renderTemplate(PRIOR_AUTH.approval, { duration: approvalText(evaluation.approval) }, 'markdown');
  // none found is not none on file when the look-up failed
  if (evaluation.authorizationUnchecked === true) detail += PRIOR_AUTH.authorizationUnchecked;
  const values = { ...ctx.values, count: missing.length };
  const first = missing.length === 1 ? PRIOR_AUTH.summaryMissingOne : PRIOR_AUTH.summaryMissing;
  const summaries = missing.length > 0 ? [first, PRIOR_AUTH.summary, PRIOR_AUTH.summaryShort] : [PRIOR_AUTH.summary, PRIOR_AUTH.summaryShort];
  return card('prior-auth', ctx, renderSummary(summaries, values), detail, linksFor(ctx, true));
}

function criteriaNotMetCard(ctx: OrderContext): TypedCard {
  const { evaluation } = ctx;
  let detail = renderTemplate(CRITERIA_NOT_MET.detail, ctx.values, 'markdown');
  const exclusions = evaluation.exclusions.filter((e) => e.inEffect && e.status === 'met');
  if (exclusions.length > 0) {
    const lines = exclusions
      .map((e) =>
        renderTemplate(
          CRITERIA_NOT_MET.exclusionItem,
          { label: e.label ?? e.id ?? '', evidence: e.evidence.length > 0 ? COMMON.evidenceIntro + evidenceList(e.evidence) : '' },
          'markdown',
        ),
      )
      .join('\n');
    detail += renderTemplate(CRITERIA_NOT_MET.exclusions, { items: trusted(lines) }, 'markdown');
  } else {
    // No indication met: the one that came closest, and only what it lacks.
    const closest = closestIndication(evaluation);
    const lacking = closest ? lackingLeaves(closest.criteria) : [];
    if (closest && lacking.length > 0) {
      const lines = unique(lacking.map((leaf) => (leaf.status === 'not-met' ? criterionLine(leaf) : openCriterionLine(leaf))));
      detail += renderTemplate(CRITERIA_NOT_MET.closest, { indication: closest.label, items: trusted(items(lines, CRITERIA_NOT_MET.criterionItem)) }, 'markdown');
    }
  }
  const summary = renderSummary([CRITERIA_NOT_MET.summary, CRITERIA_NOT_MET.summaryShort], ctx.values);
  return card('criteria-not-met', ctx, summary, detail, linksFor(ctx, false), { overrideReasons: CRITERIA_NOT_MET.overrideReasons });
}

function missingDataCard(ctx: OrderContext, missing: string[]): TypedCard {
  const detail = renderTemplate(MISSING_DATA.detail, { ...ctx.values, items: trusted(items(missing, MISSING_DATA.item)) }, 'markdown');
  const summary = renderSummary([missing.length === 1 ? MISSING_DATA.summaryOne : MISSING_DATA.summary, MISSING_DATA.summaryShort], { ...ctx.values, count: missing.length });
  return card('missing-data', ctx, summary, detail, linksFor(ctx, false));
}

/** The one coverage card that applies to this order, honouring the client's switches. */
function coverageCard(ctx: OrderContext): TypedCard | undefined {
  const { evaluation } = ctx;
  if (evaluation.covered === 'not-covered') return ctx.enabled('criteria-not-met') ? criteriaNotMetCard(ctx) : undefined;
  const missing = missingLines(ctx);
  if (paRequired(evaluation) && ctx.enabled('prior-auth')) return priorAuthCard(ctx, missing);
  if (missing.length > 0 && ctx.enabled('missing-data')) return missingDataCard(ctx, missing);
  return undefined;
}

// ------------------------------------------------------------------ dose

function exceedsWord(exceeds: readonly DoseExceeds[], per: CumulativeCap['per'] = 'cycle'): string {
  const perAdministration = exceeds.filter((part) => part !== 'cumulative');
  const first =
    perAdministration.includes('dose') && perAdministration.includes('schedule')
      ? DOSE_LIMIT.exceeds.both
      : perAdministration.includes('schedule')
        ? DOSE_LIMIT.exceeds.schedule
        : perAdministration.includes('dose')
          ? DOSE_LIMIT.exceeds.dose
          : undefined;
  if (!exceeds.includes('cumulative')) return first ?? DOSE_LIMIT.exceeds.dose;
  const total = per === 'course' ? DOSE_LIMIT.exceeds.cumulativeCourse : DOSE_LIMIT.exceeds.cumulative;
  return first === undefined ? total : renderTemplate(DOSE_LIMIT.exceeds.joined, { first, second: total }, 'text');
}

function doseCard(ctx: OrderContext): TypedCard | undefined {
  const { evaluation, entry } = ctx;
  const dose = evaluation.dose;
  if (dose.status !== 'not-met' || !ctx.enabled('dose-limit')) return undefined;
  // order-select: the schedule of a half-entered order (an EHR's default "1 daily") is not a finding yet.
  const exceeds = (dose.exceeds ?? ['dose']).filter((part) => ctx.hook === 'order-sign' || part === 'dose');
  if (exceeds.length === 0) return undefined;
  const applied = entry.rounding ? applyCoveredDose(entry.order, dose, entry.rounding) : undefined;
  const covered = applied ? coveredText({ ...(dose.covered ?? { amount: { value: 0, unit: 'mg', per: 'administration' } }), ...(applied.schedule && { schedule: applied.schedule }) }, applied.dose) : dose.covered ? coveredText(dose.covered) : undefined;
  const ordered = orderedText(dose.ordered);
  const allowed = limitsText(dose);
  const cumulativeCap = dose.limits?.find((l) => l.cumulative !== undefined)?.cumulative;
  const values: TemplateValues = { ...ctx.values, exceeds: exceedsWord(exceeds, cumulativeCap?.per), ordered: ordered ?? '', allowed: allowed ?? '', covered: covered ?? '' };

  const summaries = [...(ordered && allowed ? [DOSE_LIMIT.summary] : []), ...(covered ? [DOSE_LIMIT.summaryShort] : []), DOSE_LIMIT.summaryShortest];
  // Only lines with a value: no "Ordered: —".
  const parts: string[] = [];
  if (ordered) parts.push(renderTemplate(DOSE_LIMIT.detail, { ordered }, 'markdown'));
  if (allowed) parts.push(renderTemplate(DOSE_LIMIT.allowed, { allowed }, 'markdown'));
  let detail = parts.join('').replace(/^\n+/, '');
  const conditionEvidence = new Set<string>();
  if (dose.limitFor && dose.limitFor.length > 0) {
    const conditions = dose.limitFor
      .map((c) => {
        c.evidence.forEach((e) => conditionEvidence.add(e.reference));
        return c.evidence.length > 0 ? renderTemplate(DOSE_LIMIT.limitForItem, { label: c.label, evidence: evidenceList(c.evidence) }, 'text') : c.label;
      })
      .join('; ');
    detail += renderTemplate(DOSE_LIMIT.limitFor, { conditions }, 'markdown');
  }
  const lines = entry.order.dosageInstruction?.length ?? 0;
  if (covered && hasSeveralDoseLines(entry.order)) detail += renderTemplate(DOSE_LIMIT.noFixSeveralLines, { covered, lines: String(lines) }, 'markdown');
  else if (covered) detail += renderTemplate(DOSE_LIMIT.coveredForPatient, { covered }, 'markdown');
  else if (exceeds.includes('cumulative')) {
    const cap = cumulativeCap;
    const course = dose.ordered?.courseTotal;
    if (cap !== undefined && course !== undefined) {
      const total = quantityText({ value: cap.max, unit: cap.unit });
      detail +=
        course.remaining.value <= 0 && course.given.some((g) => g.source === 'signed-together')
          ? renderTemplate(DOSE_LIMIT.noFixCourseSignedTogether, { total }, 'markdown')
          : course.remaining.value <= 0
          ? renderTemplate(DOSE_LIMIT.noFixCourseReached, { total, gapDays: String(course.gapDays) }, 'markdown')
          : renderTemplate(DOSE_LIMIT.noFixCourse, { total, remaining: quantityText(course.remaining) }, 'markdown');
    } else if (cap !== undefined) detail += renderTemplate(DOSE_LIMIT.noFixCumulative, { total: quantityText({ value: cap.max, unit: cap.unit }) }, 'markdown');
  }
  else if (dose.missing && dose.missing.length > 0) detail += renderTemplate(DOSE_LIMIT.noFix, { settle: dose.missing.map(settleText).join('; ') }, 'markdown');
  // The order itself is on the "Ordered" line; its own evidence would repeat it.
  // …nor the earlier orders and administrations the course total already lists
  const listed = new Set((dose.ordered?.courseTotal?.given ?? []).map((g) => g.reference));
  const basis = dose.evidence.filter((e) => !conditionEvidence.has(e.reference) && e.reference !== ctx.orderReference && !listed.has(e.reference));
  if (basis.length > 0) detail += renderTemplate(DOSE_LIMIT.evidence, { evidence: evidenceList(basis) }, 'markdown');
  if (dose.source) detail += renderTemplate(DOSE_LIMIT.source, { source: oneSpelling(dose.source) }, 'markdown');
  detail = detail.replace(/^\n+/, '');

  const extra: Partial<Card> = { overrideReasons: DOSE_LIMIT.overrideReasons };
  if (applied && covered) {
    extra.suggestions = [
      {
        label: renderTemplate(DOSE_LIMIT.suggestionLabel, values, 'text'),
        uuid: randomUUID(),
        isRecommended: true,
        actions: [{ type: 'update', description: renderTemplate(DOSE_LIMIT.suggestionDescription, values, 'text'), resource: applied.order }],
      },
    ];
    extra.selectionBehavior = 'at-most-one';
  }
  return card('dose-limit', ctx, renderSummary(summaries, values), detail, linksFor(ctx, false), extra);
}

// ------------------------------------------------------------------ instructions (off unless a client asks)

function instructionsCard(ctx: OrderContext): TypedCard | undefined {
  // Off unless the client switched it on (the decision page carries the same).
  if (ctx.hook !== 'order-sign' || !paRequired(ctx.evaluation) || !ctx.instructionsOn) return undefined;
  const indication = decidingIndication(ctx.evaluation);
  const fromCriteria = inEffectLeaves(ctx.evaluation).filter((leaf) => leaf.status !== 'met').map((leaf) => leaf.documentation ?? '');
  const checklist = unique([...INSTRUCTIONS.standardItems, ...(ctx.entry.documentation ?? []), ...fromCriteria]);
  const list = trusted(bulletList(INSTRUCTIONS.item, checklist));
  let detail = indication
    ? renderTemplate(INSTRUCTIONS.detail, { ...ctx.values, indication: indication.label, criteria: trusted(criteriaChecklist(indication.criteria).join('\n')), items: list }, 'markdown')
    : renderTemplate(INSTRUCTIONS.detailNoIndication, { ...ctx.values, items: list }, 'markdown');
  if (ctx.evaluation.approval) detail += renderTemplate(INSTRUCTIONS.approval, { duration: approvalText(ctx.evaluation.approval) }, 'markdown');
  const summary = renderSummary([INSTRUCTIONS.summary, INSTRUCTIONS.summaryShort], ctx.values);
  return card('instructions', ctx, summary, detail, linksFor(ctx, true));
}

// ------------------------------------------------------------------ coverage not checked (payer unknown)

function uncheckedCoverageCard(input: NonNullable<RenderInput['uncheckedCoverage']>): TypedCard {
  const t = MISSING_DATA.coverageUnchecked;
  const brands = [...new Set(input.orders.map((o) => o.brand))].join(', ');
  const lines = input.items.length > 0 ? input.items.map((item) => `- ${uncheckedLine(item)}`) : [`- ${t.noCoverageItem}`];
  const summary = renderSummary([t.summary], { brands });
  const first: UncheckedOrder | undefined = input.orders[0];
  return {
    type: 'missing-data',
    meta: { cardType: 'missing-data', topic: topicOf('missing-data').code },
    card: {
      uuid: randomUUID(),
      summary,
      detail: renderTemplate(t.detail, { brands, items: trusted(lines.join('\n')) }, 'markdown'),
      indicator: 'info',
      source: { label: t.sourceLabel, topic: topicOf('missing-data') },
      // One reference per card in CRD; the first order stands for all (they share the one unknown payer).
      ...(first && { extension: { 'davinci-crd.associated-resource': first.orderReference } }),
    },
  };
}

/** Draft orders of a policy drug whose subject is another patient than the hook's: not evaluated against this chart. */
function otherPatientCard(orders: readonly UncheckedOrder[]): TypedCard {
  const t = MISSING_DATA.otherPatient;
  const brands = [...new Set(orders.map((o) => o.brand))].join(', ');
  const first: UncheckedOrder | undefined = orders[0];
  return {
    type: 'missing-data',
    meta: { cardType: 'missing-data', topic: topicOf('missing-data').code },
    card: {
      uuid: randomUUID(),
      summary: renderSummary([t.summary], { brands }),
      detail: renderTemplate(t.detail, { brands, orders: orders.map((o) => o.orderReference).join(', ') }, 'markdown'),
      indicator: 'warning',
      source: { label: t.sourceLabel, topic: topicOf('missing-data') },
      ...(first && { extension: { 'davinci-crd.associated-resource': first.orderReference } }),
    },
  };
}

// ------------------------------------------------------------------ the payer has no policy for the member's plan

/** A line of business as a clinician knows it ("Medicaid"); one the card template does not name is shown as written. */
function planName(lineOfBusiness: string): string {
  const names: Readonly<Record<string, string>> = NO_POLICY_FOR_PLAN.planNames;
  return names[lineOfBusiness] ?? lineOfBusiness;
}

/** Info card: the payer's policy for the drug is for other plans; nothing is asserted for this one (conventions). */
function planWithoutPolicyCard(plan: PlanWithoutPolicy, baseUrl: string, hook: RenderInput['hook']): TypedCard {
  const t = NO_POLICY_FOR_PLAN;
  const values: TemplateValues = { brand: plan.brand, payer: plan.payerName, plan: planName(plan.lineOfBusiness) };
  const planOnCoverage = plan.planName === undefined ? '' : renderTemplate(t.planOnCoverage, { planName: plan.planName }, 'markdown');
  const policies = plan.policies
    .map((p) => renderTemplate(t.policyItem, { policy: p.title, plans: p.linesOfBusiness.map(planName).join(t.planJoiner) }, 'markdown'))
    .join(t.policyJoiner);
  const root = baseUrl.replace(/\/+$/, '');
  const first = plan.policies[0];
  const links = plan.policies.map((p) => link(renderTemplate(t.links.policy, { payer: plan.payerName, policy: p.title }, 'text'), `${root}/policies/${encodeURIComponent(p.id)}`));
  return {
    type: 'no-policy-for-plan',
    meta: {
      cardType: 'no-policy-for-plan',
      topic: topicOf('no-policy-for-plan').code,
      payerId: plan.payerId,
      ...(first !== undefined && { policyId: first.id, policyVersion: first.version }),
    },
    card: {
      uuid: randomUUID(),
      summary: renderSummary([t.summary, t.summaryShort], values),
      detail: renderTemplate(t.detail, { ...values, planOnCoverage: trusted(planOnCoverage), policies: trusted(policies) }, 'markdown'),
      indicator: hook === 'order-select' ? 'info' : templateIndicator('no-policy-for-plan'),
      source: { label: plan.payerName, topic: topicOf('no-policy-for-plan') },
      links,
      extension: { 'davinci-crd.associated-resource': plan.orderReference },
    },
  };
}

// ------------------------------------------------------------------ assembly

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function contextFor(entry: EvaluatedOrder, input: RenderInput): OrderContext {
  const { evaluation } = entry;
  const baseUrl = input.baseUrl.replace(/\/+$/, '');
  return {
    entry,
    evaluation,
    hook: input.hook,
    policyUrl: `${baseUrl}/policies/${encodeURIComponent(evaluation.policy.id)}`,
    orderReference: orderReferenceOf(entry.order, evaluation),
    coverageAssertionId: randomUUID(),
    payerLinks: input.payerLinks ?? {},
    enabled: (type) => input.configuration.enabled[type] !== false,
    instructionsOn: input.configuration.enabled.instructions === true,
    values: { brand: entry.brandName, payer: evaluation.policy.payerName, policy: evaluation.policy.title },
  };
}

function systemActionFor(ctx: OrderContext, today: string): SystemAction | undefined {
  // CRD: the coverage reference is 1..1; without a Coverage there is no assertion to make. An order the EHR sent
  // without an id cannot be matched: no update for it.
  if (!ctx.entry.coverageReference || ctx.entry.matchable === false) return undefined;
  return coverageInformationAction(
    ctx.entry.order,
    ctx.evaluation,
    {
      coverageReference: ctx.entry.coverageReference,
      policyUrl: ctx.entry.decisionUrl ?? ctx.policyUrl,
      today,
      askForDocumentation: ctx.hook === 'order-sign',
      newId: () => ctx.coverageAssertionId,
    },
    renderTemplate(COMMON.systemActionDescription, ctx.values, 'text'),
  );
}

function assertionOf(ctx: OrderContext, returned: boolean): OrderAssertion {
  const { policy, covered, paNeeded } = ctx.evaluation;
  return {
    orderReference: ctx.orderReference,
    policyId: policy.id,
    policyVersion: policy.version,
    payerId: policy.payerId,
    covered,
    ...(paNeeded !== undefined && { paNeeded }),
    ...(returned && { coverageAssertionId: ctx.coverageAssertionId }),
    matchable: ctx.entry.matchable !== false,
  };
}

/** Removes undefined members and empty arrays/objects from card JSON; FHIR resources are left as sent. */
export function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => prune(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    const pruned = key === 'resource' ? member : prune(member);
    if (Array.isArray(pruned) && pruned.length === 0) continue;
    if (key !== 'resource' && typeof pruned === 'object' && pruned !== null && !Array.isArray(pruned) && Object.keys(pruned).length === 0) continue;
    out[key] = pruned;
  }
  return out as T;
}

export function renderResponseWithMetadata(input: RenderInput): RenderedResponse {
  const today = input.today ?? todayUtc();
  const candidates: Array<TypedCard & { order: number }> = [];
  const systemActions: SystemAction[] = [];
  const assertions: OrderAssertion[] = [];

  input.evaluations.forEach((entry, index) => {
    const ctx = contextFor(entry, input);
    const action = systemActionFor(ctx, today);
    if (action) systemActions.push(action);
    assertions.push(assertionOf(ctx, action !== undefined));
    for (const built of [doseCard(ctx), coverageCard(ctx), instructionsCard(ctx)]) {
      if (built) candidates.push({ ...built, order: index });
    }
  });
  const unchecked = input.uncheckedCoverage;
  if (unchecked && unchecked.orders.length > 0 && input.configuration.enabled['missing-data'] !== false) {
    candidates.push({ ...uncheckedCoverageCard(unchecked), order: input.evaluations.length });
  }
  if (input.configuration.enabled['no-policy-for-plan'] !== false) {
    (input.plansWithoutPolicy ?? []).forEach((plan, i) => candidates.push({ ...planWithoutPolicyCard(plan, input.baseUrl, input.hook), order: input.evaluations.length + i }));
  }
  // An order for another patient is never silently dropped: it is named, whatever the configuration switches off.
  if (input.otherPatientOrders !== undefined && input.otherPatientOrders.length > 0) {
    candidates.push({ ...otherPatientCard(input.otherPatientOrders), order: input.evaluations.length + (input.plansWithoutPolicy?.length ?? 0) + 1 });
  }

  // Most important first (CARD_TYPES order), then draft-order order; max-cards keeps the head.
  const rank = (type: CardType): number => CARD_TYPES.indexOf(type);
  const kept = candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c.type) - rank(b.c.type) || a.c.order - b.c.order || a.i - b.i)
    .slice(0, Math.max(0, input.configuration.maxCards))
    .map(({ c }) => c);

  const cards: Record<string, CardMetadata> = {};
  for (const { card: c, meta } of kept) cards[c.uuid] = meta;
  const response: HookResponse = { cards: kept.map((c) => prune(c.card)) };
  // order-sign answers always carry systemActions (Inferno's CRD server suite requires the key), empty when none applies
  if (systemActions.length > 0 || input.hook === 'order-sign') response.systemActions = systemActions;
  return { response, cards, assertions };
}

export function renderResponse(input: RenderInput): HookResponse {
  return renderResponseWithMetadata(input).response;
}
