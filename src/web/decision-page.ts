/**
 * `GET /decisions/{id}`: the clinician view of one decision, opened from a card. What matched, what is missing and
 * what to record, the dose limit and why it applies, then every criterion with the policy's clause; the analyst
 * view (policy page with rule ids and paths) is one click away. The id is unguessable and expires
 * (DecisionStore); the page holds no patient identifiers (references are cut to their resource type) and is not
 * indexable. Wording shared with the cards: src/cards (status words, evidence, numbers).
 */
import type { RequestHandler } from 'express';
import { closestIndication, decidingIndication, evidenceText, lackingLeaves, leaves, relevantChildren, settleText } from '../cards/criteria.js';
import { approvalText, coveredText, limitsText, orderedText } from '../cards/quantities.js';
import { COMMON } from '../cards/templates.js';
import type { Evidence } from '../facts/types.js';
import type { CriterionResult, IndicationResult, PolicyEvaluation, Status } from '../policy/types.js';
import { HttpError } from '../protocol/errors.js';
import { oneSpelling } from '../units.js';
import { DECISION_ID, type DecisionStore } from './decision-store.js';
import { html, page, type SafeHtml } from './html.js';

/** What is stored per decision: the evaluation without patient identifiers, and what the page needs beside it. */
export interface DecisionRecord {
  brand: string;
  evaluation: PolicyEvaluation;
  /** what the policy asks to attach to an authorization request */
  documentation?: string[];
}

/** References cut to their resource type ("Observation"), the order reference dropped: the page names no patient. */
export function withoutIdentifiers(evaluation: PolicyEvaluation): PolicyEvaluation {
  const strip = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => strip(v, ''));
    if (value === null || typeof value !== 'object') {
      return key === 'reference' && typeof value === 'string' ? (value.split('/')[0] ?? '') : value;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v, k)]));
  };
  return { ...(strip(evaluation, '') as PolicyEvaluation), orderReference: '' };
}

function statusOf(status: Status): SafeHtml {
  const s = COMMON.status[status];
  return html`<span class="status ${status}">${s.symbol} ${s.word}</span>`;
}

function evidenceOf(evidence: readonly Evidence[]): SafeHtml {
  if (evidence.length === 0) return html``;
  return html`<span class="evidence">${[...new Set(evidence.map(evidenceText))].join('; ')}</span>`;
}

function clause(source: string | undefined): SafeHtml {
  return source === undefined ? html`` : html`<span class="source">${oneSpelling(source)}</span>`;
}

function line(node: CriterionResult, withRecord: boolean): SafeHtml {
  const record = withRecord && node.status === 'not-documented' && node.documentation !== undefined ? html`<span class="evidence">Record: ${node.documentation}</span>` : html``;
  const reason = node.status === 'not-documented' && node.unknownReason !== undefined ? html` <span class="muted">(${node.unknownReason})</span>` : html``;
  return html`<li>${statusOf(node.status)}: ${node.label ?? node.id ?? ''}${reason}${clause(node.source)}${evidenceOf(node.evidence)}${record}</li>`;
}

/** The whole tree, as the policy states it, with each clause. */
function tree(node: CriterionResult): SafeHtml {
  if (!node.inEffect) return html``;
  if (node.kind === 'leaf' || node.kind === 'not') return line(leaves(node)[0] ?? node, true);
  const children = relevantChildren(node);
  if (!node.label && children.length === 1) return tree(children[0]!);
  const label = node.label ?? COMMON.groups[node.kind];
  return html`<li>${statusOf(node.status)}: ${label}${clause(node.source)}<ul class="lines">${children.map(tree)}</ul></li>`;
}

function outcome(e: PolicyEvaluation): string {
  if (e.covered === 'not-covered') return 'does not meet the coverage criteria';
  if (e.paNeeded === 'auth-needed') return e.covered === 'conditional' ? 'prior authorization required; documentation missing' : 'prior authorization required';
  if (e.covered === 'conditional') return 'documentation missing to settle coverage';
  return e.paNeeded === 'satisfied' ? 'covered; authorization on file' : 'covered';
}

function doseSection(e: PolicyEvaluation): SafeHtml {
  const d = e.dose;
  if (d.status === 'not-applicable') return html``;
  const ordered = orderedText(d.ordered);
  const limit = limitsText(d);
  const covered = d.covered === undefined ? undefined : coveredText(d.covered);
  return html`<section><h2>The dose limit and why</h2>
<dl class="facts">
<dt>Dose check</dt><dd>${statusOf(d.status)}</dd>
${ordered === undefined ? '' : html`<dt>Ordered</dt><dd>${ordered}</dd>`}
${limit === undefined ? '' : html`<dt>Covered</dt><dd>${limit}</dd>`}
${covered === undefined ? '' : html`<dt>Covered maximum for this patient</dt><dd>${covered}</dd>`}
${(d.limitFor ?? []).length === 0 ? '' : html`<dt>This limit applies because</dt><dd>${(d.limitFor ?? []).map((c) => html`${c.label}${evidenceOf(c.evidence)}`)}</dd>`}
${(d.missing ?? []).length === 0 ? '' : html`<dt>To check it, record</dt><dd>${(d.missing ?? []).map(settleText).join('; ')}</dd>`}
${d.evidence.length === 0 ? '' : html`<dt>Based on</dt><dd>${evidenceOf(d.evidence)}</dd>`}
${d.source === undefined ? '' : html`<dt>Policy</dt><dd>${oneSpelling(d.source)}</dd>`}
</dl></section>`;
}

export function decisionPage(record: DecisionRecord, analystUrl: string): string {
  const e = record.evaluation;
  const excluded = e.exclusions.filter((x) => x.inEffect && x.status === 'met');
  const focus: IndicationResult | undefined = e.covered === 'not-covered' ? closestIndication(e) : decidingIndication(e);
  const lacking = focus === undefined ? [] : lackingLeaves(focus.criteria);
  const matched = focus === undefined ? [] : leaves(focus.criteria).filter((l) => l.status === 'met');
  const heading = `${record.brand}: ${outcome(e)}`;
  const body = html`<header><p class="crumbs">${e.policy.payerName}</p><h1>${heading}</h1>
<p class="sub">${e.policy.title} · version ${e.policy.version} · service date ${e.serviceDate}</p></header>
<main class="decision">
${excluded.length === 0 ? '' : html`<section><h2>Excluded use</h2><ul class="lines">${excluded.map((x) => line(x, false))}</ul></section>`}
${focus === undefined ? '' : html`<section><h2>${focus.status === 'met' ? 'Indication met' : 'Closest indication'}: ${focus.label}</h2>${clause(focus.source)}
${lacking.length === 0 ? '' : html`<h3>What is missing</h3><ul class="lines">${lacking.map((l) => line(l, true))}</ul>`}
${matched.length === 0 ? '' : html`<h3>What matched</h3><ul class="lines">${matched.map((l) => line(l, false))}</ul>`}
</section>`}
${doseSection(e)}
${e.approval === undefined ? '' : html`<section><h2>Approval, when granted</h2><p>${approvalText(e.approval)}</p></section>`}
${(record.documentation ?? []).length === 0 ? '' : html`<section><h2>Attach to the authorization request</h2><ul>${(record.documentation ?? []).map((d) => html`<li>${d}</li>`)}</ul></section>`}
<section><h2>Every criterion, with the policy's clause</h2>
${e.indications.filter((i) => i.criteria.inEffect).map((i) => html`<h3>${statusOf(i.status)}: ${i.label}${clause(i.source)}</h3><ul class="lines">${tree(i.criteria)}</ul>`)}
</section>
<p><a href="${analystUrl}">Analyst view: the policy's rules, ids and paths</a></p>
<p class="muted">This page shows no patient identifiers and expires. It is not indexed.</p>
</main>`;
  return page(heading, body, { noindex: true });
}

export function decisionHandler(deps: { store: DecisionStore }): RequestHandler<{ id: string }> {
  return async (req, res) => {
    const id = req.params.id;
    const stored = DECISION_ID.test(id) ? await deps.store.get(id) : undefined;
    if (stored === undefined) throw new HttpError(404, 'this decision page has expired or does not exist');
    const record = JSON.parse(stored) as DecisionRecord;
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('html').send(decisionPage(record, `../policies/${encodeURIComponent(record.evaluation.policy.id)}`));
  };
}
