/** Text normalisation shared by name, alias and phrase matching. */
import { BoundedCache } from './bounded-cache.js';

/**
 * Lower case, punctuation to spaces, single spaces, padded with one space each side so whole words can be
 * found with `includes(' word ')`. `/`, `+`, `≥`, `>` become words of their own ("relapsed/refractory" →
 * "relapsed / refractory"), so each half still matches; decimal points stay ("2.3").
 */
export function normaliseText(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[\u2019']/g, '')
    .replace(/[/+≥>]/g, ' $& ')
    .replace(/[^a-z0-9/+≥>.]+/g, ' ')
    .replace(/(?<![0-9])\.|\.(?![0-9])/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()} `;
}

/** Phrases come from the catalog and are searched for on every call: each is normalised once. Bounded anyway. */
const NEEDLES = new BoundedCache<string>(4096);

/** ` phrase ` normalised for whole-word search in normalised text (memoised). */
export function phraseNeedle(phrase: string): string {
  return NEEDLES.get(phrase) ?? NEEDLES.set(phrase, ` ${normaliseText(phrase).trim()} `);
}

/** Whole-word containment: both sides normalised, so "fam-trastuzumab deruxtecan" is found in "Fam-Trastuzumab Deruxtecan-nxki". */
export function containsPhrase(normalisedText: string, phrase: string): boolean {
  return normalisedText.includes(phraseNeedle(phrase));
}

/** Start offsets of a phrase in normalised text (whole words). */
export function phraseOffsets(normalisedText: string, phrase: string): number[] {
  const needle = phraseNeedle(phrase);
  const offsets: number[] = [];
  let at = normalisedText.indexOf(needle);
  while (at >= 0) {
    offsets.push(at);
    at = normalisedText.indexOf(needle, at + 1);
  }
  return offsets;
}

/** True when one of the three words before `offset` is a negation ("no relapse", "not unresectable"). */
export function negatedAt(normalisedText: string, offset: number, negations: ReadonlySet<string>): boolean {
  const before = normalisedText.slice(0, offset).trim().split(' ').slice(-3);
  return before.some((word) => negations.has(word));
}

/** True when the phrase occurs at least once without a negation before it. */
export function statesPhrase(normalisedText: string, phrase: string, negations: ReadonlySet<string>): boolean {
  return phraseOffsets(normalisedText, phrase).some((at) => !negatedAt(normalisedText, at, negations));
}
