/**
 * The demo FHIR server answers the prefetch searches (one patient's resources by type, status, use or code; a
 * PractitionerRole by id with its Practitioner through `_include`) from indexes instead of Medplum's scan of every resource. The
 * answers must be Medplum's: the same searches against a server whose indexes are off (after a write) find the
 * same resources, on the charts of two scenarios of every policy and the demo chart.
 */
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFETCH_TEMPLATES, prefetchTemplates } from '../../src/gather/prefetch-templates.js';
import { observationSearchCodes } from '../../src/facts/index.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { loadDemoData } from '../../scripts/lib/demo-fhir-data.js';
import { startFhirServer, type RunningFhirServer } from '../support/fhir-server.js';

const data = loadDemoData('fhir-resources');
// a few charts of every policy folder, and the demo chart: small enough for Medplum's scan to answer quickly
const bySource = new Map<string, number>();
const picked = data.patients.filter((p) => {
  const group = p.source.split('/')[0] ?? '';
  const n = bySource.get(group) ?? 0;
  bySource.set(group, n + 1);
  return n < 2;
});
const pickedIds = new Set(picked.map((p) => p.patientId));
const touches = (r: FhirResource): boolean => JSON.stringify(r).split('"Patient/').some((part, i) => i > 0 && pickedIds.has(part.slice(0, part.indexOf('"'))))
  || (r.resourceType === 'Patient' && pickedIds.has(r.id ?? ''));
const seed = data.resources.filter((r) => touches(r) || !['Patient', 'Observation', 'Condition', 'MedicationRequest', 'Coverage', 'ClaimResponse'].includes(r.resourceType));

const templates = prefetchTemplates(observationSearchCodes(loadCatalog('catalog').observations));

const seedKeys = new Set(seed.map((r) => `${r.resourceType}/${r.id}`));
/** What each of the templates' `_include`s brings. */
const INCLUDE_TARGETS: Record<string, string> = {
  'Coverage:payor': 'Organization',
  'MedicationRequest:medication': 'Medication',
  'ClaimResponse:request': 'Claim',
  'PractitionerRole:practitioner': 'Practitioner',
};

function keysOf(bundle: Bundle, mode = 'match'): string[] {
  return (bundle.entry ?? []).filter((e) => (e.search?.mode ?? 'match') === mode).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();
}

describe('the demo FHIR server answers prefetch searches from its indexes, as Medplum would', () => {
  let quick: RunningFhirServer;
  let scan: RunningFhirServer;
  beforeAll(async () => {
    quick = await startFhirServer({ resources: seed, answerIncludes: true });
    scan = await startFhirServer({ resources: seed });
    // any write turns the indexes off: from then on Medplum answers every search
    const write = await fetch(`${scan.url}/Basic`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Basic', code: { text: 'x' } }) });
    expect(write.status).toBe(201);
  }, 60_000);
  afterAll(async () => Promise.all([quick?.close(), scan?.close()]));

  it('picks charts of every policy', () => expect(bySource.size).toBeGreaterThanOrEqual(5));

  it.each(picked)('$source: every prefetch search finds what Medplum finds', async ({ patientId }) => {
    const roles = seed.filter((r) => r.resourceType === 'PractitionerRole').map((r) => r.id ?? '');
    const practitioners = seed.filter((r) => r.resourceType === 'Practitioner').map((r) => r.id ?? '');
    const queries = Object.values(templates).map((template) => template
      .replaceAll('{{context.patientId}}', patientId)
      .replace('{{userPractitionerRoleId}}', roles[0] ?? 'none')
      .replace('{{userPractitionerId}}', practitioners[0] ?? 'none'));
    queries.push(PREFETCH_TEMPLATES.observations.replaceAll('{{context.patientId}}', patientId), `Coverage?beneficiary=Patient/${patientId}`);
    let found = 0;
    for (const query of queries) {
      const [a, b] = await Promise.all([quick, scan].map(async (s) => (await fetch(`${s.url}/${query}`)).json() as Promise<Bundle>));
      if (a?.resourceType !== 'Bundle') continue; // a read (Patient/<id>): not a search
      expect(keysOf(a), query).toEqual(keysOf(b as Bundle));
      // Medplum 4.5.2's memory repository ignores _include; the index answers it as HAPI does: every resource of the
      // included type that a match references and the server holds
      const include = /_include=([A-Za-z]+:[a-z][A-Za-z]*)/.exec(query)?.[1];
      const target = include === undefined ? undefined : INCLUDE_TARGETS[include];
      const referenced = new Set((a.entry ?? []).filter((e) => e.search?.mode !== 'include')
        .flatMap((e) => JSON.stringify(e.resource).match(/"reference":"[A-Za-z]+\/[^"]+"/g) ?? [])
        .map((m) => m.slice('"reference":"'.length, -1))
        .filter((ref) => target !== undefined && ref.startsWith(`${target}/`) && seedKeys.has(ref)));
      expect(keysOf(a, 'include'), query).toEqual([...referenced].sort());
      found += (a.entry ?? []).length;
    }
    expect(found).toBeGreaterThan(0);
  });
});
