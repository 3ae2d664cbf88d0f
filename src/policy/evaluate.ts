/**
 * evaluatePolicy: one policy against one draft order's ClinicalFacts.
 * Pure; three-valued; every answer carries its reasons and evidence.
 */
import type { ClinicalFacts, LineOfBusiness } from '../facts/types.js';
import { decidingLeaves, evaluateCriterion, openLeaves } from './criteria.js';
import { checkDoseLimits } from './dose.js';
import type {
  Covered,
  CriterionResult,
  DoseCheck,
  Duration,
  Exclusion,
  Indication,
  IndicationResult,
  PaNeeded,
  Policy,
  PolicyEvaluation,
} from './types.js';

// ---------------------------------------------------------------- indications and exclusions

export function evaluateIndication(ind: Indication, facts: ClinicalFacts): IndicationResult {
  const criteria = evaluateCriterion(ind.criteria, facts);
  return {
    id: ind.id,
    label: ind.label,
    source: ind.source,
    status: criteria.inEffect ? criteria.status : 'not-met',
    criteria,
    dose: checkDoseLimits(ind.doseLimits, facts),
    continuation: ind.continuation ?? false,
  };
}

/** The exclusion names the result; its criteria tree sits beneath. */
export function evaluateExclusion(ex: Exclusion, facts: ClinicalFacts): CriterionResult {
  const r = evaluateCriterion(ex.criteria, facts);
  const status = r.inEffect ? r.status : 'not-met';
  return { id: ex.id, label: ex.label, source: ex.source, kind: 'all', status, inEffect: true, evidence: r.evidence, children: [r] };
}

/** Met with a dose that fits beats met with a dose over the limit, which beats an open dose check. */
const DOSE_RANK: Readonly<Record<DoseCheck['status'], number>> = { met: 0, 'not-applicable': 0, 'not-met': 1, 'not-documented': 2 };

/** The indication the decision rests on: the best met one, else the closest open one, else the first. */
export function decidingIndication(results: IndicationResult[]): IndicationResult | undefined {
  const met = results.filter((r) => r.status === 'met');
  if (met.length > 0) return [...met].sort((a, b) => DOSE_RANK[a.dose.status] - DOSE_RANK[b.dose.status])[0];
  const open = results.filter((r) => r.status === 'not-documented');
  if (open.length > 0) return [...open].sort((a, b) => openLeaves(a.criteria).length - openLeaves(b.criteria).length)[0];
  return results[0];
}

/**
 * Coverage from the criteria. A dose over the limit does not by itself make
 * the drug not covered: the criteria decide `covered`, and the dose check is
 * reported (with allowedQuantity) so the cards layer raises the limits card
 * and suggests the covered maximum. A dose that cannot be checked leaves it
 * conditional.
 */
export function coveredFrom(indications: IndicationResult[], exclusions: CriterionResult[], deciding: IndicationResult | undefined): Covered {
  if (exclusions.some((e) => e.status === 'met')) return 'not-covered';
  if (deciding !== undefined && deciding.status === 'met') return deciding.dose.status === 'not-documented' ? 'conditional' : 'covered';
  if (indications.every((i) => i.status === 'not-met')) return 'not-covered';
  return 'conditional';
}

// ---------------------------------------------------------------- authorization

export function paNeededFor(policy: Policy, facts: ClinicalFacts, covered: Covered): { paNeeded?: PaNeeded; satisfiedPaId?: string } {
  if (covered === 'not-covered') return {};
  if (!policy.priorAuthorization.required) return { paNeeded: 'no-auth' };
  const onFile = facts.authorizations.find((a) => a.appliesToOrder);
  return onFile === undefined ? { paNeeded: 'auth-needed' } : { paNeeded: 'satisfied', satisfiedPaId: onFile.preAuthRef };
}

// ---------------------------------------------------------------- approval duration

const DAYS_PER_MONTH = 365.25 / 12;

export function isoMonths(months: number): string {
  return months % 12 === 0 ? `P${months / 12}Y` : `P${months}M`;
}

function monthsText(months: number): string {
  if (months % 12 === 0) return months === 12 ? '1 year' : `${months / 12} years`;
  return months === 1 ? '1 month' : `${months} months`;
}

/** Durations for this line of business; a duration naming the line of business beats a general one. */
export function durationsFor(durations: Duration[] | undefined, lob: LineOfBusiness | null): Duration[] {
  const all = durations ?? [];
  const specific = lob === null ? [] : all.filter((d) => d.linesOfBusiness?.includes(lob) === true);
  return specific.length > 0 ? specific : all.filter((d) => d.linesOfBusiness === undefined);
}

export interface ApprovalDuration {
  iso: string;
  text: string;
}

export function approvalDurationOf(d: Duration, requestedDays: number | null): ApprovalDuration {
  const forWhom = d.linesOfBusiness === undefined ? '' : ` (${d.linesOfBusiness.join(', ')})`;
  if (d.months === null) return { iso: 'indefinite', text: `indefinitely${forWhom}` };
  if (d.orDurationOfRequest === true) {
    if (requestedDays !== null && requestedDays < d.months * DAYS_PER_MONTH) {
      return { iso: `P${requestedDays}D`, text: `${requestedDays} days (duration of request, less than ${monthsText(d.months)})${forWhom}` };
    }
    return { iso: isoMonths(d.months), text: `${monthsText(d.months)} or duration of request, whichever is less${forWhom}` };
  }
  return { iso: isoMonths(d.months), text: `${monthsText(d.months)}${forWhom}` };
}

/** From the deciding indication (its approval duration, else its coverage period), else the policy. */
export function approvalFor(policy: Policy, indication: Indication | undefined, facts: ClinicalFacts): ApprovalDuration | undefined {
  const lob = facts.coverage.lineOfBusiness.value;
  const requested = facts.order.requestedDurationDays.value;
  if (indication?.approvalDuration !== undefined && indication.approvalDuration.length > 0) {
    // The indication's own durations rule; none for this line of business (or it is unknown) → no answer, not the policy's.
    const own = durationsFor(indication.approvalDuration, lob)[0];
    return own === undefined ? undefined : approvalDurationOf(own, requested);
  }
  const period = indication?.coveragePeriod;
  if (period !== undefined) {
    const d = approvalDurationOf({ months: period.months, source: period.source }, requested);
    return period.maxCycles === undefined ? d : { ...d, text: `${d.text}, for up to ${period.maxCycles} treatment cycles` };
  }
  const fromPolicy = durationsFor(policy.approvalDuration, lob)[0];
  return fromPolicy === undefined ? undefined : approvalDurationOf(fromPolicy, requested);
}

// ---------------------------------------------------------------- reasons

function shown(value: unknown): string {
  if (value === null || value === undefined) return 'not documented';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(String).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function leafLine(prefix: string, leaf: CriterionResult): string {
  const chart = leaf.status === 'not-documented' ? '' : ` (chart: ${shown(leaf.value)})`;
  const doc = leaf.status === 'not-documented' && leaf.documentation !== undefined ? ` — ${leaf.documentation}` : '';
  return `${prefix}: ${leaf.label ?? leaf.id ?? 'criterion'}${chart}${doc}`;
}

export function doseReason(dose: DoseCheck): string | undefined {
  const src = dose.source === undefined ? '' : ` (${dose.source})`;
  if (dose.status === 'not-met') {
    const what = dose.exceeds?.includes('schedule') && !dose.exceeds.includes('dose') ? 'schedule' : 'dose';
    return `Ordered ${what} ${dose.orderedText ?? ''} exceeds the covered ${dose.allowedText ?? 'limit'}${src}`.replace(/\s+/g, ' ');
  }
  if (dose.status === 'not-documented') {
    const missing = dose.missing === undefined ? '' : `: ${dose.missing.join(', ')} not documented`;
    return `Dose limit ${dose.allowedText ?? ''} could not be checked${missing}${src}`.replace(/\s+/g, ' ');
  }
  return undefined;
}

function reasonsFor(
  covered: Covered,
  indications: IndicationResult[],
  exclusions: CriterionResult[],
  deciding: IndicationResult | undefined,
  policy: Policy,
  pa: { paNeeded?: PaNeeded; satisfiedPaId?: string },
): string[] {
  const reasons: string[] = [];
  for (const ex of exclusions.filter((e) => e.status === 'met')) reasons.push(`Not covered: ${ex.label ?? ex.id} (${ex.source ?? ''})`);
  if (deciding !== undefined && deciding.status === 'met') reasons.push(`Meets ${deciding.label} (${deciding.source})`);
  else if (covered === 'not-covered' && exclusions.every((e) => e.status !== 'met')) {
    reasons.push('No covered indication is met');
    for (const ind of indications) {
      const notMet = decidingLeaves(ind.criteria, 'not-met').map((l) => leafLine('not met', l));
      reasons.push(`${ind.label} (${ind.source}): ${notMet.join('; ') || 'not met'}`);
    }
  } else if (deciding !== undefined && deciding.status === 'not-documented') {
    reasons.push(`Closest indication: ${deciding.label} (${deciding.source})`);
    for (const leaf of openLeaves(deciding.criteria)) reasons.push(leafLine('Not documented', leaf));
  }
  if (deciding !== undefined && covered !== 'not-covered') {
    const d = doseReason(deciding.dose);
    if (d !== undefined) reasons.push(d);
  }
  if (pa.paNeeded === 'satisfied') reasons.push(`Prior authorization on file (${pa.satisfiedPaId ?? ''})`);
  if (pa.paNeeded === 'auth-needed') reasons.push(`Prior authorization required (${policy.priorAuthorization.source})`);
  return reasons;
}

/** Why facts the decision turned on are unknown (open criteria of the open indications, and the dose check). */
function uncheckedFor(covered: Covered, indications: IndicationResult[], deciding: IndicationResult | undefined): string[] {
  if (covered !== 'conditional') return [];
  const reasons = indications
    .filter((i) => i.status === 'not-documented')
    .flatMap((i) => openLeaves(i.criteria))
    .map((l) => l.unknownReason)
    .filter((r): r is string => r !== undefined);
  if (deciding?.dose.status === 'not-documented') reasons.push(...(deciding.dose.unknownReasons ?? []));
  return [...new Set(reasons)];
}

// ---------------------------------------------------------------- the evaluation

export function evaluatePolicy(policy: Policy, facts: ClinicalFacts): PolicyEvaluation {
  const indications = policy.indications.map((ind) => evaluateIndication(ind, facts));
  const exclusions = (policy.exclusions ?? []).map((ex) => evaluateExclusion(ex, facts));
  const deciding = decidingIndication(indications);
  const covered = coveredFrom(indications, exclusions, deciding);
  const pa = paNeededFor(policy, facts, covered);
  const dose: DoseCheck = deciding?.dose ?? { status: 'not-applicable', evidence: [] };

  const evaluation: PolicyEvaluation = {
    policy: {
      id: policy.id,
      version: policy.version,
      title: policy.title,
      payerId: policy.payer.id,
      payerName: policy.payer.name,
      file: policy.document.file,
      ...(policy.document.url === undefined ? {} : { url: policy.document.url }),
    },
    orderReference: facts.order.reference,
    drug: facts.order.drug ?? policy.drug.id,
    serviceDate: facts.serviceDate,
    indications,
    exclusions,
    dose,
    covered,
    ...pa,
    reasons: reasonsFor(covered, indications, exclusions, deciding, policy, pa),
    unchecked: uncheckedFor(covered, indications, deciding),
  };
  if (deciding !== undefined) evaluation.decidingIndication = deciding.id;
  if (pa.paNeeded === 'auth-needed') evaluation.docNeeded = 'clinical';
  // none found is not none on file when the look-up failed: the answer must say the authorization was not checked
  if (pa.paNeeded === 'auth-needed' && facts.authorizationLookupFailed === true) evaluation.authorizationUnchecked = true;
  if (covered === 'conditional') evaluation.infoNeeded = true;
  if (covered !== 'not-covered') {
    const approval = approvalFor(policy, policy.indications.find((i) => i.id === deciding?.id), facts);
    if (approval !== undefined) {
      evaluation.approvalDuration = approval.iso;
      evaluation.approvalDurationText = approval.text;
    }
  }
  if (dose.status !== 'not-applicable' && dose.allowedText !== undefined) evaluation.allowedQuantity = dose.allowedText;
  return evaluation;
}
