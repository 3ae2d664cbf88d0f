/**
 * Turns criterion results and chart evidence into the markdown lines of card details.
 * Pure functions over the engine's results; wording comes from cards/common.json.
 */
import type { Evidence } from '../facts/types.js';
import type { CriterionResult, IndicationResult, PolicyEvaluation, Status } from '../policy/types.js';
import { COMMON } from './templates.js';
import { renderTemplate, trusted } from './template.js';

/** "HER2 negative (IHC 1+), Observation 2026-10-02" (plain text; escaped where it lands in markdown). */
export function evidenceText(evidence: Evidence): string {
  const resourceType = evidence.reference.split('/')[0] ?? evidence.reference;
  const text = evidence.text ?? evidence.reference;
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

/** Leaves of a criterion tree that are in effect and bear on its status, depth first. */
export function leaves(node: CriterionResult): CriterionResult[] {
  if (!node.inEffect) return [];
  if (node.kind === 'leaf') return [node];
  return relevantChildren(node).flatMap(leaves);
}

function labelOf(node: CriterionResult): string {
  return node.label ?? (node.kind === 'leaf' ? (node.id ?? node.source ?? '') : COMMON.groups[node.kind]);
}

function statusValues(status: Status): { symbol: string; status: string } {
  const s = COMMON.status[status];
  return { symbol: s.symbol, status: s.word };
}

/** One markdown list line for a criterion: "✅ HER2-negative — met: HER2 negative (IHC 1+), Observation 2026-10-02". */
export function criterionLine(node: CriterionResult): string {
  const evidence = node.evidence.length > 0 ? COMMON.evidenceIntro + evidenceList(node.evidence) : '';
  const reason =
    node.status === 'not-documented' && node.unknownReason
      ? renderTemplate(COMMON.unknownReason, { reason: node.unknownReason }, 'markdown')
      : '';
  const line = renderTemplate(
    COMMON.criterionLine,
    { ...statusValues(node.status), label: labelOf(node), evidence },
    'markdown',
  );
  return line + reason;
}

/**
 * The criteria as a nested markdown checklist. Unlabelled single-child groups are folded so the
 * list shows the policy's structure ("One of", "All of") only where it carries meaning.
 */
export function criteriaChecklist(root: CriterionResult, depth = 0): string[] {
  if (!root.inEffect) return [];
  const indent = '  '.repeat(depth);
  if (root.kind === 'leaf') return [`${indent}- ${criterionLine(root)}`];
  const children = relevantChildren(root);
  if (!root.label && (depth === 0 || children.length === 1)) {
    // The root "all" of an indication is the indication itself: list its parts directly.
    if (root.kind === 'all' || children.length === 1) return children.flatMap((c) => criteriaChecklist(c, depth));
  }
  const header = renderTemplate(
    COMMON.groupLine,
    { ...statusValues(root.status), label: labelOf(root) },
    'markdown',
  );
  return [`${indent}- ${header}`, ...children.flatMap((c) => criteriaChecklist(c, depth + 1))];
}

export function decidingIndication(evaluation: PolicyEvaluation): IndicationResult | undefined {
  const byId = evaluation.indications.find((i) => i.id === evaluation.decidingIndication);
  return byId ?? evaluation.indications.find((i) => i.criteria.inEffect);
}

/** Markdown list of items, each escaped unless already trusted markdown. */
export function bulletList(template: string, items: readonly string[], key = 'item'): string {
  return items.map((item) => renderTemplate(template, { [key]: item }, 'markdown')).join('\n');
}

export { trusted };
