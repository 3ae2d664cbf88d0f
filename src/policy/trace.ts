/** Plain-text trace of an evaluation for analysts (`npm run evaluate`, /analyst/trace): statuses, values, numbers; no card wording. */
import type { Evidence } from '../facts/types.js';
import { formatNumber, quantityText } from '../units.js';
import type { CriterionResult, DoseCheck, DoseLimitValue, OrderedDose, PolicyEvaluation } from './types.js';

const MARK: Readonly<Record<CriterionResult['status'], string>> = { met: '✓', 'not-met': '✗', 'not-documented': '?' };

function valueText(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return ' = (unknown)';
  if (Array.isArray(v)) return ` = [${v.map(String).join(', ')}]`;
  return ` = ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
}

function evidenceText(evidence: Evidence[]): string {
  if (evidence.length === 0) return '';
  const items = evidence.map((e) => [e.reference, e.date, e.text === undefined ? undefined : `"${e.text}"`].filter((x) => x !== undefined).join(' '));
  return `  ⟵ ${items.join('; ')}`;
}

export function criterionLines(r: CriterionResult, depth = 1): string[] {
  const pad = '  '.repeat(depth);
  const name = [r.id, r.label].filter((x) => x !== undefined).join(': ') || '(unnamed)';
  const source = r.source === undefined ? '' : ` [${r.source}]`;
  if (!r.inEffect) return [`${pad}– ${r.kind} ${name}${source} (not in effect on the service date)`];
  const head =
    r.kind === 'leaf'
      ? `${pad}${MARK[r.status]} ${name}${source}${valueText(r.value)} → ${r.status}${r.unknownReason === undefined ? '' : ` (${r.unknownReason})`}${evidenceText(r.evidence)}`
      : `${pad}${MARK[r.status]} ${r.kind.toUpperCase()} ${name}${source} → ${r.status}`;
  return [head, ...(r.children ?? []).flatMap((c) => criterionLines(c, depth + 1))];
}

function orderedLine(o: OrderedDose): string {
  const parts = [o.amount === undefined ? '' : quantityText(o.amount)];
  if (o.inLimitUnit !== undefined) parts.push(`= ${quantityText(o.inLimitUnit)}${o.scale === undefined ? '' : ` at ${quantityText(o.scale)}`}`);
  if (o.schedule !== undefined) parts.push(`(${formatNumber(o.schedule.administrations)} per ${formatNumber(o.schedule.periodDays)} d)`);
  if (o.doseLines !== undefined) parts.push(`(largest of ${o.doseLines} dose lines)`);
  if (o.cycleTotal !== undefined) parts.push(`— per cycle ${o.cycleTotal.lines.map((l) => `${quantityText(l.amount)} × ${l.administrations}`).join(' + ')} = ${quantityText(o.cycleTotal.total)}`);
  if (o.courseTotal !== undefined) {
    const c = o.courseTotal;
    const given = c.given.map((g) => `${quantityText(g.amount)} (${g.reference}, ${g.doses} × ${g.from}${g.from === g.to ? '' : `..${g.to}`})`);
    const planned = c.planned.lines.map((l) => `${quantityText(l.amount)} × ${l.administrations}`).join(' + ');
    parts.push(`— course since ${c.since}: ${[...given, `this order ${planned}`].join(' + ')} = ${quantityText(c.total)} (room before this order ${quantityText(c.remaining)})`);
  }
  return parts.join(' ');
}

function limitLine(l: DoseLimitValue): string {
  const parts: string[] = [];
  if (l.dose !== undefined) parts.push(`≤ ${quantityText({ value: l.dose.max, unit: l.dose.unit })}${l.dose.notToExceed === undefined ? '' : ` (≤ ${quantityText({ value: l.dose.notToExceed.max, unit: l.dose.notToExceed.unit })} absolute)`}`);
  if (l.schedule !== undefined) parts.push(`≤ ${l.schedule.maxAdministrations} per ${l.schedule.periodDays} d`);
  if (l.cumulative !== undefined) parts.push(`≤ ${quantityText({ value: l.cumulative.max, unit: l.cumulative.unit })} in total per ${l.cumulative.per}${l.cumulative.courseGapDays === undefined ? '' : ` (a pause > ${l.cumulative.courseGapDays} d starts a new course)`}`);
  return parts.join(', ');
}

export function doseLines(d: DoseCheck, depth = 1): string[] {
  const pad = '  '.repeat(depth);
  if (d.status === 'not-applicable') return [`${pad}dose: not applicable (no limit for this indication)`];
  const lines = [`${pad}dose: ${d.status}${d.limitSetId === undefined ? '' : ` (set ${d.limitSetId}${d.alternativeId === undefined ? '' : `, alternative ${d.alternativeId}`})`}${d.source === undefined ? '' : ` [${d.source}]`}`];
  if (d.ordered?.amount !== undefined) lines.push(`${pad}  ordered: ${orderedLine(d.ordered)}`);
  for (const limit of d.limits ?? []) lines.push(`${pad}  limit: ${limitLine(limit)}`);
  if (d.exceeds !== undefined) lines.push(`${pad}  exceeds: ${d.exceeds.join(', ')}`);
  if (d.covered !== undefined) {
    const s = d.covered.schedule === undefined ? '' : `, ${d.covered.schedule.administrations} per ${d.covered.schedule.periodDays} days`;
    lines.push(`${pad}  covered maximum: ${d.covered.amount.value} ${d.covered.amount.unit} per ${d.covered.amount.per}${s}`);
  }
  if (d.missing !== undefined) lines.push(`${pad}  missing: ${d.missing.join(', ')}`);
  if (d.unknownReasons !== undefined) lines.push(`${pad}  unknown because: ${d.unknownReasons.join('; ')}`);
  if (d.evidence.length > 0) lines.push(`${pad} ${evidenceText(d.evidence)}`);
  return lines;
}

export function traceLines(e: PolicyEvaluation): string[] {
  const lines = [
    `Policy ${e.policy.id} v${e.policy.version} — ${e.policy.payerName} (${e.policy.payerId}) — ${e.policy.title}`,
    `Order ${e.orderReference} (${e.drug}), service date ${e.serviceDate}`,
    '',
  ];
  for (const ind of e.indications) {
    const deciding = ind.id === e.decidingIndication ? '  ◀ deciding' : '';
    lines.push(`Indication ${ind.id}: ${ind.label} [${ind.source}]${ind.continuation ? ' (continued therapy)' : ''} → ${ind.status}${deciding}`);
    lines.push(...criterionLines(ind.criteria, 1), ...doseLines(ind.dose, 1), '');
  }
  for (const ex of e.exclusions) lines.push(`Exclusion ${ex.id ?? ''}: ${ex.label ?? ''} → ${ex.status}`, ...(ex.children ?? []).flatMap((c) => criterionLines(c, 1)), '');
  lines.push(`Outcome: covered=${e.covered}${e.paNeeded === undefined ? '' : `, pa-needed=${e.paNeeded}`}${e.satisfiedPaId === undefined ? '' : ` (${e.satisfiedPaId})`}${e.docNeeded === undefined ? '' : `, doc-needed=${e.docNeeded}`}${e.infoNeeded === undefined ? '' : ', info-needed'}`);
  if (e.approvalDuration !== undefined) lines.push(`Approval duration: ${e.approvalDuration}${e.approval === undefined ? '' : ` ${JSON.stringify(e.approval)}`}`);
  if (e.settledOver !== undefined) lines.push('Settled over facts the chart leaves open (same outcome for every allowed value):', ...e.settledOver.map((c) => `  - ${c.fact}: ${c.values.join(', ')}`));
  if (e.unchecked.length > 0) lines.push('Unchecked:', ...e.unchecked.map((u) => `  - ${u}`));
  return lines;
}
