/** Code system URLs (shared/conventions/README.md). URLs only: the codes live in catalog/*.json. */
import { BoundedCache } from './bounded-cache.js';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
export const NDC = 'http://hl7.org/fhir/sid/ndc';
export const NUCC = 'http://nucc.org/provider-taxonomy';

/**
 * Normalised forms, memoised: a chart repeats the same few system URLs on every coding, and facts compare them
 * against the catalog's many times per call. Bounded, because the strings come from requests.
 */
const NORMALISED_SYSTEMS = new BoundedCache<string>(1024);

/** Systems compare without scheme, case or trailing slash: `http://` and `https://` HCPCS are the same system. */
export function normaliseSystem(system: string | undefined): string {
  if (system === undefined) return '';
  return (
    NORMALISED_SYSTEMS.get(system) ??
    NORMALISED_SYSTEMS.set(system, system.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, ''))
  );
}

export function codeKey(system: string | undefined, code: string): string {
  return `${normaliseSystem(system)}|${code.trim()}`;
}

export function sameSystem(a: string | undefined, b: string | undefined): boolean {
  return normaliseSystem(a) === normaliseSystem(b);
}

/**
 * NDC to the 11-digit 5-4-2 form. Hyphenated 10-digit forms (4-4-2, 5-3-2, 5-4-1) are padded per segment;
 * an unhyphenated 10-digit code is ambiguous and returned as is (the catalog indexes those separately).
 */
export function normaliseNdc(raw: string): string {
  const text = raw.trim();
  const parts = text.split('-');
  if (parts.length === 3 && parts.every((p) => /^\d+$/.test(p))) {
    const [labeler = '', product = '', pack = ''] = parts;
    return labeler.padStart(5, '0') + product.padStart(4, '0') + pack.padStart(2, '0');
  }
  return text.replace(/\D/g, '');
}
