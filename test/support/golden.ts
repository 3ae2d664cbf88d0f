/**
 * Golden files: one per card type under test/cards/golden/, read by eye in review. A mismatch fails; the files are
 * rewritten only when UPDATE_GOLDEN=1 is set by hand, and never under CI (CI=true fails instead).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Card } from '../../src/protocol/types.js';

const DIR = join(import.meta.dirname, '..', 'cards', 'golden');

/** What a clinician sees of a card, as reviewable text (no uuids, no FHIR resources). */
export function cardAsText(card: Card): string {
  const lines = [
    `# ${card.summary}`,
    '',
    `indicator: ${card.indicator} · topic: ${card.source.topic?.code ?? '-'} · source: ${card.source.label}`,
    '',
    card.detail ?? '',
    '',
  ];
  for (const s of card.suggestions ?? []) lines.push(`suggestion: ${s.label}${s.isRecommended ? ' (recommended)' : ''}`);
  for (const l of card.links ?? []) lines.push(`link: ${l.label} <${l.url}>`);
  for (const r of card.overrideReasons ?? []) lines.push(`override reason: ${r.display ?? r.code}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

export function expectGolden(name: string, cards: readonly Card[]): void {
  const file = join(DIR, `${name}.md`);
  const actual = cards.map(cardAsText).join('\n---\n\n');
  const update = process.env['UPDATE_GOLDEN'] === '1' && process.env['CI'] !== 'true';
  if (update) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/cards and review it`);
  expect(actual, `${name}.md differs: review the change, then UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(file, 'utf8'));
}
