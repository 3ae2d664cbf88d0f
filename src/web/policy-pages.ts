/**
 * `GET /policies/{id}`: the policy the service enforces, as a page a clinician can open from a card — title,
 * payer, drug, dates, prior-authorization rule, approval durations, the criteria table (every rule with its
 * source clause and its criterion tree), the dose limits, then the payer's document as given. Served from the
 * repository's copy (`policies/documents/`), so card links work offline and behind a firewall.
 * `GET /policies/{id}.json`: the policy data itself.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { HttpError } from '../protocol/errors.js';
import { baseUrlOf } from '../protocol/hook-handler.js';
import type {
  Criterion, DoseAlternative, DoseLimitSet, DoseUnit, Duration, Effective, Indication, Leaf, Operator, Policy, Sourced,
} from '../policy/types.js';
import { html, page, type SafeHtml } from './html.js';

export interface PolicyPageDeps {
  /** the policies the service enforces */
  policies: () => Policy[];
  /** where the payers' documents are kept, by `document.file` */
  documentsDir: string;
  publicBaseUrl?: string;
}

/** Policy ids in URLs: what policy files use (letters, digits, dashes). Anything else is not a policy. */
const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function policyUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/policies/${encodeURIComponent(id)}`;
}

function findPolicy(deps: PolicyPageDeps, id: string): Policy {
  const policy = POLICY_ID.test(id) ? deps.policies().find((p) => p.id === id) : undefined;
  if (!policy) throw new HttpError(404, `no policy "${id}"`);
  return policy;
}

/** The payer's text as kept in the repository; undefined when the file is missing (the page says so). */
export function readDocument(documentsDir: string, policy: Policy): string | undefined {
  // basename: the file name comes from policy data, never from the request, but it still must not leave the dir.
  const file = join(documentsDir, basename(policy.document.file));
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function policyHandler(deps: PolicyPageDeps): RequestHandler<{ id: string }> {
  return (req, res) => {
    const raw = req.params.id;
    const wantsJson = raw.endsWith('.json');
    const policy = findPolicy(deps, wantsJson ? raw.slice(0, -'.json'.length) : raw);
    const base = baseUrlOf(req as Request, deps.publicBaseUrl);
    const pageUrl = policyUrl(base, policy.id);
    if (wantsJson) {
      res.links({ alternate: pageUrl });
      res.json(policy);
      return;
    }
    const text = readDocument(deps.documentsDir, policy);
    res.type('html').send(renderPolicyPage(policy, text, base));
  };
}

/** Unknown policy: an HTML page for a browser, the usual OperationOutcome for everything else. */
export const policyNotFound: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (!(err instanceof HttpError) || err.status !== 404 || res.headersSent) {
    next(err);
    return;
  }
  if (req.path.endsWith('.json') || !req.accepts('html')) {
    next(err);
    return;
  }
  res.status(404).type('html').send(page('Policy not found', html`<header><h1>Policy not found</h1></header>
<main><p>${err.message}. See the <a href="/">list of policies</a>.</p></main>`));
};

// ---------------------------------------------------------------- rendering

export function renderPolicyPage(policy: Policy, documentText: string | undefined, baseUrl: string): string {
  const pageUrl = policyUrl(baseUrl, policy.id);
  const jsonUrl = `${pageUrl}.json`;
  const body = html`<header>
<p class="crumbs"><a href="${`${baseUrl}/`}">Oncology PA checks</a> › policies › ${policy.id}</p>
<h1>${policy.title}</h1>
<p class="sub">${policy.payer.name} · ${policy.drug.name} · version ${policy.version}</p>
</header>
<main>
<section id="summary">
<h2>Summary</h2>
<dl class="facts">
<dt>Policy id</dt><dd><code>${policy.id}</code> (<a href="${jsonUrl}">JSON</a>)</dd>
<dt>Payer</dt><dd>${policy.payer.name} <span class="muted">(${policy.payer.id})</span></dd>
${policy.linesOfBusiness ? html`<dt>Lines of business</dt><dd>${policy.linesOfBusiness.join(', ')}</dd>` : ''}
<dt>Drug</dt><dd>${policy.drug.name} <span class="muted">(${policy.drug.id})</span>${drugCodes(policy)}</dd>
<dt>Version</dt><dd>${policy.version}</dd>
<dt>Effective</dt><dd>${effectiveText(policy)}</dd>
<dt>Review</dt><dd>${reviewText(policy)}</dd>
<dt>Prior authorization required</dt><dd id="pa-required">${policy.priorAuthorization.required ? 'Yes' : 'No'}
  <span class="source">${policy.priorAuthorization.source}</span>${reading(policy.priorAuthorization.reading)}</dd>
<dt>Approval duration</dt><dd>${durationsList(policy)}</dd>
<dt>Source document</dt><dd><code>${policy.document.file}</code>${policy.document.reference ? html` — ${policy.document.reference}` : ''}${externalLink(policy.document.url)}</dd>
</dl>
</section>
<section id="criteria">
<h2>Criteria</h2>
<p class="muted">Each rule names the clause of the document it comes from. The service reports each criterion as met,
not met or not documented from the chart.</p>
<table class="criteria">
<thead><tr><th>Rule</th><th>Source clause</th><th>Description</th><th>Criteria</th></tr></thead>
<tbody>
${policy.indications.map((ind) => indicationRow(ind))}
${(policy.exclusions ?? []).map((ex) => html`<tr class="exclusion" id="${`rule-${ex.id}`}"><td><code>${ex.id}</code></td><td>${ex.source}</td>
<td><strong>Not covered:</strong> ${ex.label}</td><td>${criterionTree(ex.criteria)}</td></tr>`)}
</tbody>
</table>
</section>
<section id="dose-limits">
<h2>Dose limits</h2>
${doseTable(policy)}
</section>
${policy.documentation?.length ? html`<section id="documentation"><h2>Documentation to attach</h2><ul>${policy.documentation.map((d) => html`<li>${d}</li>`)}</ul></section>` : ''}
${policy.readings?.length ? html`<section id="readings"><h2>How ambiguous passages are read</h2><dl>${policy.readings.map((r) => html`<dt>${r.source}</dt><dd>${r.reading}</dd>`)}</dl></section>` : ''}
<section id="document">
<h2>Policy document</h2>
${documentText === undefined
    ? html`<p class="muted">The document <code>${policy.document.file}</code> is not available on this server.</p>`
    : html`<pre class="document">${documentText}</pre>`}
</section>
</main>`;
  return page(`${policy.title} — ${policy.payer.name}`, body, { canonical: pageUrl, alternateJson: jsonUrl });
}

function drugCodes(policy: Policy): SafeHtml | string {
  if (policy.drug.codes.length === 0) return '';
  return html`<details><summary>${policy.drug.codes.length} codes</summary><ul>${policy.drug.codes.map((c) =>
    html`<li><code>${c.code}</code> ${c.display ?? ''} <span class="muted">${c.system}</span></li>`)}</ul></details>`;
}

function effectiveText(policy: Policy): string {
  const from = policy.effective?.from;
  const to = policy.effective?.to;
  if (from === undefined && to === undefined) return 'No effective dates stated (in effect for every service date)';
  return `${from === undefined ? 'from the start' : `from ${from}`}${to === undefined ? ', no end date' : ` to ${to}`}`;
}

function reviewText(policy: Policy): string {
  const parts: string[] = [];
  if (policy.document.lastReview !== undefined) parts.push(`last reviewed ${policy.document.lastReview}`);
  if (policy.document.nextReview !== undefined) parts.push(`next review ${policy.document.nextReview}`);
  return parts.length === 0 ? 'not stated' : parts.join('; ');
}

function reading(text: string | undefined): SafeHtml | string {
  return text === undefined ? '' : html`<span class="reading">Reading: ${text}</span>`;
}

function externalLink(url: string | undefined): SafeHtml | string {
  return url !== undefined && /^https?:\/\//i.test(url) ? html` (<a href="${url}" rel="noopener">payer's copy</a>)` : '';
}

export function durationText(d: Duration): string {
  const length = d.months === null ? 'indefinitely' : `${d.months} month${d.months === 1 ? '' : 's'}`;
  const lob = d.linesOfBusiness === undefined ? '' : ` (${d.linesOfBusiness.join(', ')})`;
  return `${length}${d.orDurationOfRequest ? ' or the duration of the request, whichever is less' : ''}${lob}`;
}

function durationsList(policy: Policy): SafeHtml | string {
  const items: SafeHtml[] = [];
  for (const d of policy.approvalDuration ?? []) items.push(html`<li>${durationText(d)} <span class="source">${d.source}</span></li>`);
  for (const ind of policy.indications) {
    for (const d of ind.approvalDuration ?? []) {
      items.push(html`<li>${ind.label}: ${durationText(d)} <span class="source">${d.source}</span></li>`);
    }
    if (ind.coveragePeriod) {
      const c = ind.coveragePeriod;
      const length = c.months === null ? 'indefinitely' : `${c.months} months`;
      items.push(html`<li>${ind.label}: ${length}${c.maxCycles === undefined ? '' : `, up to ${c.maxCycles} cycles`} <span class="source">${c.source}</span></li>`);
    }
  }
  return items.length === 0 ? 'not stated' : html`<ul>${items}</ul>`;
}

function indicationRow(ind: Indication): SafeHtml {
  return html`<tr id="${`rule-${ind.id}`}"><td><code>${ind.id}</code></td><td>${ind.source}</td>
<td>${ind.label}${ind.continuation ? html` <span class="tag">continued therapy</span>` : ''}</td>
<td>${criterionTree(ind.criteria)}</td></tr>`;
}

const OPERATOR_TEXT: Readonly<Record<Operator, string>> = {
  equals: 'is',
  notEquals: 'is not',
  in: 'is one of',
  notIn: 'is none of',
  atLeast: 'is at least',
  atMost: 'is at most',
  greaterThan: 'is greater than',
  lessThan: 'is less than',
  exists: 'is recorded',
  isTrue: 'is true',
  isFalse: 'is false',
  startsWith: 'starts with',
  includesAny: 'includes any of',
  includesAll: 'includes all of',
  anyStartsWith: 'has an entry starting with',
  isEmpty: 'is empty',
  notEmpty: 'is not empty',
  mentions: 'is stated',
};

function isLeaf(c: Criterion): c is Leaf {
  return 'fact' in c;
}

function valueText(value: Leaf['value']): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

function effectiveNote(e: Effective): SafeHtml | string {
  if (e.effectiveFrom === undefined && e.effectiveTo === undefined) return '';
  const text = [e.effectiveFrom === undefined ? '' : `from ${e.effectiveFrom}`, e.effectiveTo === undefined ? '' : `to ${e.effectiveTo}`]
    .filter((s) => s !== '').join(' ');
  return html` <span class="tag">in effect ${text}</span>`;
}

function heading(c: Partial<Sourced>): SafeHtml {
  return html`${c.id === undefined ? '' : html`<code>${c.id}</code> `}${c.label ?? ''}${c.source === undefined ? '' : html` <span class="source">${c.source}</span>`}`;
}

/** The criterion tree as nested lists: ALL / ANY / NOT nodes, leaves with the fact and test they apply. */
export function criterionTree(c: Criterion): SafeHtml {
  return html`<ul class="tree">${criterionItem(c)}</ul>`;
}

function criterionItem(c: Criterion): SafeHtml {
  if (isLeaf(c)) {
    const value = valueText(c.value);
    return html`<li class="leaf">${heading(c)}${effectiveNote(c)}
<div class="test"><code>${c.fact}</code> ${OPERATOR_TEXT[c.op]}${value === '' ? '' : html` <code>${value}</code>`}${c.ifNotMet === 'not-documented' ? ' (otherwise: not documented)' : ''}</div>
${c.documentation === undefined ? '' : html`<div class="doc">Documentation: ${c.documentation}</div>`}${reading(c.reading)}</li>`;
  }
  if ('all' in c) {
    return html`<li class="node">${heading(c)}${effectiveNote(c)} <strong>ALL of:</strong>${reading(c.reading)}<ul>${c.all.map(criterionItem)}</ul></li>`;
  }
  if ('any' in c) {
    return html`<li class="node">${heading(c)}${effectiveNote(c)} <strong>ANY of:</strong>${reading(c.reading)}<ul>${c.any.map(criterionItem)}</ul></li>`;
  }
  return html`<li class="node">${heading(c)}${effectiveNote(c)} <strong>NOT:</strong>${reading(c.reading)}<ul>${criterionItem(c.not)}</ul></li>`;
}

const UNIT_TEXT: Readonly<Record<DoseUnit, string>> = {
  mg: 'mg', 'mg/m2': 'mg/m²', 'mg/kg': 'mg/kg', ug: 'mcg', 'ug/d': 'mcg/day', 'ug/m2/d': 'mcg/m²/day',
};

function doseText(a: DoseAlternative): string {
  const parts: string[] = [];
  if (a.dose) {
    const cap = a.dose.notToExceed === undefined ? '' : `, not to exceed ${a.dose.notToExceed.max} ${UNIT_TEXT[a.dose.notToExceed.unit]}`;
    parts.push(`up to ${a.dose.max} ${UNIT_TEXT[a.dose.unit]}${cap}`);
  }
  if (a.cumulative) {
    const c = a.cumulative;
    const gap = c.per === 'course' && c.courseGapDays !== undefined ? ` (a pause of more than ${c.courseGapDays} days starts a new course)` : '';
    parts.push(`in total up to ${c.max} ${UNIT_TEXT[c.unit]} per ${c.per}${gap}`);
  }
  return parts.length === 0 ? '—' : parts.join('; ');
}

function scheduleText(a: DoseAlternative): string {
  if (!a.schedule) return '—';
  const { maxAdministrations: n, periodDays: d } = a.schedule;
  return `at most ${n} administration${n === 1 ? '' : 's'} in ${d === 1 ? '1 day' : `${d} days`}`;
}

function whenText(c: Criterion | undefined): SafeHtml | string {
  return c === undefined ? 'always' : criterionTree(c);
}

function doseTable(policy: Policy): SafeHtml {
  const rows: SafeHtml[] = [];
  for (const ind of policy.indications) {
    for (const set of ind.doseLimits ?? []) rows.push(...doseRows(ind, set));
  }
  if (rows.length === 0) return html`<p>The document sets no dose limit.</p>`;
  return html`<table class="dose">
<thead><tr><th>Indication</th><th>Limit</th><th>Applies when</th><th>Dose</th><th>Schedule</th><th>Source clause</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function doseRows(ind: Indication, set: DoseLimitSet): SafeHtml[] {
  return set.alternatives.map((a, i) => html`<tr>
<td>${i === 0 ? html`<code>${ind.id}</code>` : ''}</td>
<td><code>${a.id}</code> ${a.label}${i === 0 ? html`<div class="muted">set <code>${set.id}</code>: ${set.label}${set.when ? html` — applies when:${criterionTree(set.when)}` : ''}</div>` : ''}</td>
<td>${whenText(a.when)}</td><td>${doseText(a)}</td><td>${scheduleText(a)}</td><td>${a.source}</td></tr>`);
}
