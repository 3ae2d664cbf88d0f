/**
 * Scenarios of issue 15 (reading the disease: SNOMED and immunophenotype lineage, SNOMED remission, the member's
 * plan without a policy, the unrounded Mosteller BSA), each derived from a shipped scenario: the base request is
 * read, the chart is changed where the scenario says, and the result is written beside it with its expectation.
 *
 *   npx tsx fhir-resources/scenarios/_build/disease.ts
 *
 * Deriving keeps the other generators untouched; the base files are themselves generated and committed, so the
 * output is deterministic. Synthetic data only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, CodeableConcept, Condition, Coverage, FhirResource, MedicationRequest, Observation, Quantity } from 'fhir/r4.js';
import { LOINC, SCENARIOS_DIR, SNOMED, UCUM, writeScenarios, type ScenarioFile } from './common.js';

interface HookRequestFile {
  hookInstance: string;
  context: { draftOrders: Bundle };
  prefetch: Record<string, Bundle | FhirResource | null>;
}

interface Expect {
  description: string;
  covered?: 'covered' | 'not-covered' | 'conditional';
  paNeeded?: 'auth-needed' | 'satisfied' | 'no-auth';
  skipped?: 'no-policy-for-plan';
  cards: string[];
  criteria?: Record<string, 'met' | 'not-met' | 'not-documented'>;
  suggestedDose?: { value: number; unit: 'mg' | 'ug' };
}

function base(policy: string, name: string): HookRequestFile {
  return JSON.parse(readFileSync(join(SCENARIOS_DIR, policy, `${name}.json`), 'utf8')) as HookRequestFile;
}

function bundle(request: HookRequestFile, key: string): Bundle {
  const found = request.prefetch[key];
  if (found === null || found === undefined || found.resourceType !== 'Bundle') throw new Error(`prefetch.${key} is not a Bundle`);
  return found;
}

function resources<T extends FhirResource>(request: HookRequestFile, key: string, type: T['resourceType']): T[] {
  return (bundle(request, key).entry ?? []).flatMap((e) => (e.resource?.resourceType === type ? [e.resource as T] : []));
}

function addObservations(request: HookRequestFile, observations: Observation[]): void {
  const b = bundle(request, 'observations');
  b.entry = [...(b.entry ?? []), ...observations.map((resource) => ({ fullUrl: `urn:uuid:${request.hookInstance.slice(0, 24)}${resource.id ?? ''}`, resource }))];
  if (b.total !== undefined) b.total = b.entry.length;
}

function replaceObservation(request: HookRequestFile, id: string, value: Quantity): void {
  const found = resources<Observation>(request, 'observations', 'Observation').find((o) => o.id === id);
  if (found === undefined) throw new Error(`no Observation/${id}`);
  found.valueQuantity = value;
}

function draft(request: HookRequestFile): MedicationRequest {
  const order = request.context.draftOrders.entry?.[0]?.resource;
  if (order?.resourceType !== 'MedicationRequest') throw new Error('no draft MedicationRequest');
  return order as MedicationRequest;
}

function uniqueInstance(request: HookRequestFile, name: string): void {
  // a scenario's hookInstance is its own (derived from its name, as the other generators do)
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  request.hookInstance = `d15e${h.toString(16).padStart(8, '0')}-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
}

const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] };
const POSITIVE: CodeableConcept = { coding: [{ system: LOINC, code: 'LA6576-8', display: 'Positive' }, { system: SNOMED, code: '10828004', display: 'Positive' }], text: 'Positive' };
const NEGATIVE: CodeableConcept = { coding: [{ system: LOINC, code: 'LA6577-6', display: 'Negative' }, { system: SNOMED, code: '260385009', display: 'Negative' }], text: 'Negative' };

function lab(patient: string, id: string, code: string, display: string, date: string, value: Partial<Observation>): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [LAB],
    code: { coding: [{ system: LOINC, code, display }], text: display },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: date,
    ...value,
  };
}

function patientOf(request: HookRequestFile): string {
  const patient = request.prefetch['patient'];
  if (patient === null || patient === undefined || patient.resourceType !== 'Patient' || patient.id === undefined) throw new Error('no prefetched Patient');
  return patient.id;
}

/** The diagnosis Condition the order points at. */
function diagnosis(request: HookRequestFile): Condition {
  const reason = draft(request).reasonReference?.[0]?.reference?.replace(/^Condition\//, '');
  const found = resources<Condition>(request, 'conditions', 'Condition').find((c) => c.id === reason);
  if (found === undefined) throw new Error('no reason Condition');
  return found;
}

const scenarios: ScenarioFile[] = [];

function derive(policy: string, from: string, name: string, change: (request: HookRequestFile) => void, expect: Expect): void {
  const request = base(policy, from);
  uniqueInstance(request, `${policy}/${name}`);
  change(request);
  scenarios.push({ policy, name, request, expect });
}

// ------------------------------------------------------------------ Mosteller BSA at a limit

derive('bsc-ixabepilone', 'bsa-computed-kg-cm', 'bsa-computed-1-7995-shown-1-80-72-mg-over', (r) => {
  // 170 cm × 68.57 kg: Mosteller √(11656.9 / 3600) = 1.79945 m², shown "1.80 m²"; 40 mg/m² allows 71.98 mg
  replaceObservation(r, 'obs-weight', { value: 68.57, unit: 'kg', system: UCUM, code: 'kg' });
  replaceObservation(r, 'obs-height', { value: 170, unit: 'cm', system: UCUM, code: 'cm' });
}, {
  description: '000 §2 Covered Doses (Mosteller unrounded): 170 cm and 68.57 kg give 1.79945 m² (shown 1.80 m²); 72 mg is over 40 mg/m² × 1.79945 = 71.98 mg, though it equals 40 × 1.80: dose card, covered maximum 71.9 mg (Ixempra is rounded down to 0.1 mg)',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info', 'limits'],
  suggestedDose: { value: 71.9, unit: 'mg' },
});

export { addObservations, diagnosis, lab, patientOf, POSITIVE, NEGATIVE, resources };
export type { Coverage };

writeScenarios(scenarios);
