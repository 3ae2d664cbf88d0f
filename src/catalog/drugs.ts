/** Which catalog drug a CodeableConcept names: codes first, then the drug's name in display / text. */
import type { CodeableConcept, Coding, Medication, MedicationRequest, Reference } from 'fhir/r4.js';
import type { GatheredChart } from '../gather/types.js';
import type { Catalog, DrugCodeMatch, HcpcsCode } from './types.js';
import { BoundedCache } from './bounded-cache.js';
import { HCPCS, NDC, codeKey, normaliseNdc, sameSystem } from './systems.js';
import { normaliseText } from './text.js';

export interface DrugIdentification {
  drug: string | null;
  /** the codes that identified it, `system|code` as written on the order; empty when matched by name */
  codes: string[];
  /** the HCPCS code among them, with its billing unit size */
  hcpcs?: HcpcsCode;
  /** 'code' or 'name' */
  matchedBy?: 'code' | 'name';
}

function lookUpCoding(coding: Coding, catalog: Catalog): DrugCodeMatch | undefined {
  const code = coding.code?.trim();
  if (code === undefined || code === '') return undefined;
  if (sameSystem(coding.system, HCPCS)) return catalog.drugByCode.get(codeKey(HCPCS, code.toUpperCase()));
  if (sameSystem(coding.system, NDC)) {
    return catalog.drugByCode.get(codeKey(NDC, normaliseNdc(code))) ?? catalog.drugByCode.get(codeKey(NDC, code.replace(/\D/g, '')));
  }
  return catalog.drugByCode.get(codeKey(coding.system, code));
}

/**
 * Per catalog, by exact text: the same displays ("dexamethasone 4 MG Oral Tablet") recur on every chart, and
 * normalising and scanning them is most of identifying a history.
 */
const DRUG_BY_TEXT = new WeakMap<Catalog, BoundedCache<string | null>>();

/** The catalog drug named in free text, longest name first ("fam-trastuzumab deruxtecan" before "trastuzumab"). */
export function drugInText(text: string | undefined, catalog: Catalog): string | null {
  if (text === undefined) return null;
  let cache = DRUG_BY_TEXT.get(catalog);
  if (cache === undefined) {
    cache = new BoundedCache(5_000);
    DRUG_BY_TEXT.set(catalog, cache);
  }
  const known = cache.get(text);
  return known !== undefined ? known : cache.set(text, drugInTextUncached(text, catalog));
}

function drugInTextUncached(text: string, catalog: Catalog): string | null {
  if (text.trim() === '') return null;
  const normalised = normaliseText(text);
  const exact = catalog.drugByName.get(normalised.trim());
  if (exact !== undefined) return exact;
  for (const { name, drug } of catalog.drugNamesLongestFirst) {
    if (normalised.includes(` ${name} `)) return drug;
  }
  return null;
}

/**
 * Per concept object (so per request): a chart's history is identified by several facts, and a concept's answer
 * cannot change while the request is evaluated. Keyed by catalog too, since tests identify against several.
 */
const IDENTIFIED = new WeakMap<CodeableConcept, { catalog: Catalog; found: DrugIdentification }>();

export function identifyDrug(concept: CodeableConcept | undefined, catalog: Catalog): DrugIdentification {
  if (concept === undefined) return { drug: null, codes: [] };
  const known = IDENTIFIED.get(concept);
  if (known !== undefined && known.catalog === catalog) return known.found;
  const found = identifySingleCoding(concept, catalog) ?? identifyDrugUncached(concept, catalog);
  IDENTIFIED.set(concept, { catalog, found });
  return found;
}

/**
 * The commonest shape in a history, one coding and no text ("dexamethasone 4 MG Oral Tablet", a hundred times over),
 * answered per catalog by system, code and display: the same answer identifyDrugUncached gives, shared (frozen).
 * Nested maps, so a look-up builds no key. Bounded: cleared when full.
 */
type ByDisplay = Map<string, DrugIdentification>;
interface SingleCodingCache {
  entries: number;
  bySystem: Map<string, Map<string, ByDisplay>>;
}
const BY_SINGLE_CODING = new WeakMap<Catalog, SingleCodingCache>();
const BY_SINGLE_CODING_LIMIT = 5_000;

function identifySingleCoding(concept: CodeableConcept, catalog: Catalog): DrugIdentification | undefined {
  const coding = concept.coding?.length === 1 ? concept.coding[0] : undefined;
  if (coding === undefined || concept.text !== undefined) return undefined;
  let cache = BY_SINGLE_CODING.get(catalog);
  if (cache === undefined || cache.entries >= BY_SINGLE_CODING_LIMIT) {
    cache = { entries: 0, bySystem: new Map() };
    BY_SINGLE_CODING.set(catalog, cache);
  }
  const { bySystem } = cache;
  const system = coding.system ?? '';
  let byCode = bySystem.get(system);
  if (byCode === undefined) bySystem.set(system, (byCode = new Map()));
  const code = coding.code ?? '';
  let byDisplay = byCode.get(code);
  if (byDisplay === undefined) byCode.set(code, (byDisplay = new Map()));
  const display = coding.display ?? '';
  let found = byDisplay.get(display);
  if (found === undefined) {
    const fresh = identifyDrugUncached(concept, catalog);
    found = Object.freeze({ ...fresh, codes: Object.freeze([...fresh.codes]) as string[] });
    byDisplay.set(display, found);
    cache.entries += 1;
  }
  return found;
}

function identifyDrugUncached(concept: CodeableConcept, catalog: Catalog): DrugIdentification {
  const codings = concept.coding ?? [];
  let matches: Array<{ coding: Coding; match: DrugCodeMatch }> | undefined;
  for (const coding of codings) {
    const match = lookUpCoding(coding, catalog);
    if (match !== undefined) (matches ??= []).push({ coding, match });
  }
  if (matches !== undefined) {
    // a product code is more specific than an ingredient: Enhertu's SCD beats trastuzumab's IN on the same order
    const best = matches.reduce((a, b) => (b.match.specificity > a.match.specificity ? b : a));
    const drug = best.match.drug;
    const same = matches.filter((m) => m.match.drug === drug);
    const hcpcs = same.find((m) => m.match.hcpcs !== undefined)?.match.hcpcs;
    return {
      drug,
      codes: same.map((m) => `${m.coding.system ?? ''}|${m.coding.code ?? ''}`),
      ...(hcpcs !== undefined ? { hcpcs } : {}),
      matchedBy: 'code',
    };
  }
  const byText = drugInText(concept.text, catalog);
  if (byText !== null) return { drug: byText, codes: [], matchedBy: 'name' };
  for (const coding of codings) {
    const drug = drugInText(coding.display, catalog);
    if (drug !== null) return { drug, codes: [], matchedBy: 'name' };
  }
  return { drug: null, codes: [] };
}

function idOf(reference: string): { type?: string; id: string } {
  const parts = reference.replace(/\/_history\/.*$/, '').split('/');
  const id = parts[parts.length - 1] ?? reference;
  const type = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return type !== undefined ? { type, id } : { id };
}

function medicationFromReference(
  reference: Reference,
  contained: MedicationRequest['contained'],
  chart: Pick<GatheredChart, 'medications' | 'draftOrders'>,
): Medication | undefined {
  const ref = reference.reference;
  if (ref === undefined) return undefined;
  if (ref.startsWith('#')) {
    return contained?.find((r): r is Medication => r.resourceType === 'Medication' && r.id === ref.slice(1));
  }
  const { id } = idOf(ref);
  const inChart = chart.medications.find((m) => m.id === id);
  if (inChart !== undefined) return inChart;
  // a Medication may travel inside another draft order of the same bundle
  for (const order of chart.draftOrders) {
    const found = order.contained?.find((r): r is Medication => r.resourceType === 'Medication' && (r.id === id || `urn:uuid:${r.id ?? ''}` === ref));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What names the medication of an order or an administration (both carry these three elements). */
export type MedicationSource = Pick<MedicationRequest, 'medicationCodeableConcept' | 'medicationReference' | 'contained'>;

/** The order's medication as a CodeableConcept: inline, or the code of the Medication it references. */
export function resolveMedicationConcept(
  request: MedicationSource,
  chart: Pick<GatheredChart, 'medications' | 'draftOrders'>,
): CodeableConcept | undefined {
  if (request.medicationCodeableConcept !== undefined) return request.medicationCodeableConcept;
  const reference = request.medicationReference;
  if (reference === undefined) return undefined;
  const medication = medicationFromReference(reference, request.contained, chart);
  if (medication?.code !== undefined) return medication.code;
  // a reference with only a display still names the drug
  return reference.display !== undefined ? { text: reference.display } : undefined;
}

/** Both steps at once: what drug a MedicationRequest orders (or a MedicationAdministration gave). */
export function identifyOrderedDrug(request: MedicationSource, chart: Pick<GatheredChart, 'medications' | 'draftOrders'>, catalog: Catalog): DrugIdentification {
  return identifyDrug(resolveMedicationConcept(request, chart), catalog);
}

/** The drugs a catalog drug is given as: its ingredients for a combination product (Phesgo), else itself. */
export function ingredientsOf(drug: string, catalog: Catalog): string[] {
  return catalog.drugs.get(drug)?.ingredients ?? [drug];
}

export function classesOf(drug: string | null, catalog: Catalog): string[] {
  return drug === null ? [] : (catalog.drugs.get(drug)?.classes ?? []);
}
