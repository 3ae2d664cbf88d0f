/**
 * A tiny `{{name}}` renderer for the card wording in `cards/*.json`.
 *
 * Values that come from data (payer names, evidence text, labels) are escaped when the
 * target is markdown, so a chart string can never inject links or structure into a card.
 * Fragments the renderer built itself from other templates are passed as `trusted(…)`.
 */

/** A markdown fragment built from templates; inserted as is. */
export interface Trusted {
  readonly trusted: string;
}

export type TemplateValue = string | number | Trusted;
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

export function trusted(text: string): Trusted {
  return { trusted: text };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][\w.-]*)\s*\}\}/g;

/** Characters that CommonMark/GFM give meaning to inside a line. */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~#]/g;

export function escapeMarkdown(text: string): string {
  // Newlines would let data start a list or heading of its own: fold them.
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
}

function plain(value: TemplateValue): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.replace(/\s*[\r\n]+\s*/g, ' ');
  return value.trusted;
}

function forMarkdown(value: TemplateValue): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return escapeMarkdown(value);
  return value.trusted;
}

/**
 * Substitutes `{{name}}` placeholders. A placeholder without a value is a template bug and
 * throws, naming it, rather than shipping "{{payer}}" to a clinician.
 */
export function renderTemplate(template: string, values: TemplateValues, target: 'markdown' | 'text'): string {
  const convert = target === 'markdown' ? forMarkdown : plain;
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`Card template placeholder {{${name}}} has no value`);
    return convert(value);
  });
}

/** CDS Hooks: summary "<140 characters". Counted in code points so an emoji is one character. */
export const SUMMARY_MAX = 139;

export function codePointLength(text: string): number {
  return [...text].length;
}

/**
 * Shortens to at most `max` code points, cutting at a word boundary when one is near and
 * ending with an ellipsis, never splitting a surrogate pair.
 */
export function truncate(text: string, max: number = SUMMARY_MAX): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const lastSpace = head.lastIndexOf(' ');
  const cut = lastSpace >= head.length - 20 && lastSpace > 0 ? head.slice(0, lastSpace) : head;
  return `${cut.replace(/[\s,;:—-]+$/u, '')}…`;
}

/** The first candidate template that fits, else the last one truncated. */
export function renderSummary(templates: readonly string[], values: TemplateValues, max: number = SUMMARY_MAX): string {
  let last = '';
  for (const template of templates) {
    last = renderTemplate(template, values, 'text');
    if (codePointLength(last) <= max) return last;
  }
  return truncate(last, max);
}
