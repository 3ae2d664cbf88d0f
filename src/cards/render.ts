/**
 * CDS Hooks 2.0 / Da Vinci CRD response for evaluated draft orders: cards (wording from cards/*.json)
 * and one coverage-information system action per order.
 */
import { randomUUID } from 'node:crypto';
import type { MedicationRequest } from 'fhir/r4.js';
import type { CriterionResult, PolicyEvaluation } from '../policy/types.js';
import type { Card, HookResponse, Link, SystemAction } from '../protocol/types.js';
import { coverageInformationAction } from './coverage-information.js';
import { bulletList, criteriaChecklist, criterionLine, decidingIndication, evidenceList, leaves } from './criteria.js';
import { applyCoveredDose, type AppliedDose } from './dose-suggestion.js';
import {
  COMMON,
  CRITERIA_NOT_MET,
  DOSE_LIMIT,
  INSTRUCTIONS,
  MISSING_DATA,
  PRIOR_AUTH,
  templateIndicator,
  topicOf,
} from './templates.js';
import { renderSummary, renderTemplate, trusted, type TemplateValues } from './template.js';
import {
  CARD_TYPES,
  type CardType,
  type EvaluatedOrder,
  type RenderedCardMeta,
  type RenderedResponse,
  type RenderInput,
} from './types.js';

export type { RenderInput, RenderedResponse, RenderedCardMeta, CardType, CardConfiguration, DoseRounding, EvaluatedOrder } from './types.js';
export { CARD_TYPES } from './types.js';

interface OrderContext {
  entry: EvaluatedOrder;
  evaluation: PolicyEvaluation;
  hook: RenderInput['hook'];
  policyUrl: string;
  orderReference: string;
  coverageAssertionId: string;
  payerLinks: NonNullable<RenderInput['payerLinks']>;
  /** whether the client receives the instructions card (then the PA card need not repeat the policy's list) */
  instructionsCardShown: boolean;
  /** Values every template may use. */
  values: TemplateValues;
}

interface TypedCard {
  type: CardType;
  card: Card;
}

// ------------------------------------------------------------------ shared pieces

function orderReferenceOf(order: MedicationRequest, evaluation: PolicyEvaluation): string {
  return order.id ? `MedicationRequest/${order.id}` : evaluation.orderReference;
}

function link(label: string, url: string, type: Link['type'] = 'absolute', appContext?: string): Link {
  return appContext ? { label, url, type, appContext } : { label, url, type };
}

/** Links: the policy page always; submission page and DTR app only where documentation is asked for. */
function linksFor(ctx: OrderContext, withDocumentation: boolean): Link[] {
  const links = [link(renderTemplate(COMMON.links.policy, { ...ctx.values, title: ctx.evaluation.policy.title }, 'text'), ctx.policyUrl)];
  if (ctx.evaluation.policy.url) links.push(link(renderTemplate(COMMON.links.publishedPolicy, ctx.values, 'text'), ctx.evaluation.policy.url));
  if (withDocumentation && ctx.hook === 'order-sign') {
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

function card(type: CardType, ctx: OrderContext, summary: string, detail: string, links: Link[], extra: Partial<Card> = {}): TypedCard {
  return {
    type,
    card: {
      uuid: randomUUID(),
      summary,
      detail,
      // order-select is an early look, not a stop: every card is informational.
      indicator: ctx.hook === 'order-select' ? 'info' : templateIndicator(type),
      source: { label: ctx.evaluation.policy.payerName, url: ctx.policyUrl, topic: topicOf(type) },
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

// ------------------------------------------------------------------ prior authorization

/** What the chart lacks for the deciding indication; the policy's full list is on the instructions card, unless off. */
function attachmentsFor(ctx: OrderContext): string[] {
  const fromCriteria = inEffectLeaves(ctx.evaluation)
    .filter((leaf) => leaf.status !== 'met')
    .map((leaf) => leaf.documentation ?? '');
  const general = ctx.instructionsCardShown ? [] : (ctx.entry.documentation ?? []);
  return unique([...general, ...fromCriteria]);
}

function priorAuthCard(ctx: OrderContext): TypedCard | undefined {
  if (!paRequired(ctx.evaluation)) return undefined;
  const indication = decidingIndication(ctx.evaluation);
  let detail = indication
    ? renderTemplate(
        PRIOR_AUTH.detail,
        { ...ctx.values, indication: indication.label, criteria: trusted(criteriaChecklist(indication.criteria).join('\n')) },
        'markdown',
      )
    : renderTemplate(PRIOR_AUTH.noIndication, ctx.values, 'markdown');
  if (ctx.evaluation.authorizationUnchecked === true) detail += renderTemplate(PRIOR_AUTH.authorizationUnchecked, ctx.values, 'markdown');
  if (ctx.hook === 'order-sign') {
    const attachments = attachmentsFor(ctx);
    if (attachments.length > 0) {
      detail += renderTemplate(PRIOR_AUTH.attachments, { items: trusted(bulletList(PRIOR_AUTH.attachmentItem, attachments)) }, 'markdown');
    }
  }
  if (ctx.evaluation.approvalDurationText) {
    detail += renderTemplate(PRIOR_AUTH.approval, { duration: ctx.evaluation.approvalDurationText }, 'markdown');
  }
  const summary = renderSummary([PRIOR_AUTH.summary, PRIOR_AUTH.summaryShort], ctx.values);
  return card('prior-auth', ctx, summary, detail, linksFor(ctx, true));
}

// ------------------------------------------------------------------ dose

function unitText(unit: string): string {
  const units: Record<string, string> = DOSE_LIMIT.unitDisplay;
  return units[unit] ?? unit;
}

function coveredText(evaluation: PolicyEvaluation, applied: AppliedDose | undefined): string | undefined {
  const covered = evaluation.dose.covered;
  const amount = applied?.dose ?? (covered ? { ...covered.amount } : undefined);
  const amountText = amount
    ? renderTemplate(
        DOSE_LIMIT.coveredAmount,
        { value: amount.value, unit: unitText(amount.per === 'day' ? `${amount.unit}/d` : amount.unit) },
        'text',
      )
    : undefined;
  const schedule = applied ? applied.schedule : evaluation.dose.exceeds?.includes('schedule') ? covered?.schedule : undefined;
  if (!schedule) return amountText;
  const base = amountText ?? '';
  return renderTemplate(
    DOSE_LIMIT.coveredSchedule,
    { amount: base, administrations: schedule.administrations, periodDays: schedule.periodDays },
    'text',
  ).replace(/^, /, '');
}

function exceedsWord(evaluation: PolicyEvaluation): string {
  const exceeds = evaluation.dose.exceeds ?? [];
  if (exceeds.includes('dose') && exceeds.includes('schedule')) return DOSE_LIMIT.exceeds.both;
  return exceeds.includes('schedule') ? DOSE_LIMIT.exceeds.schedule : DOSE_LIMIT.exceeds.dose;
}

function doseCard(ctx: OrderContext): TypedCard | undefined {
  const { evaluation, entry } = ctx;
  const dose = evaluation.dose;
  if (dose.status !== 'not-met') return undefined;
  // At selection the dose is a placeholder (the sandbox's "1 {pill} daily"): no verdict on an unread amount yet.
  if (ctx.hook === 'order-select' && dose.amountUnknown) return undefined;
  const applied = entry.rounding ? applyCoveredDose(entry.order, dose, entry.rounding) : undefined;
  const covered = coveredText(evaluation, applied);
  const ordered = dose.orderedText;
  const allowed = dose.allowedText ?? evaluation.allowedQuantity;
  const values: TemplateValues = {
    ...ctx.values,
    exceeds: exceedsWord(evaluation),
    ordered: ordered ?? '',
    allowed: allowed ?? '',
    covered: covered ?? '',
  };

  const summaries = [
    ...(ordered && allowed ? [DOSE_LIMIT.summary] : []),
    ...(covered ? [DOSE_LIMIT.summaryShort] : []),
    DOSE_LIMIT.summaryShortest,
  ];
  let detail = renderTemplate(DOSE_LIMIT.detail, { ordered: ordered ?? '—', allowed: allowed ?? '—' }, 'markdown');
  if (dose.limitFor && dose.limitFor.length > 0) {
    const conditions = dose.limitFor
      .map((c) => (c.evidence.length > 0 ? renderTemplate(DOSE_LIMIT.limitForItem, { label: c.label, evidence: evidenceList(c.evidence) }, 'text') : c.label))
      .join('; ');
    detail += renderTemplate(DOSE_LIMIT.limitFor, { conditions }, 'markdown');
  }
  if (covered) detail += renderTemplate(DOSE_LIMIT.coveredForPatient, { covered }, 'markdown');
  if (dose.evidence.length > 0) detail += renderTemplate(DOSE_LIMIT.evidence, { evidence: evidenceList(dose.evidence) }, 'markdown');
  if (dose.source) detail += renderTemplate(DOSE_LIMIT.source, { source: dose.source }, 'markdown');

  const extra: Partial<Card> = { overrideReasons: DOSE_LIMIT.overrideReasons };
  if (applied && covered) {
    extra.suggestions = [
      {
        label: renderTemplate(DOSE_LIMIT.suggestionLabel, values, 'text'),
        uuid: randomUUID(),
        isRecommended: true,
        actions: [
          { type: 'update', description: renderTemplate(DOSE_LIMIT.suggestionDescription, values, 'text'), resource: applied.order },
        ],
      },
    ];
    extra.selectionBehavior = 'at-most-one';
  }
  return card('dose-limit', ctx, renderSummary(summaries, values), detail, linksFor(ctx, false), extra);
}

// ------------------------------------------------------------------ not covered

function criteriaNotMetCard(ctx: OrderContext): TypedCard | undefined {
  const { evaluation } = ctx;
  if (evaluation.covered !== 'not-covered') return undefined;
  let detail = renderTemplate(CRITERIA_NOT_MET.detail, { ...ctx.values }, 'markdown');
  const detailStart = detail.length;
  const exclusions = evaluation.exclusions.filter((e) => e.inEffect && e.status === 'met');
  if (exclusions.length > 0) {
    const items = exclusions
      .map((e) =>
        renderTemplate(
          CRITERIA_NOT_MET.exclusionItem,
          { label: e.label ?? e.id ?? '', evidence: e.evidence.length > 0 ? COMMON.evidenceIntro + evidenceList(e.evidence) : '' },
          'markdown',
        ),
      )
      .join('\n');
    detail += renderTemplate(CRITERIA_NOT_MET.exclusions, { items: trusted(items) }, 'markdown');
  }
  // The deciding indication when the engine names one; otherwise every indication in effect.
  const deciding = evaluation.indications.find((i) => i.id === evaluation.decidingIndication);
  const indications = deciding ? [deciding] : evaluation.indications.filter((i) => i.criteria.inEffect);
  for (const indication of indications) {
    const unmet = leaves(indication.criteria).filter((leaf) => leaf.status === 'not-met');
    if (unmet.length === 0) continue;
    const items = unmet.map((leaf) => renderTemplate(CRITERIA_NOT_MET.criterionItem, { line: trusted(criterionLine(leaf)) }, 'markdown')).join('\n');
    detail += renderTemplate(CRITERIA_NOT_MET.indication, { indication: indication.label, items: trusted(items) }, 'markdown');
  }
  // The engine's reasons repeat the lists above in prose; they stand in only when no list could be drawn.
  if (detail.length === detailStart && evaluation.reasons.length > 0) {
    detail += renderTemplate(CRITERIA_NOT_MET.reasons, { items: trusted(bulletList(CRITERIA_NOT_MET.reasonItem, evaluation.reasons)) }, 'markdown');
  }
  const summary = renderSummary([CRITERIA_NOT_MET.summary, CRITERIA_NOT_MET.summaryShort], ctx.values);
  return card('criteria-not-met', ctx, summary, detail, linksFor(ctx, false), { overrideReasons: CRITERIA_NOT_MET.overrideReasons });
}

// ------------------------------------------------------------------ missing data

function settleText(fact: string): string {
  const observations: Record<string, string> = MISSING_DATA.observations;
  return observations[fact.trim().toLowerCase()] ?? renderTemplate(MISSING_DATA.defaultSettle, { fact }, 'text');
}

/** Unreadable resources named on one card, at most: the rest are in the trace. */
const MAX_UNREADABLE_LINES = 5;

function missingDataCard(ctx: OrderContext): TypedCard | undefined {
  const { evaluation } = ctx;
  const criteria =
    evaluation.covered === 'conditional' ? inEffectLeaves(evaluation).filter((leaf) => leaf.status === 'not-documented') : [];
  // At selection the dose is a placeholder (the sandbox's "1 {pill} daily"): nothing about an amount it could not read.
  const quietDose = ctx.hook === 'order-select' && evaluation.dose.amountUnknown === true;
  const doseFacts = evaluation.dose.status === 'not-documented' && !quietDose ? unique(evaluation.dose.missing ?? []) : [];
  // why the dose could not be checked, as the facts said (an impossible dose on the order, a weight out of bounds)
  const doseReasons = evaluation.dose.status === 'not-documented' && !quietDose ? unique(evaluation.dose.unknownReasons ?? []) : [];
  const unchecked = [
    ...unique(evaluation.unchecked),
    ...(ctx.entry.unreadable ?? []).slice(0, MAX_UNREADABLE_LINES).map((u) => renderTemplate(MISSING_DATA.unreadableItem, { reference: u.reference, detail: u.detail }, 'text')),
  ];
  if (criteria.length + doseFacts.length + unchecked.length === 0) return undefined;

  const lines = [
    ...criteria.map((leaf) =>
      renderTemplate(
        MISSING_DATA.criterionItem,
        { label: leaf.label ?? leaf.id ?? '', settle: leaf.documentation ?? settleText(leaf.label ?? leaf.id ?? '') },
        'markdown',
      ),
    ),
    ...doseFacts.map((fact) => renderTemplate(MISSING_DATA.doseItem, { settle: settleText(fact) }, 'markdown')),
    ...doseReasons.map((reason) => renderTemplate(MISSING_DATA.doseReasonItem, { reason }, 'markdown')),
    ...unchecked.map((item) => renderTemplate(MISSING_DATA.uncheckedItem, { item }, 'markdown')),
  ].join('\n');
  const onlyUnchecked = criteria.length + doseFacts.length === 0;
  const detail = renderTemplate(onlyUnchecked ? MISSING_DATA.uncheckedOnly : MISSING_DATA.detail, { ...ctx.values, items: trusted(lines) }, 'markdown');
  const summary = renderSummary([MISSING_DATA.summary, MISSING_DATA.summaryShort], ctx.values);
  return card('missing-data', ctx, summary, detail, linksFor(ctx, false));
}

// ------------------------------------------------------------------ instructions

function instructionsCard(ctx: OrderContext): TypedCard | undefined {
  // order-select asks for no documentation (issue 4).
  if (ctx.hook !== 'order-sign' || !paRequired(ctx.evaluation)) return undefined;
  const fromCriteria = inEffectLeaves(ctx.evaluation).map((leaf) => {
    if (leaf.status === 'met' && leaf.evidence.length > 0) {
      return renderTemplate(INSTRUCTIONS.evidenceItem, { label: leaf.label ?? leaf.id ?? '', evidence: evidenceList(leaf.evidence) }, 'text');
    }
    return leaf.documentation ?? '';
  });
  const items = unique([...INSTRUCTIONS.standardItems, ...(ctx.entry.documentation ?? []), ...fromCriteria]);
  let detail = renderTemplate(INSTRUCTIONS.detail, { ...ctx.values, items: trusted(bulletList(INSTRUCTIONS.item, items)) }, 'markdown');
  if (ctx.evaluation.approvalDurationText) {
    detail += renderTemplate(INSTRUCTIONS.approval, { duration: ctx.evaluation.approvalDurationText }, 'markdown');
  }
  const summary = renderSummary([INSTRUCTIONS.summary, INSTRUCTIONS.summaryShort], ctx.values);
  return card('instructions', ctx, summary, detail, linksFor(ctx, true));
}

// ------------------------------------------------------------------ assembly

const BUILDERS: Record<CardType, (ctx: OrderContext) => TypedCard | undefined> = {
  'dose-limit': doseCard,
  'prior-auth': priorAuthCard,
  'criteria-not-met': criteriaNotMetCard,
  'missing-data': missingDataCard,
  instructions: instructionsCard,
};

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
    instructionsCardShown: input.configuration.enabled.instructions !== false && input.hook === 'order-sign',
    values: { brand: entry.brandName, payer: evaluation.policy.payerName, policy: evaluation.policy.title },
  };
}

function systemActionFor(ctx: OrderContext, today: string): SystemAction | undefined {
  // CRD: the coverage reference is 1..1; without a Coverage there is no assertion to make.
  if (!ctx.entry.coverageReference) return undefined;
  return coverageInformationAction(
    ctx.entry.order,
    ctx.evaluation,
    {
      coverageReference: ctx.entry.coverageReference,
      policyUrl: ctx.policyUrl,
      today,
      askForDocumentation: ctx.hook === 'order-sign',
      newId: () => ctx.coverageAssertionId,
    },
    renderTemplate(COMMON.systemActionDescription, ctx.values, 'text'),
  );
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
  const enabled = (type: CardType): boolean => input.configuration.enabled[type] !== false;
  const candidates: Array<TypedCard & { order: number; ctx: OrderContext }> = [];
  const systemActions: SystemAction[] = [];

  input.evaluations.forEach((entry, index) => {
    const ctx = contextFor(entry, input);
    const action = systemActionFor(ctx, today);
    if (action) systemActions.push(action);
    for (const type of CARD_TYPES) {
      if (!enabled(type)) continue;
      const built = BUILDERS[type](ctx);
      if (built) candidates.push({ ...built, order: index, ctx });
    }
  });

  // Most important first (CARD_TYPES order), then draft-order order; max-cards keeps the head.
  const rank = (type: CardType): number => CARD_TYPES.indexOf(type);
  const kept = candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c.type) - rank(b.c.type) || a.c.order - b.c.order || a.i - b.i)
    .slice(0, Math.max(0, input.configuration.maxCards))
    .map(({ c }) => c);

  const renderedCards: Record<string, RenderedCardMeta> = {};
  for (const { type, card: c, ctx } of kept) {
    renderedCards[c.uuid] = {
      cardType: type,
      topic: c.source.topic?.code ?? '',
      policyId: ctx.evaluation.policy.id,
      payerId: ctx.evaluation.policy.payerId,
    };
  }
  const response: HookResponse = { cards: kept.map((c) => prune(c.card)) };
  if (systemActions.length > 0) response.systemActions = systemActions;
  return { response, renderedCards };
}

export function renderResponse(input: RenderInput): HookResponse {
  return renderResponseWithMetadata(input).response;
}
