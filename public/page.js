// The try-it page: vanilla JS, no framework. Everything it shows comes from the service's own endpoints.
const $ = (id) => document.getElementById(id);
let lastRequest = null;

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function safeUrl(url) {
  return /^(https?:)?\/\//i.test(url) || url.startsWith('/') ? url : '#';
}

/** Inline markdown: bold, italic, code, links. Input is escaped first, so card text cannot inject HTML. */
function inline(text) {
  // Backslash escapes (\< \* \_ …) are shown as the character itself, as CommonMark does.
  const escapes = [];
  const held = String(text).replace(/\\([\\`*_{}\[\]()#+\-.!<>|~])/g, (_m, c) => `\u0000${escapes.push(c) - 1}\u0000`);
  return escapeHtml(held)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*]+)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label, url) => `<a href="${safeUrl(url)}" target="_blank" rel="noopener">${label}</a>`)
    .replace(/\u0000(\d+)\u0000/g, (_m, i) => escapeHtml(escapes[Number(i)]));
}

/** The subset of CommonMark the cards use: paragraphs, headings, lists, tables, line breaks. */
export function renderMarkdown(markdown) {
  const lines = String(markdown ?? '').split('\n');
  const html = [];
  const lists = []; // open lists, innermost last: { kind, indent }
  let table = null;
  const closeLists = (toIndent = -1) => {
    while (lists.length > 0 && lists[lists.length - 1].indent > toIndent) html.push(`</li></${lists.pop().kind}>`);
  };
  const closeBlocks = () => {
    closeLists();
    if (table) { html.push('</tbody></table>'); table = null; }
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
    const numbered = /^(\s*)\d+[.)]\s+(.*)$/.exec(line);
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (/^\|.*\|$/.test(line)) {
      if (/^\|[\s:|-]+\|$/.test(line)) continue; // header separator row
      const cells = line.slice(1, -1).split('|').map((c) => `<td>${inline(c.trim())}</td>`).join('');
      if (!table) { closeBlocks(); html.push('<table><tbody>'); table = true; }
      html.push(`<tr>${cells}</tr>`);
    } else if (bullet || numbered) {
      const [, lead, content] = bullet ?? numbered;
      const kind = bullet ? 'ul' : 'ol';
      const indent = lead.length;
      if (table) { html.push('</tbody></table>'); table = null; }
      closeLists(indent);
      const top = lists[lists.length - 1];
      if (top && top.indent === indent && top.kind === kind) {
        html.push('</li>');
      } else {
        if (top && top.indent === indent) html.push(`</li></${lists.pop().kind}>`);
        html.push(`<${kind}>`);
        lists.push({ kind, indent });
      }
      html.push(`<li>${inline(content)}`);
    } else if (heading) {
      closeBlocks();
      const level = Math.min(6, heading[1].length + 3);
      html.push(`<h${level}>${inline(heading[2])}</h${level}>`);
    } else if (line.trim() === '') {
      closeBlocks();
    } else {
      closeBlocks();
      html.push(`<p>${inline(line)}</p>`);
    }
  }
  closeBlocks();
  return html.join('\n');
}

async function getJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

async function loadServices() {
  const { body } = await getJson('/cds-services');
  const services = body.services ?? [];
  $('services').innerHTML = services.map((s) => `<li><strong>${escapeHtml(s.id)}</strong> — ${escapeHtml(s.hook)}</li>`).join('');
  $('service').innerHTML = services.map((s) => `<option value="${escapeHtml(s.id)}" data-hook="${escapeHtml(s.hook)}">${escapeHtml(s.id)}</option>`).join('');
}

async function loadPolicies() {
  const { body } = await getJson('/health');
  $('policies').innerHTML = (body.policies ?? [])
    .map((p) => `<li><a href="/policies/${encodeURIComponent(p.id)}" target="_blank">${escapeHtml(p.id)}</a> <span class="muted">v${escapeHtml(p.version)}</span></li>`)
    .join('');
}

async function loadScenarios() {
  const { body } = await getJson('/demo/scenarios');
  const groups = new Map();
  for (const s of body.scenarios ?? []) {
    if (!groups.has(s.group)) groups.set(s.group, []);
    groups.get(s.group).push(s);
  }
  const html = ['<option value="">— choose a scenario —</option>'];
  for (const [group, items] of groups) {
    html.push(`<optgroup label="${escapeHtml(group)}">`);
    for (const s of items) html.push(`<option value="${escapeHtml(s.path)}" title="${escapeHtml(s.description ?? '')}">${escapeHtml(s.name)}</option>`);
    html.push('</optgroup>');
  }
  $('scenario').innerHTML = html.join('');
}

async function chooseScenario() {
  const path = $('scenario').value;
  if (!path) return;
  const { status, body } = await getJson(`/demo/scenarios/${path.split('/').map(encodeURIComponent).join('/')}`);
  if (status !== 200) {
    $('scenario-description').textContent = `Could not load the scenario (HTTP ${status}).`;
    return;
  }
  $('request').value = JSON.stringify(body.request, null, 2);
  $('scenario-description').textContent = body.description ?? '';
  const hook = body.request?.hook;
  for (const option of $('service').options) if (option.dataset.hook === hook) $('service').value = option.value;
}

function renderCard(card) {
  const topic = card.source?.topic?.display ?? card.source?.topic?.code ?? '';
  const links = (card.links ?? [])
    .map((l) => `<a href="${safeUrl(l.url)}" target="_blank" rel="noopener" data-type="${escapeHtml(l.type)}">${escapeHtml(l.label)}</a>`)
    .join('');
  const suggestions = (card.suggestions ?? [])
    .map((s, i) => `<button type="button" class="suggestion" data-suggestion="${i}">${escapeHtml(s.label)}${s.isRecommended ? ' (recommended)' : ''}</button>`)
    .join(' ');
  const element = document.createElement('article');
  element.className = `card ${card.indicator}`;
  element.innerHTML = `
    <div class="summary">${escapeHtml(card.summary)}</div>
    <div class="meta">${escapeHtml(card.indicator)} · ${escapeHtml(card.source?.label ?? '')}${topic ? ` · ${escapeHtml(topic)}` : ''}</div>
    <div class="detail">${renderMarkdown(card.detail ?? '')}</div>
    <div class="links">${links}</div>
    <div class="suggestions">${suggestions}</div>`;
  element.querySelectorAll('button.suggestion').forEach((button) => {
    button.addEventListener('click', () => showSuggestion(card.suggestions[Number(button.dataset.suggestion)]));
  });
  return element;
}

function showSuggestion(suggestion) {
  const action = (suggestion.actions ?? [])[0];
  const after = action?.resource;
  const entries = lastRequest?.context?.draftOrders?.entry ?? [];
  const before = entries.map((e) => e.resource).find((r) => r && after && r.resourceType === after.resourceType && r.id === after.id);
  $('suggestion-title').textContent = suggestion.label;
  const beforeLines = JSON.stringify(before ?? {}, null, 2).split('\n');
  const afterLines = JSON.stringify(after ?? {}, null, 2).split('\n');
  const [keptBefore, keptAfter] = commonLines(beforeLines, afterLines);
  showLines($('order-before'), beforeLines, keptBefore, 'removed');
  showLines($('order-after'), afterLines, keptAfter, 'added');
  $('suggestion-dialog').showModal();
  for (const id of ['order-before', 'order-after']) $(id).querySelector('mark')?.scrollIntoView({ block: 'center' });
}

/** Which lines of a and b belong to their longest common subsequence (a line diff; orders are short). */
function commonLines(a, b) {
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const keptA = new Set();
  const keptB = new Set();
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) { keptA.add(i++); keptB.add(j++); }
    else if (table[i + 1][j] >= table[i][j + 1]) i++;
    else j++;
  }
  return [keptA, keptB];
}

/** The order as JSON, its changed lines marked. */
function showLines(element, lines, kept, kind) {
  element.innerHTML = lines
    .map((line, i) => (kept.has(i) ? escapeHtml(line) : `<mark class="${kind}">${escapeHtml(line)}</mark>`))
    .join('\n');
}

function renderSystemActions(actions) {
  const container = $('system-actions');
  container.innerHTML = '';
  for (const action of actions ?? []) {
    const ext = (action.resource?.extension ?? []).find((e) => e.url.endsWith('ext-coverage-information'));
    if (!ext) continue;
    const rows = (ext.extension ?? []).map((part) => {
      const value = part.valueCode ?? part.valueString ?? part.valueDate ?? part.valueReference?.reference ??
        part.valueCodeableConcept?.text ?? part.valueCodeableConcept?.coding?.[0]?.code ??
        (part.extension ? part.extension.map((p) => p.valueString ?? p.valueCodeableConcept?.coding?.[0]?.code ?? p.valueQuantity?.value ?? '').join(' ') : '');
      return `<dt>${escapeHtml(part.url)}</dt><dd>${escapeHtml(value)}</dd>`;
    });
    const div = document.createElement('div');
    div.className = 'ext';
    div.innerHTML = `<strong>${escapeHtml(action.resource.resourceType)}/${escapeHtml(action.resource.id ?? '')}</strong><dl>${rows.join('')}</dl>`;
    container.append(div);
  }
  if (!container.children.length) container.innerHTML = '<p class="muted">No coverage information (no policy drug for this payer).</p>';
}

async function send() {
  let request;
  try {
    request = JSON.parse($('request').value);
  } catch (error) {
    $('status').textContent = `The request is not valid JSON: ${error.message}`;
    return;
  }
  lastRequest = request;
  const serviceId = $('service').value;
  $('status').textContent = 'Sending…';
  const started = performance.now();
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) };
  let hook;
  let trace;
  try {
    [hook, trace] = await Promise.all([getJson(`/cds-services/${encodeURIComponent(serviceId)}`, init), getJson('/analyst/trace', init)]);
  } catch (error) {
    $('status').textContent = `The service did not answer: ${error.message}`;
    return;
  }
  $('status').textContent = `HTTP ${hook.status} in ${Math.round(performance.now() - started)} ms`;
  const cards = $('cards');
  cards.innerHTML = '';
  if (hook.status !== 200) {
    cards.innerHTML = `<pre>${escapeHtml(JSON.stringify(hook.body, null, 2))}</pre>`;
  } else if (!hook.body.cards?.length) {
    cards.innerHTML = '<p class="muted">No cards: nothing needs the clinician\'s attention.</p>';
  } else {
    for (const card of hook.body.cards) cards.append(renderCard(card));
  }
  renderSystemActions(hook.body.systemActions);
  // The trace is a list of lines; anything else (an OperationOutcome, say) is shown as the JSON it is.
  const lines = trace.body.trace;
  $('trace').textContent = Array.isArray(lines) ? lines.join('\n') : JSON.stringify(trace.body, null, 2);
}

$('scenario').addEventListener('change', chooseScenario);
$('send').addEventListener('click', send);
$('dialog-close').addEventListener('click', () => $('suggestion-dialog').close());
await Promise.all([loadServices(), loadPolicies(), loadScenarios()]);
document.body.dataset.ready = 'true';
