/**
 * What a clinician reads per signing, measured over every shipped scenario (fhir-resources/scenarios): cards per
 * signing, characters per card (summary + detail), lines repeated across cards, unit spellings mixed in one answer,
 * placeholder text. Used by `npm run cards:measure` (prints the numbers) and test/cards/economy.test.ts (asserts them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../../src/catalog/index.js';
import { defaultConfig } from '../../src/config.js';
import type { DecisionDeps } from '../../src/pipeline.js';
import { knownIdsOf, loadPolicies } from '../../src/policy/index.js';
import type { Card, HookRequest, HookResponse } from '../../src/protocol/types.js';

export const SCENARIO_ROOT = 'fhir-resources/scenarios';

/** The pipeline as `npm start` assembles it from the shipped data (no FHIR server: scenarios carry their prefetch). */
export function shippedDecisionDeps(): DecisionDeps {
  const config = defaultConfig({});
  const catalog = loadCatalog(config.catalogDir);
  return { catalog, policies: loadPolicies(config.policiesDir, knownIdsOf(catalog)), gather: {}, payerSubmissionUrls: {} };
}

export interface ScenarioFile {
  group: string;
  name: string;
  file: string;
}

/** Every scenario request (not its `.expect.json`), in every policy folder not starting with `_`. */
export function listScenarios(root = SCENARIO_ROOT): ScenarioFile[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .flatMap((d) =>
      readdirSync(join(root, d.name))
        .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
        .sort()
        .map((f) => ({ group: d.name, name: f.slice(0, -'.json'.length), file: join(root, d.name, f) })),
    );
}

export function readScenario(file: string): HookRequest {
  return JSON.parse(readFileSync(file, 'utf8')) as HookRequest;
}

/** The text a clinician reads on a card. */
export function cardText(card: Card): string {
  return `${card.summary}\n${card.detail ?? ''}`;
}

export function cardCharacters(card: Card): number {
  return [...cardText(card)].length;
}

/** A line as read: list markers, marks and emphasis stripped; short connective lines ignored. */
function normalisedLines(card: Card): string[] {
  return cardText(card)
    .split('\n')
    .map((l) => l.replace(/^[\s>*-]*(\[[ x]\]\s*)?/, '').replace(/\*\*/g, '').trim().toLowerCase())
    .filter((l) => l.length >= 12);
}

/** Lines that appear twice in one answer (within a card or across its cards). */
export function repeatedLines(response: HookResponse): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const card of response.cards) {
    for (const line of normalisedLines(card)) {
      if (seen.has(line)) repeated.add(line);
      seen.add(line);
    }
  }
  return [...repeated];
}

/** One spelling per unit: the first spelling of each group is the one cards use. */
const UNIT_SPELLINGS: ReadonlyArray<{ unit: string; spellings: RegExp[] }> = [
  { unit: 'm²', spellings: [/m²/, /\d\s*(?:mg|mcg|ug)?\/?m2\b/, /\bm\^2\b/] },
  { unit: 'mcg', spellings: [/\d\s*mcg\b/, /\d\s*ug\b/, /\d\s*µg\b/, /\d\s*μg\b/] },
  { unit: 'per day', spellings: [/\/day\b/, /(?:mg|mcg|ug)\/d\b/] },
];

/** Units written two ways in one answer ("56 ug vs up to 28 mcg/day"). */
export function mixedUnits(response: HookResponse): string[] {
  const text = response.cards.map(cardText).join('\n');
  return UNIT_SPELLINGS.filter(({ spellings }) => spellings.filter((s) => s.test(text)).length > 1).map(({ unit }) => unit);
}

const PLACEHOLDERS: readonly RegExp[] = [/:\*\*\s*—/, /:\s*—\s*$/m, /\{\{/, /\bundefined\b/, /\bNaN\b/, /\[object Object\]/, /\bnull\b/];

export function placeholders(response: HookResponse): string[] {
  const text = response.cards.map(cardText).join('\n');
  return PLACEHOLDERS.filter((p) => p.test(text)).map((p) => p.source);
}

export interface SigningMeasure {
  scenario: string;
  cards: number;
  characters: number[];
  repeated: string[];
  mixed: string[];
  placeholders: string[];
}

export function measure(scenario: string, response: HookResponse): SigningMeasure {
  return {
    scenario,
    cards: response.cards.length,
    characters: response.cards.map(cardCharacters),
    repeated: repeatedLines(response),
    mixed: mixedUnits(response),
    placeholders: placeholders(response),
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface Summary {
  signings: number;
  cardsPerSigning: { max: number; moreThanTwo: number; histogram: Record<number, number> };
  characters: { median: number; max: number; over2000: number };
  withRepeatedLines: number;
  withMixedUnits: number;
  withPlaceholders: number;
}

export function summarise(measures: readonly SigningMeasure[]): Summary {
  const chars = measures.flatMap((m) => m.characters);
  const histogram: Record<number, number> = {};
  for (const m of measures) histogram[m.cards] = (histogram[m.cards] ?? 0) + 1;
  return {
    signings: measures.length,
    cardsPerSigning: { max: Math.max(0, ...measures.map((m) => m.cards)), moreThanTwo: measures.filter((m) => m.cards > 2).length, histogram },
    characters: { median: median(chars), max: Math.max(0, ...chars), over2000: chars.filter((c) => c > 2000).length },
    withRepeatedLines: measures.filter((m) => m.repeated.length > 0).length,
    withMixedUnits: measures.filter((m) => m.mixed.length > 0).length,
    withPlaceholders: measures.filter((m) => m.placeholders.length > 0).length,
  };
}
