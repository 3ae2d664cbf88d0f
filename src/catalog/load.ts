/**
 * Reads catalog/*.json once at start-up and builds the look-up Maps, so that
 * every per-request question (which drug is this code, which payer is this
 * name) is a Map hit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AttestationEntry,
  Catalog,
  DiagnosisCodes,
  SpecialtyGroup,
  Regimen,
  DrugCodeMatch,
  DrugEntry,
  LineOfBusinessRule,
  ObservationCodes,
  PayerEntry,
  PhaseEntry,
  TherapyEndReasons,
} from './types.js';
import { HCPCS, NDC, RXNORM, codeKey, normaliseNdc } from './systems.js';
import { normaliseText } from './text.js';

export class CatalogError extends Error {
  constructor(file: string, detail: string) {
    super(`catalog/${file}: ${detail}`);
    this.name = 'CatalogError';
  }
}

function readJson(dir: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    throw new CatalogError(file, error instanceof Error ? error.message : String(error));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CatalogError(file, 'not a JSON object');
  return parsed as Record<string, unknown>;
}

/** The files are ours and reviewed; check the parts whose absence would fail silently later. */
function arrayField<T>(file: string, json: Record<string, unknown>, field: string): T[] {
  const value = json[field];
  if (!Array.isArray(value)) throw new CatalogError(file, `"${field}" must be an array`);
  return value as T[];
}

function objectField<T>(file: string, json: Record<string, unknown>, field: string): T {
  const value = json[field];
  if (typeof value !== 'object' || value === null) throw new CatalogError(file, `"${field}" must be an object`);
  return value as T;
}

/** lineage.precedence names each source once; the immunophenotype block has its panels, markers and interpretation. */
function checkLineage(lineage: Record<string, unknown>): void {
  const file = 'diagnosis-codes.json';
  const sources = arrayField<unknown>(file, lineage, 'precedence');
  const known = ['coded', 'immunophenotype', 'text'];
  if (sources.length !== known.length || !known.every((s) => sources.includes(s))) {
    throw new CatalogError(file, `"lineage.precedence" must list ${known.join(', ')} once each, in order of precedence`);
  }
  const immunophenotype = objectField<Record<string, unknown>>(file, lineage, 'immunophenotype');
  arrayField(file, immunophenotype, 'panels');
  objectField(file, immunophenotype, 'interpretation');
  for (const marker of arrayField<Record<string, unknown>>(file, immunophenotype, 'markers')) {
    if (typeof marker['cd'] !== 'string' || !['b-precursor', 't-cell'].includes(String(marker['lineage'])) || !Array.isArray(marker['loinc'])) {
      throw new CatalogError(file, `"lineage.immunophenotype.markers": ${JSON.stringify(marker['marker'] ?? marker)} needs cd, lineage (b-precursor or t-cell) and loinc`);
    }
    if (marker['compartment'] !== undefined && !['cytoplasmic', 'surface'].includes(String(marker['compartment']))) {
      throw new CatalogError(file, `"lineage.immunophenotype.markers": ${JSON.stringify(marker['marker'])} compartment must be cytoplasmic or surface`);
    }
  }
}

const SPECIFICITY = { product: 3, preciseIngredient: 2, ingredient: 1 } as const;

function indexDrugCodes(drugs: DrugEntry[]): Map<string, DrugCodeMatch> {
  const index = new Map<string, DrugCodeMatch>();
  const add = (system: string, code: string, match: DrugCodeMatch): void => {
    const key = codeKey(system, code);
    const existing = index.get(key);
    if (existing !== undefined && existing.drug !== match.drug) {
      throw new CatalogError('drugs.json', `code ${system}|${code} is listed for both ${existing.drug} and ${match.drug}`);
    }
    index.set(key, match);
  };
  for (const drug of drugs) {
    const rx = drug.rxnorm;
    for (const code of [...(rx.clinical ?? []), ...(rx.branded ?? [])]) add(RXNORM, code, { drug: drug.id, specificity: SPECIFICITY.product });
    for (const code of rx.preciseIngredient ?? []) add(RXNORM, code, { drug: drug.id, specificity: SPECIFICITY.preciseIngredient });
    for (const code of [...(rx.ingredient ?? []), ...(rx.brand ?? [])]) add(RXNORM, code, { drug: drug.id, specificity: SPECIFICITY.ingredient });
    for (const hcpcs of drug.hcpcs ?? []) add(HCPCS, hcpcs.code.toUpperCase(), { drug: drug.id, specificity: SPECIFICITY.product, hcpcs });
    for (const ndc of drug.ndc ?? []) {
      const match = { drug: drug.id, specificity: SPECIFICITY.product };
      if (normaliseNdc(ndc.ndc10) !== ndc.ndc11) throw new CatalogError('drugs.json', `NDC ${ndc.ndc10} does not normalise to ${ndc.ndc11}`);
      add(NDC, ndc.ndc11, match);
      // an unhyphenated 10-digit NDC cannot be padded without knowing its 4-4-2 / 5-3-2 / 5-4-1 layout
      add(NDC, ndc.ndc10.replace(/\D/g, ''), match);
    }
  }
  return index;
}

function indexDrugNames(drugs: DrugEntry[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const drug of drugs) {
    for (const name of [drug.generic, ...drug.brands, ...drug.synonyms]) names.set(normaliseText(name).trim(), drug.id);
  }
  return names;
}

function longestFirst<T>(entries: T[], length: (entry: T) => number): T[] {
  return [...entries].sort((a, b) => length(b) - length(a));
}

export function loadCatalog(dir = 'catalog'): Catalog {
  const drugsJson = readJson(dir, 'drugs.json');
  const drugList = arrayField<DrugEntry>('drugs.json', drugsJson, 'drugs');
  const payersJson = readJson(dir, 'payers.json');
  const payerList = arrayField<PayerEntry>('payers.json', payersJson, 'payers');
  const payerSystem = payersJson['system'];
  if (typeof payerSystem !== 'string') throw new CatalogError('payers.json', '"system" must be a string');
  const linesJson = readJson(dir, 'lines-of-business.json');
  const attestationsJson = readJson(dir, 'attestations.json');
  const observationsJson = readJson(dir, 'observation-codes.json');
  const diagnosesJson = readJson(dir, 'diagnosis-codes.json');
  const specialtiesJson = readJson(dir, 'specialties.json');
  const regimensJson = readJson(dir, 'regimens.json');
  const endReasonsJson = readJson(dir, 'therapy-end-reasons.json');

  const drugs = new Map(drugList.map((drug) => [drug.id, drug]));
  for (const drug of drugList) {
    for (const ingredient of drug.ingredients ?? []) {
      const entry = drugs.get(ingredient);
      if (entry === undefined || entry.ingredients !== undefined) throw new CatalogError('drugs.json', `${drug.id}: ingredient ${ingredient} is not a single drug of the catalog`);
    }
  }
  const drugByName = indexDrugNames(drugList);
  const payerByIdentifier = new Map<string, string>();
  for (const payer of payerList) {
    payerByIdentifier.set(codeKey(payerSystem, payer.id), payer.id);
    for (const identifier of payer.identifiers) payerByIdentifier.set(codeKey(identifier.system, identifier.value), payer.id);
  }
  const aliases = payerList.flatMap((payer) =>
    [payer.name, ...payer.aliases].map((alias) => ({ alias: normaliseText(alias).trim(), payer: payer.id })),
  );
  objectField<DiagnosisCodes['metastatic']>('diagnosis-codes.json', diagnosesJson, 'metastatic');
  for (const key of ['nodal', 'leukaemiaState', 'lineage', 'diseases'] as const) objectField('diagnosis-codes.json', diagnosesJson, key);
  checkLineage(objectField<Record<string, unknown>>('diagnosis-codes.json', diagnosesJson, 'lineage'));
  const diagnoses = diagnosesJson as unknown as DiagnosisCodes;

  return {
    drugs,
    payers: new Map(payerList.map((payer) => [payer.id, payer])),
    payerSystem,
    drugByCode: indexDrugCodes(drugList),
    drugByName,
    drugNamesLongestFirst: longestFirst(
      [...drugByName].map(([name, drug]) => ({ name, drug })),
      (entry) => entry.name.length,
    ),
    payerByIdentifier,
    payerAliasesLongestFirst: longestFirst(aliases, (entry) => entry.alias.length),
    linesOfBusiness: arrayField<LineOfBusinessRule>('lines-of-business.json', linesJson, 'rules'),
    attestations: arrayField<AttestationEntry>('attestations.json', attestationsJson, 'attestations'),
    negations: new Set(arrayField<string>('attestations.json', attestationsJson, 'negations')),
    phases: arrayField<PhaseEntry>('attestations.json', attestationsJson, 'phases'),
    observations: {
      systems: objectField<ObservationCodes['systems']>('observation-codes.json', observationsJson, 'systems'),
      facts: objectField<ObservationCodes['facts']>('observation-codes.json', observationsJson, 'facts'),
      values: objectField<ObservationCodes['values']>('observation-codes.json', observationsJson, 'values'),
      pdl1: objectField<ObservationCodes['pdl1']>('observation-codes.json', observationsJson, 'pdl1'),
      labUnits: objectField<ObservationCodes['labUnits']>('observation-codes.json', observationsJson, 'labUnits'),
      responseCategories: objectField<ObservationCodes['responseCategories']>('observation-codes.json', observationsJson, 'responseCategories'),
    },
    diagnoses,
    specialtyGroups: arrayField<SpecialtyGroup>('specialties.json', specialtiesJson, 'groups'),
    regimens: arrayField<Regimen>('regimens.json', regimensJson, 'regimens'),
    inRelapse: new RegExp(diagnoses.inRelapsePattern),
    leukaemiaStatePattern: new RegExp(diagnoses.leukaemiaState.icd10Pattern),
    therapyEndReasons: therapyEndReasonsOf(endReasonsJson),
  };
}

function therapyEndReasonsOf(json: Record<string, unknown>): TherapyEndReasons {
  const file = 'therapy-end-reasons.json';
  const system = json['statusReasonSystem'];
  if (typeof system !== 'string') throw new CatalogError(file, '"statusReasonSystem" must be a string');
  const reasons = arrayField<TherapyEndReasons['reasons'][number]>(file, json, 'reasons');
  for (const r of reasons) {
    if (r.reason !== 'intolerance' && r.reason !== 'completion') throw new CatalogError(file, `unknown reason "${String(r.reason)}" (intolerance or completion)`);
    if (!Array.isArray(r.codes) || !Array.isArray(r.phrases)) throw new CatalogError(file, `"${r.reason}" needs "codes" and "phrases" arrays`);
  }
  return { statusReasonSystem: system, reasons };
}
