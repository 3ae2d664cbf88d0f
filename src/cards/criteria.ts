/**
 * Turns criterion results and chart evidence into the lines of card details and pages.
 * Pure functions over the engine's results; wording comes from cards/common.json and cards/missing-data.json.
 */
import type { Evidence } from '../facts/types.js';
import type { CriterionResult, IndicationResult, PolicyEvaluation, Status } from '../policy/types.js';
import { COMMON, MISSING_DATA } from './templates.js';
import { renderTemplate, trusted } from './template.js';
import { oneSpelling } from '../units.js';

/** "HER2 negative (IHC 1+), Observation 2026-10-02" (plain text; escaped where it lands in markdown). */
export function evidenceText(evidence: Evidence): string {
  const resourceType = evidence.reference.split('/')[0] ?? evidence.reference;
  const text = oneSpelling(evidence.text ?? evidence.reference);
  const date = evidence.date?.slice(0, 10);
  return date
    ? renderTemplate(COMMON.evidenceWithDate, { text, resourceType, date }, 'text')
    : renderTemplate(COMMON.evidenceWithoutDate, { text, resourceType }, 'text');
}

export function evidenceList(evidence: readonly Evidence[]): string {
  return unique(evidence.map(evidenceText)).join(COMMON.evidenceSeparator);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Branches outside their effective window on the service date play no part in the decision. */
function inEffectChildren(node: CriterionResult): CriterionResult[] {
  return (node.children ?? []).filter((child) => child.inEffect);
}

/**
 * The children worth a clinician's second: in a met "one of", the alternatives that are met; in a not-documented
 * "one of", the ones that could still be met. Alternatives that failed do not matter once another one holds.
 */
export function relevantChildren(node: CriterionResult): CriterionResult[] {
  const children = inEffectChildren(node);
  if (node.kind !== 'any') return children;
  const decisive = children.filter((child) => child.status === node.status);
  return decisive.length > 0 ? decisive : children;
}

/** Every leaf below a node, in effect, depth first. */
function allLeaves(node: CriterionResult): CriterionResult[] {
  if (!node.inEffect) return [];
  if (node.kind === 'leaf') return [node];
  return inEffectChildren(node).flatMap(allLeaves);
}

/**
 * A `not` rule read as one line: its own status and label ("Has not previously received inotuzumab"), with the
 * evidence of what it rules out ("Besponsa, MedicationStatement 2026-03-01"). Unlabelled, it takes the inner label.
 */
function notAsLine(node: CriterionResult): CriterionResult {
  const inner = inEffectChildren(node);
  const innerLabel = inner[0]?.label ?? inner[0]?.id ?? '';
  const line: CriterionResult = {
    kind: 'leaf',
    status: node.status,
    inEffect: node.inEffect,
    evidence: [...node.evidence, ...inner.flatMap(allLeaves).flatMap((l) => l.evidence)],
    label: node.label ?? `${COMMON.groups.not} ${innerLabel}`,
  };
  if (node.id !== undefined) line.id = node.id;
  if (node.source !== undefined) line.source = node.source;
  const documentation = node.documentation ?? inner.flatMap(allLeaves).find((l) => l.documentation !== undefined)?.documentation;
  if (documentation !== undefined) line.documentation = documentation;
  const reason = inner.flatMap(allLeaves).find((l) => l.unknownReason !== undefined)?.unknownReason;
  if (reason !== undefined) line.unknownReason = reason;
  return line;
}

/** Leaves of a criterion tree that are in effect and bear on its status, depth first; a `not` is one leaf. */
export function leaves(node: CriterionResult): CriterionResult[] {
  if (!node.inEffect) return [];
  if (node.kind === 'leaf') return [node];
  if (node.kind === 'not') return [notAsLine(node)];
  return relevantChildren(node).flatMap(leaves);
}

function labelOf(node: CriterionResult): string {
  return node.label ?? (node.kind === 'leaf' ? (node.id ?? node.source ?? '') : COMMON.groups[node.kind]);
}

function statusValues(status: Status): { symbol: string; status: string } {
  const s = COMMON.status[status];
  return { symbol: s.symbol, status: s.word };
}

/** One markdown line for a criterion: "✓ Met: HER2-negative — HER2 negative (IHC 1+), Observation 2026-10-02". */
export function criterionLine(node: CriterionResult): string {
  const evidence = node.evidence.length > 0 ? COMMON.evidenceIntro + evidenceList(node.evidence) : '';
  const reason =
    node.status === 'not-documented' && node.unknownReason
      ? renderTemplate(COMMON.unknownReason, { reason: node.unknownReason }, 'markdown')
      : '';
  const line = renderTemplate(COMMON.criterionLine, { ...statusValues(node.status), label: labelOf(node), evidence }, 'markdown');
  return line + reason;
}

/** A fact's name for clinicians: "$.body.bodySurfaceArea" → "body surface area"; a policy label stays as is. */
export function factName(pathOrLabel: string): string {
  const names: Record<string, string> = MISSING_DATA.facts;
  return names[pathOrLabel] ?? pathOrLabel;
}

/** What to record, and where, to settle a fact (a name or a JSONPath): the observation's code when the wording knows it. */
export function settleText(pathOrName: string): string {
  const fact = factName(pathOrName);
  const observations: Record<string, string> = MISSING_DATA.observations;
  return observations[fact.trim().toLowerCase()] ?? renderTemplate(MISSING_DATA.defaultSettle, { fact: fact.trim().toLowerCase() }, 'text');
}

/** "○ Not documented: Metastatic (Condition query timed out) — Record the disease stage (Condition)". */
export function recordLine(label: string, record: string, reason?: string): string {
  const values = { ...statusValues('not-documented'), label, record, ...(reason !== undefined && { reason }) };
  return renderTemplate(reason === undefined ? COMMON.recordLine : COMMON.recordLineWithReason, values, 'markdown');
}

/** A reason worth showing beside "Not documented": one that says more (a timeout, an unreadable resource). */
const RESTATES = new RegExp(COMMON.restatesNotDocumented, 'i');

function informativeReason(reason: string | undefined): string | undefined {
  return reason === undefined || RESTATES.test(reason) ? undefined : reason;
}

/** A not-documented criterion as a line naming what to record. */
export function openCriterionLine(leaf: CriterionResult): string {
  const label = labelOf(leaf);
  return recordLine(label, leaf.documentation ?? settleText(label), informativeReason(leaf.unknownReason));
}

/**
 * The not-documented parts of a criterion tree as lines naming what to record. Where any one of several open
 * alternatives would settle it, they are grouped under one line (nested markdown) rather than listed as if all
 * were needed.
 */
export function openLines(node: CriterionResult): string[] {
  if (!node.inEffect || node.status !== 'not-documented') return [];
  if (node.kind === 'leaf') return [openCriterionLine(node)];
  if (node.kind === 'not') return [openCriterionLine(notAsLine(node))];
  const children = relevantChildren(node).filter((c) => c.status === 'not-documented');
  if (node.kind === 'all' || children.length === 1) return children.flatMap(openLines);
  // Each alternative is one item: an alternative that needs several things says so ("all of these").
  const alternatives = children.map((child) => {
    const lines = openLines(child);
    return lines.length > 1 ? group(COMMON.openAllGroup, child, lines) : (lines[0] ?? '');
  });
  return [group(COMMON.openGroup, node, alternatives.filter((l) => l !== ''))];
}

function group(template: string, node: CriterionResult, lines: readonly string[]): string {
  const nested = lines.map((l) => `  - ${l.replace(/\n/g, '\n  ')}`);
  return `${renderTemplate(template, { ...statusValues('not-documented'), label: labelOf(node) }, 'markdown')}\n${nested.join('\n')}`;
}

/** A structured "could not be checked" item: what, why, and what to record where. */
export interface UncheckedItem {
  /** what could not be checked, in the clinician's words ("Observations (labs, vitals, biomarkers)", "Coverage") */
  subject: string;
  /** why ("timeout", "not readable", "order is for another patient") */
  reason: string;
  /** what to record and where; defaults to the wording for the subject (cards/missing-data.json uncheckedRecord) */
  record?: string;
  /** a resource set aside because it could not be read (wrong types): say to correct it, not to record it */
  unreadable?: true;
}

export function uncheckedLine(item: UncheckedItem): string {
  const records: Record<string, string> = MISSING_DATA.uncheckedRecord;
  const fallback = item.unreadable === true ? MISSING_DATA.uncheckedRecord.unreadable : MISSING_DATA.uncheckedRecord.default;
  const record = item.record ?? records[item.subject] ?? renderTemplate(fallback, { subject: item.subject }, 'text');
  const reasons: Record<string, string> = MISSING_DATA.reasons;
  const line = item.unreadable === true ? COMMON.unreadableLine : COMMON.uncheckedLine;
  return renderTemplate(line, { subject: item.subject, reason: reasons[item.reason] ?? item.reason, record }, 'markdown');
}

/**
 * The criteria as a nested markdown checklist (instructions card, decision page). Unlabelled single-child groups are
 * folded so the list shows the policy's structure ("One of", "All of") only where it carries meaning.
 */
export function criteriaChecklist(root: CriterionResult, depth = 0): string[] {
  if (!root.inEffect) return [];
  const indent = '  '.repeat(depth);
  if (root.kind === 'leaf') return [`${indent}- ${criterionLine(root)}`];
  if (root.kind === 'not') return [`${indent}- ${criterionLine(notAsLine(root))}`];
  const children = relevantChildren(root);
  if (!root.label && (depth === 0 || children.length === 1)) {
    // The root "all" of an indication is the indication itself: list its parts directly.
    if (root.kind === 'all' || children.length === 1) return children.flatMap((c) => criteriaChecklist(c, depth));
  }
  const header = renderTemplate(COMMON.groupLine, { ...statusValues(root.status), label: labelOf(root) }, 'markdown');
  return [`${indent}- ${header}`, ...children.flatMap((c) => criteriaChecklist(c, depth + 1))];
}

export function decidingIndication(evaluation: PolicyEvaluation): IndicationResult | undefined {
  const byId = evaluation.indications.find((i) => i.id === evaluation.decidingIndication);
  return byId ?? evaluation.indications.find((i) => i.criteria.inEffect);
}

function tally(lines: readonly CriterionResult[]): { notMet: number; open: number } {
  return { notMet: lines.filter((l) => l.status === 'not-met').length, open: lines.filter((l) => l.status === 'not-documented').length };
}

/**
 * What an unmet criterion tree lacks, as lines: every unmet part of an "all of", and of a "one of" only the
 * alternative that came closest (fewest not met, then fewest not documented).
 */
export function lackingLeaves(node: CriterionResult): CriterionResult[] {
  if (!node.inEffect || node.status === 'met') return [];
  if (node.kind === 'leaf') return [node];
  if (node.kind === 'not') return [notAsLine(node)];
  const children = inEffectChildren(node);
  if (node.kind === 'all') return children.flatMap(lackingLeaves);
  const ranked = children
    .map((child, order) => ({ lines: lackingLeaves(child), order }))
    .map((c) => ({ ...c, ...tally(c.lines) }))
    .sort((a, b) => a.notMet - b.notMet || a.open - b.open || a.order - b.order);
  return ranked[0]?.lines ?? [];
}

function countOf(indication: IndicationResult, status: Status): number {
  const t = tally(lackingLeaves(indication.criteria));
  return status === 'not-met' ? t.notMet : t.open;
}

/**
 * When no indication is met, the one that came closest: fewest criteria not met, then fewest not documented, then
 * the policy's order. Only indications in effect on the service date compete.
 */
export function closestIndication(evaluation: PolicyEvaluation): IndicationResult | undefined {
  const candidates = evaluation.indications.filter((i) => i.criteria.inEffect);
  return candidates
    .map((indication, order) => ({ indication, order, notMet: countOf(indication, 'not-met'), open: countOf(indication, 'not-documented') }))
    .sort((a, b) => a.notMet - b.notMet || a.open - b.open || a.order - b.order)[0]?.indication;
}

/** One sentence for the CRD coverage-information reason: why covered, not covered or open. */
export function decisionReason(evaluation: PolicyEvaluation): string | undefined {
  const t = COMMON.decisionReason;
  const excluded = evaluation.exclusions.find((e) => e.inEffect && e.status === 'met');
  if (excluded) return renderTemplate(t.excluded, { label: excluded.label ?? excluded.id ?? '', source: excluded.source ?? '' }, 'text');
  if (evaluation.covered === 'not-covered') {
    const closest = closestIndication(evaluation);
    return closest ? renderTemplate(t.noneMet, { label: closest.label, source: closest.source }, 'text') : undefined;
  }
  const deciding = decidingIndication(evaluation);
  if (!deciding) return undefined;
  if (deciding.status === 'met') return renderTemplate(t.meets, { label: deciding.label, source: deciding.source }, 'text');
  const open = leaves(deciding.criteria).filter((l) => l.status === 'not-documented').map(labelOf);
  return renderTemplate(t.closest, { label: deciding.label, source: deciding.source, items: open.join('; ') }, 'text');
}

/** Markdown list of items, each escaped unless already trusted markdown. */
export function bulletList(template: string, items: readonly string[], key = 'item'): string {
  return items.map((item) => renderTemplate(template, { [key]: item }, 'markdown')).join('\n');
}

export { trusted };
