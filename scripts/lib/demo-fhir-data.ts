/**
 * What `npm run demo:fhir` serves: the demo chart(s) in `fhir-resources/demo/` as they are, and the chart of every
 * scenario in `fhir-resources/scenarios/` (its prefetch, plus the non-draft resources shipped with its draft
 * orders). Scenarios reuse ids (most breast-cancer scenarios have a `Patient/pat-bc-1` with different data), so
 * each scenario's resources get their own ids: `s<8 hex of the scenario path>-<original id>`, with the references
 * between them rewritten to match. Each scenario Patient also carries the identifier
 * `urn:oncology-pa:scenario|<group>/<name>`, so `Patient?identifier=urn:oncology-pa:scenario|<group>/<name>`
 * finds it, and the Patient is named for its scenario (given `<name>`, family `<group>`), so a patient picker
 * (the CDS Hooks sandbox's) says which chart each one is rather than the fixtures' shared placeholder name.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, FhirResource, HumanName, Identifier } from 'fhir/r4.js';
import { jsonFilesUnder, resourcesOf } from '../../test/support/fhir-server.js';
import { listScenarios } from '../../src/web/scenarios.js';

export const SCENARIO_IDENTIFIER_SYSTEM = 'urn:oncology-pa:scenario';

export interface DemoPatient {
  /** `<group>/<name>`, or `demo/<file>` for the demo charts */
  source: string;
  patientId: string;
}

export interface DemoData {
  resources: FhirResource[];
  patients: DemoPatient[];
}

/** The id prefix of one scenario: stable across runs and machines, short enough for FHIR's 64-character ids. */
export function scenarioPrefix(path: string): string {
  return `s${createHash('sha256').update(path).digest('hex').slice(0, 8)}-`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A copy of `value` where every `reference` to one of `ids` (`Type/id`) points at the renamed resource. */
function renameReferences(value: Json, ids: ReadonlySet<string>, prefix: string): Json {
  if (Array.isArray(value)) return value.map((v) => renameReferences(v, ids, prefix));
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'reference' && typeof v === 'string' && ids.has(v)) {
      const slash = v.indexOf('/');
      out[key] = `${v.slice(0, slash)}/${prefix}${v.slice(slash + 1)}`;
    } else {
      out[key] = renameReferences(v, ids, prefix);
    }
  }
  return out;
}

/** `bsc-ixabepilone/dose-90-mg-over` → given `dose-90-mg-over`, family `bsc-ixabepilone`, text the path. */
export function scenarioName(path: string): HumanName[] {
  const slash = path.indexOf('/');
  return [{ use: 'official', text: path, family: path.slice(0, slash), given: [path.slice(slash + 1)] }];
}

/** One scenario's chart under its own ids. */
export function namespacedChart(resources: readonly FhirResource[], path: string): FhirResource[] {
  const prefix = scenarioPrefix(path);
  const ids = new Set(resources.filter((r) => r.id !== undefined).map((r) => `${r.resourceType}/${r.id ?? ''}`));
  return resources.map((resource) => {
    const renamed = renameReferences(resource as unknown as Json, ids, prefix) as unknown as FhirResource;
    if (renamed.id !== undefined) renamed.id = `${prefix}${renamed.id}`;
    if (renamed.resourceType === 'Patient') {
      const tag: Identifier = { system: SCENARIO_IDENTIFIER_SYSTEM, value: path };
      renamed.identifier = [...(renamed.identifier ?? []), tag];
      renamed.name = scenarioName(path);
    }
    return renamed;
  });
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** Everything the demo server holds, and which patient belongs to which chart. */
export function loadDemoData(root = 'fhir-resources'): DemoData {
  const resources: FhirResource[] = [];
  const patients: DemoPatient[] = [];
  const demoDir = join(root, 'demo');
  if (existsSync(demoDir)) {
    for (const file of jsonFilesUnder(demoDir)) {
      const chart = resourcesOf(readJson(file));
      resources.push(...chart);
      for (const p of chart) if (p.resourceType === 'Patient' && p.id) patients.push({ source: `demo/${file.slice(demoDir.length + 1)}`, patientId: p.id });
    }
  }
  const scenariosDir = join(root, 'scenarios');
  for (const scenario of listScenarios(scenariosDir)) {
    const chart = namespacedChart(resourcesOf(readJson(join(scenariosDir, `${scenario.path}.json`))), scenario.path);
    resources.push(...chart);
    for (const p of chart) if (p.resourceType === 'Patient' && p.id) patients.push({ source: scenario.path, patientId: p.id });
  }
  return { resources, patients };
}

/** A transaction Bundle (PUT each resource under its id) for loading a chart into any FHIR R4 server. */
export function transactionOf(chart: Bundle, id: string): Bundle {
  return {
    resourceType: 'Bundle',
    id,
    type: 'transaction',
    entry: (chart.entry ?? []).flatMap((e) => {
      const r = e.resource;
      if (!r?.id) return [];
      // No fullUrl: optional for PUT entries, and the references between them are already `Type/id`.
      return [{ resource: r, request: { method: 'PUT' as const, url: `${r.resourceType}/${r.id}` } }];
    }),
  };
}
