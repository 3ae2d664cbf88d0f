/** Which registry payer a Coverage names, and its line of business. */
import type { CodeableConcept, Coding, Coverage, Identifier, Organization, Reference } from 'fhir/r4.js';
import type { GatheredChart } from '../gather/types.js';
import type { LineOfBusiness } from '../facts/types.js';
import type { Catalog, LineOfBusinessCodeRule } from './types.js';
import { codeKey, normaliseSystem } from './systems.js';
import { containsPhrase, normaliseText } from './text.js';

export interface PayerResolution {
  payerId: string | null;
  /** the registry's name when matched, else the name the chart gives */
  payerName: string | null;
  matchedBy?: 'identifier' | 'name';
  /** what matched, for evidence: `system|value` or the name */
  matched?: string;
}

function organizationFor(reference: Reference, coverage: Coverage, chart: Pick<GatheredChart, 'organizations'>): Organization | undefined {
  const ref = reference.reference;
  if (ref === undefined) return undefined;
  if (ref.startsWith('#')) {
    return coverage.contained?.find((r): r is Organization => r.resourceType === 'Organization' && r.id === ref.slice(1));
  }
  const id = ref.split('/').pop();
  return chart.organizations.find((o) => o.id === id);
}

function payerByIdentifiers(identifiers: Identifier[], catalog: Catalog): { payer: string; matched: string } | undefined {
  for (const identifier of identifiers) {
    if (identifier.value === undefined) continue;
    const payer = catalog.payerByIdentifier.get(codeKey(identifier.system, identifier.value));
    if (payer !== undefined) return { payer, matched: `${identifier.system ?? ''}|${identifier.value}` };
  }
  return undefined;
}

export function payerByName(name: string | undefined, catalog: Catalog): string | undefined {
  if (name === undefined || name.trim() === '') return undefined;
  const text = normaliseText(name);
  return catalog.payerAliasesLongestFirst.find(({ alias }) => text.includes(` ${alias} `))?.payer;
}

export function resolvePayer(coverage: Coverage, chart: Pick<GatheredChart, 'organizations'>, catalog: Catalog): PayerResolution {
  const payors = coverage.payor ?? [];
  const organizations = payors.map((p) => organizationFor(p, coverage, chart));
  const identifiers = [
    ...payors.flatMap((p) => (p.identifier !== undefined ? [p.identifier] : [])),
    ...organizations.flatMap((o) => o?.identifier ?? []),
  ];
  const byIdentifier = payerByIdentifiers(identifiers, catalog);
  const registryName = (id: string): string => catalog.payers.get(id)?.name ?? id;
  if (byIdentifier !== undefined) {
    return { payerId: byIdentifier.payer, payerName: registryName(byIdentifier.payer), matchedBy: 'identifier', matched: byIdentifier.matched };
  }
  const names = [...payors.map((p) => p.display), ...organizations.flatMap((o) => [o?.name, ...(o?.alias ?? [])])].filter(
    (n): n is string => n !== undefined && n.trim() !== '',
  );
  for (const name of names) {
    const payer = payerByName(name, catalog);
    if (payer !== undefined) return { payerId: payer, payerName: registryName(payer), matchedBy: 'name', matched: name };
  }
  return { payerId: null, payerName: names[0] ?? null };
}

function codingMatches(coding: Coding, rule: LineOfBusinessCodeRule): boolean {
  const code = coding.code?.trim();
  if (code === undefined) return false;
  const system = normaliseSystem(coding.system);
  const systemOk =
    (rule.system !== undefined && system === normaliseSystem(rule.system)) ||
    (rule.systemContains !== undefined && system.includes(rule.systemContains.toLowerCase()));
  if (!systemOk) return false;
  return (rule.codes ?? []).includes(code) || (rule.prefixes ?? []).some((p) => code.startsWith(p));
}

export interface LineOfBusinessResolution {
  lineOfBusiness: LineOfBusiness;
  /** the code (`system|code`) or word that decided it */
  matched: string;
}

/** Texts that can name the plan: type and class, codes' displays included. */
function planTexts(coverage: Coverage): string[] {
  const concepts: CodeableConcept[] = [
    ...(coverage.type !== undefined ? [coverage.type] : []),
    ...(coverage.class ?? []).flatMap((c) => (c.type !== undefined ? [c.type] : [])),
  ];
  return [
    ...concepts.flatMap((c) => [c.text, ...(c.coding ?? []).map((coding) => coding.display)]),
    ...(coverage.class ?? []).flatMap((c) => [c.name, c.value]),
  ].filter((t): t is string => t !== undefined && t.trim() !== '');
}

/** First rule (in file order: Medicaid, Medicare, marketplace, commercial) whose code or word the Coverage carries. */
export function resolveLineOfBusiness(coverage: Coverage, catalog: Catalog): LineOfBusinessResolution | undefined {
  const codings = [...(coverage.type?.coding ?? []), ...(coverage.class ?? []).flatMap((c) => c.type?.coding ?? [])];
  const texts = planTexts(coverage).map((t) => normaliseText(t));
  for (const rule of catalog.linesOfBusiness) {
    const coding = codings.find((c) => rule.codes.some((r) => codingMatches(c, r)));
    if (coding !== undefined) return { lineOfBusiness: rule.lineOfBusiness, matched: `${coding.system ?? ''}|${coding.code ?? ''}` };
    const word = rule.words.find((w) => texts.some((t) => containsPhrase(t, w)));
    if (word !== undefined) return { lineOfBusiness: rule.lineOfBusiness, matched: word };
  }
  return undefined;
}
