/**
 * HTML for the service's own pages. Every value that comes from data (policy files, documents, requests) goes
 * through `escapeHtml`; `html` marks a string as already-safe markup so the two cannot be confused by accident.
 */

/** Markup that is safe to insert as is (built only by `html`, `join` or `raw` on constant strings). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are markup, interpolated values are escaped unless they are SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A complete page: external stylesheet only, no scripts, so the strict CSP of the page routes holds. */
export function page(title: string, body: SafeHtml, options: { canonical?: string; alternateJson?: string; noindex?: boolean } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${options.noindex === true ? html`<meta name="robots" content="noindex, nofollow">` : ''}
${options.canonical === undefined ? '' : html`<link rel="canonical" href="${options.canonical}">`}
${options.alternateJson === undefined ? '' : html`<link rel="alternate" type="application/json" href="${options.alternateJson}">`}
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/policy.css">
</head>
<body>
${body}
</body>
</html>
`.value;
}
