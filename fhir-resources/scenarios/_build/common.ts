/**
 * What the scenario generators share: code systems and extension URLs, small FHIR value builders, and the writer
 * that turns scenarios into `<policy>/<name>.json` + `<name>.expect.json`. Each generator keeps its own charts,
 * ids and fullUrl style (the fixtures they produce stay byte-for-byte as they are).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, BundleEntry, FhirResource, MedicationAdministration, MedicationRequest, Quantity } from 'fhir/r4.js';

/** fhir-resources/scenarios */
export const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
export const NDC = 'http://hl7.org/fhir/sid/ndc';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';
export const NUCC = 'http://nucc.org/provider-taxonomy';
export const HGNC = 'http://www.genenames.org';
export const PAYER = 'urn:oncology-pa:payer';
export const SOPT = 'https://nahdo.org/sopt';
export const OBS_CAT = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const EXT_PHASE = 'http://oncology-pa.example.org/fhir/StructureDefinition/treatment-phase';
export const EXT_CYCLE = 'http://oncology-pa.example.org/fhir/StructureDefinition/treatment-cycle';
export const EXT_CYCLE_DAY = 'http://oncology-pa.example.org/fhir/StructureDefinition/treatment-cycle-day';

export function ucum(value: number, unit: string, code = unit): Quantity {
  return { value, unit, system: UCUM, code };
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export interface ScenarioFile {
  /** policy id: the folder under fhir-resources/scenarios */
  policy: string;
  name: string;
  request: unknown;
  expect: unknown;
}

/** Writes each scenario and its expectation; a name used twice in one policy is an error, not an overwrite. */
export function writeScenarios(files: Iterable<ScenarioFile>): number {
  const seen = new Set<string>();
  for (const file of files) {
    const key = `${file.policy}/${file.name}`;
    if (seen.has(key)) throw new Error(`duplicate scenario ${key}`);
    seen.add(key);
    const dir = join(SCENARIOS_DIR, file.policy);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${file.name}.json`), `${JSON.stringify(file.request, null, 2)}\n`);
    writeFileSync(join(dir, `${file.name}.expect.json`), `${JSON.stringify(file.expect, null, 2)}\n`);
  }
  return seen.size;
}

/** A committed scenario's hook request, as the generators that derive new scenarios from shipped ones read it. */
export interface ScenarioRequest {
  hookInstance: string;
  context: { draftOrders: Bundle };
  prefetch: Record<string, Bundle | FhirResource | null>;
}

/** `<policy>/<name>.json` as committed. */
export function loadScenario(policy: string, name: string): ScenarioRequest {
  return JSON.parse(readFileSync(join(SCENARIOS_DIR, policy, `${name}.json`), 'utf8')) as ScenarioRequest;
}

/** A stable, UUID-shaped hookInstance per generator and scenario name. */
export function stableHookInstance(generator: string, name: string): string {
  const h = createHash('sha256').update(`${generator}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A prefetch value that must be a Bundle (the generator's base scenario has it). */
export function prefetchBundle(request: ScenarioRequest, key: string): Bundle {
  const value = request.prefetch[key];
  if (value === null || value === undefined || value.resourceType !== 'Bundle') throw new Error(`prefetch.${key} is not a Bundle`);
  return value;
}

/** The resources of one type in a prefetched Bundle. */
export function prefetchResources<T extends FhirResource>(request: ScenarioRequest, key: string, type: T['resourceType']): T[] {
  return (prefetchBundle(request, key).entry ?? []).flatMap((e) => (e.resource?.resourceType === type ? [e.resource as T] : []));
}

/**
 * A scenario derived from a shipped one: a deep copy with its own hookInstance (from `generator` and `name`) and
 * scenario-order identifier, then `change` applied.
 */
export function deriveScenario(generator: string, policy: string, base: string, name: string, change: (r: ScenarioRequest) => void): ScenarioRequest {
  const request = structuredClone(loadScenario(policy, base));
  request.hookInstance = stableHookInstance(generator, name);
  for (const entry of request.context.draftOrders.entry ?? []) {
    const order = entry.resource as MedicationRequest | undefined;
    for (const id of order?.identifier ?? []) if (id.system === 'urn:oncology-pa:scenario-order') id.value = name;
  }
  change(request);
  return request;
}

/** The server base of a prefetched Bundle's fullUrls (its first entry's), else the fixtures' default. */
export function prefetchBase(request: ScenarioRequest, key: string): string {
  return prefetchBundle(request, key).entry?.[0]?.fullUrl?.replace(/\/[A-Za-z]+\/[^/]+$/, '') ?? 'http://localhost:8080/fhir';
}

/** Replaces a prefetched Bundle's entries with `resources`, as search matches under the same server base. */
export function setPrefetchResources(request: ScenarioRequest, key: string, resources: FhirResource[]): void {
  const base = prefetchBase(request, key);
  prefetchBundle(request, key).entry = resources.map((resource): BundleEntry => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode: 'match' } }));
}

/** A `medicationAdministrations` prefetch value: the administrations as search matches under `base`. */
export function administrationsBundle(given: MedicationAdministration[], base = 'http://localhost:8080/fhir'): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', entry: given.map((resource) => ({ fullUrl: `${base}/MedicationAdministration/${resource.id ?? ''}`, resource, search: { mode: 'match' } })) };
}
