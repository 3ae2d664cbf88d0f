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
import type { CodeableConcept, Condition, MedicationRequest, Observation, Quantity } from 'fhir/r4.js';
import { LOINC, SNOMED, UCUM, loadScenario, prefetchBundle, prefetchResources, writeScenarios, type ScenarioFile, type ScenarioRequest } from './common.js';

type HookRequestFile = ScenarioRequest;

interface Expect {
  description: string;
  covered?: 'covered' | 'not-covered' | 'conditional';
  paNeeded?: 'auth-needed' | 'satisfied' | 'no-auth';
  skipped?: 'no-policy-for-plan';
  cards: string[];
  criteria?: Record<string, 'met' | 'not-met' | 'not-documented'>;
  suggestedDose?: { value: number; unit: 'mg' | 'ug' };
}

const base = loadScenario;
const bundle = prefetchBundle;
const resources = prefetchResources;

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

// ------------------------------------------------------------------ ALL lineage: immunophenotype and SNOMED CT

/** The bone-marrow flow cytometry of the diagnosis, as a narrative panel (LOINC 101119-6, as mCODE's example). */
function flowPanel(r: HookRequestFile, text: string): Observation {
  return lab(patientOf(r), 'obs-flow-dx', '101119-6', 'Leukemia and lymphoma immunophenotyping', '2026-02-09', { valueString: text });
}
const T_PHENOTYPE = 'Blasts positive for cCD3, CD7, CD5, TdT and CD34; negative for CD19, CD79a and CD22';

derive('bsc-blinatumomab', '1c-i-rr-single-agent-c1-days-1-7', 'lineage-immunophenotype-t-cell-not-covered', (r) => {
  addObservations(r, [
    flowPanel(r, T_PHENOTYPE),
    lab(patientOf(r), 'obs-ccd3-blasts', '51137-8', 'Cytoplasmic CD3 blasts/Blasts in Bone marrow', '2026-02-09', { valueQuantity: { value: 87, unit: '%', system: UCUM, code: '%' } }),
  ]);
}, {
  description: '004 (reading: lineage; immunophenotype): relapsed ALL coded C91.02 with no lineage in the diagnosis; the diagnostic flow cytometry shows cytoplasmic CD3 on 87% of blasts and CD19, CD79a, CD22 negative: T-lineage ALL, blinatumomab (CD19) not covered',
  covered: 'not-covered',
  cards: ['off-guideline'],
  criteria: { 'bsc-blin-1c-dx': 'met', 'bsc-blin-1c-lineage': 'not-met', 'bsc-blin-1c-all': 'not-met' },
});

derive('bsc-blinatumomab', '1c-i-rr-single-agent-c1-days-1-7', 'lineage-immunophenotype-b-precursor-covered', (r) => {
  addObservations(r, [
    flowPanel(r, 'positive for CD10, CD79a, TdT, CD19, and CD20; negative for cCD3 and CD7'),
    lab(patientOf(r), 'obs-cd79a', '52993-3', 'Cytoplasmic CD79a cells/Cells in Bone marrow', '2026-02-09', { valueCodeableConcept: POSITIVE }),
  ]);
}, {
  description: '004 1.c.i (immunophenotype): relapsed ALL (C91.02) whose diagnostic flow cytometry reads CD19 and CD79a positive, cytoplasmic CD3 and CD7 negative: B-cell precursor ALL documented (not only accepted by the reading): covered',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info'],
  criteria: { 'bsc-blin-1c-lineage': 'met', 'bsc-blin-1c-all': 'met' },
});

derive('bsc-blinatumomab', '1c-i-rr-single-agent-c1-days-1-7', 'lineage-immunophenotype-mixed-phenotype-reading', (r) => {
  addObservations(r, [flowPanel(r, 'CD19+, CD79a+, CD10+, cCD3+ (bright), CD7-')]);
}, {
  description: '004 1.c.i (reading: lineage): relapsed ALL (C91.02) whose flow cytometry shows CD19 and cytoplasmic CD3 both positive (mixed phenotype): lineage not settled, so the policy\'s own C91.0- list is accepted as for unstated lineage (the fact says why): covered',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info'],
  criteria: { 'bsc-blin-1c-lineage': 'met', 'bsc-blin-1c-all': 'met' },
});

derive('bsc-blinatumomab', 'phase-inferred-maintenance-from-remission-and-pomp', 'state-snomed-remission-phase-inferred-maintenance', (r) => {
  // the diagnosis as first coded (not in remission); remission recorded later as a SNOMED CT-coded problem
  const dx = diagnosis(r);
  dx.code = { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C91.00', display: 'Acute lymphoblastic leukemia not having achieved remission' }], text: 'Acute lymphoblastic leukemia' };
  dx.clinicalStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };
  const remission: Condition = {
    resourceType: 'Condition',
    id: 'dx-all-remission',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    // coded only (no display, no text): the state must come from the SNOMED CT concept, not from words
    code: { coding: [{ system: SNOMED, code: '91856007' }] },
    subject: { reference: `Patient/${patientOf(r)}` },
    onsetDateTime: '2026-04-02',
    recordedDate: '2026-04-02',
  };
  const conditions = bundle(r, 'conditions');
  conditions.entry = [...(conditions.entry ?? []), { fullUrl: `urn:uuid:${r.hookInstance.slice(0, 24)}dx-all-remission`, resource: remission }];
}, {
  description: '004 1.b (leukaemia state from SNOMED CT): ALL first coded C91.00, then recorded in remission as SNOMED CT 91856007 (no ICD-10-CM remission character); POMP drugs active, cycle 4, no phase stated: the newest diagnosis says remission, phase inferred as maintenance: covered',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info'],
  criteria: { 'bsc-blin-1b-phase': 'met', 'bsc-blin-1b-all': 'met', 'bsc-blin-1a-phase': 'not-met' },
});

derive('bcbsnc-inotuzumab', 'rr-ball-relapse-in-chart', 'lineage-immunophenotype-t-cell-conditional-on-2', (r) => {
  addObservations(r, [flowPanel(r, T_PHENOTYPE)]);
}, {
  description: '003 ¶1 (reading: lineage; immunophenotype): relapsed ALL (C91.02) whose flow cytometry reads cytoplasmic CD3 positive, CD19/CD79a/CD22 negative: T-lineage, inotuzumab (CD22) ¶1 not met; no FDA-label or compendia statement for ¶2: conditional',
  covered: 'conditional',
  paNeeded: 'no-auth',
  cards: ['missing-data'],
  criteria: { 'bcbsnc-ino-1-lineage': 'not-met', 'bcbsnc-ino-1-all': 'not-met' },
});

derive('bcbsnc-inotuzumab', 'rr-ball-relapse-in-chart', 'lineage-snomed-b-all-over-t-cell-flow', (r) => {
  // the diagnosis coded in SNOMED CT as B-cell ALL beside its ICD-10-CM code; an old outside flow report reads T
  diagnosis(r).code?.coding?.push({ system: SNOMED, code: '277571004', display: 'B-cell acute lymphoblastic leukemia' });
  addObservations(r, [flowPanel(r, 'cCD3 positive, CD7 positive')]);
}, {
  description: '003 ¶1 (lineage precedence): the diagnosis is coded SNOMED CT 277571004 B-cell ALL beside C91.02; a flow report reads cytoplasmic CD3 positive: the coded diagnosis outranks the immunophenotype (the evidence names the disagreement): B-cell precursor, covered',
  covered: 'covered',
  paNeeded: 'no-auth',
  cards: [],
  criteria: { 'bcbsnc-ino-1-lineage': 'met', 'bcbsnc-ino-1-all': 'met' },
});

// ------------------------------------------------------------------ lineage audit (issue 15 probes)

derive('bsc-blinatumomab', '1c-i-rr-single-agent-c1-days-1-7', 'lineage-flow-surface-cd3-negative-t-cell-not-covered', (r) => {
  // T-ALL blasts are typically surface CD3 negative and cytoplasmic CD3 positive; no CD7 reported
  addObservations(r, [flowPanel(r, 'Blasts: TdT+, CD34+, CD1a+, sCD3-, cyCD3+, CD5+, CD19-, CD79a-')]);
}, {
  description: '004 (reading: lineage; immunophenotype): relapsed ALL (C91.02) whose flow reads surface CD3 negative and cytoplasmic CD3 positive, CD19 and CD79a negative: T-lineage (sCD3- is not a cytoplasmic CD3 result; it was once read as one, leaving lineage open and blinatumomab covered): not covered',
  covered: 'not-covered',
  cards: ['off-guideline'],
  criteria: { 'bsc-blin-1c-dx': 'met', 'bsc-blin-1c-lineage': 'not-met', 'bsc-blin-1c-all': 'not-met' },
});

derive('bsc-blinatumomab', '1c-i-rr-single-agent-c1-days-1-7', 'lineage-flow-b-precursor-aberrant-cd7-covered', (r) => {
  addObservations(r, [flowPanel(r, 'cCD3-negative, CD7 positive (aberrant), CD19 positive, CD22 dim, CD10 positive, TdT positive')]);
}, {
  description: '004 1.c.i (immunophenotype): relapsed B-ALL with aberrant CD7 (cytoplasmic CD3 negative, CD19 positive, CD22 dim): CD7 is only T-associated, so B-cell precursor: covered',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info'],
  criteria: { 'bsc-blin-1c-lineage': 'met', 'bsc-blin-1c-all': 'met' },
});

derive('bsc-blinatumomab', '1c-i-rr-single-agent-c1-days-1-7', 'lineage-icd-o-3-98373-t-cell-not-covered', (r) => {
  // a registry-style ICD-O-3 morphology without the slash beside the ICD-10-CM code
  diagnosis(r).code?.coding?.push({ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '98373' });
}, {
  description: '004 (reading: lineage; coded): relapsed ALL coded C91.02 with ICD-O-3 morphology 98373 (9837/3 T-lymphoblastic leukaemia/lymphoma written without the slash, no display): T-lineage, not covered (once read as no lineage, and covered)',
  covered: 'not-covered',
  cards: ['off-guideline'],
  criteria: { 'bsc-blin-1c-lineage': 'not-met', 'bsc-blin-1c-all': 'not-met' },
});

derive('bsc-blinatumomab', '1c-i-rr-single-agent-c1-days-1-7', 'lineage-icd-o-3-9819-bcr-abl1-like-covered', (r) => {
  // coded only (no display): the lineage must come from the morphology code, not from words
  diagnosis(r).code?.coding?.push({ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '9819/3' });
}, {
  description: '004 1.c.i (coded lineage): relapsed ALL (C91.02) with ICD-O-3.2 morphology 9819/3 (B-lymphoblastic leukaemia/lymphoma, BCR-ABL1-like, WHO 2016): B-cell precursor documented (once not read: lineage left to the policy reading): covered',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info'],
  criteria: { 'bsc-blin-1c-lineage': 'met', 'bsc-blin-1c-all': 'met' },
});

// ------------------------------------------------------------------ leukaemia state audit (issue 15 probes)

const CLINICAL_STATUS = 'http://terminology.hl7.org/CodeSystem/condition-clinical';

derive('bsc-blinatumomab', 'phase-inferred-consolidation-cycle-from-history', 'state-c91-00-clinical-status-remission-phase-inferred-consolidation', (r) => {
  // coded at diagnosis as C91.00 (also ALL NOS) and never recoded; the problem's status was set to remission
  const dx = diagnosis(r);
  dx.code = { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C91.00', display: 'Acute lymphoblastic leukemia not having achieved remission' }], text: 'B-cell acute lymphoblastic leukemia' };
  dx.clinicalStatus = { coding: [{ system: CLINICAL_STATUS, code: 'remission' }] };
}, {
  description: '004 1.a (leukaemia state): ALL coded C91.00 at diagnosis (the code of ALL NOS too) with clinicalStatus remission, after hyper-CVAD, no POMP, no phase stated: remission outranks the 0 character, phase inferred as consolidation: covered (once read "not in remission after therapy", so refractory, and 1.c was checked instead)',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info'],
  criteria: { 'bsc-blin-1a-phase': 'met', 'bsc-blin-1c-phase': 'not-met', 'bsc-blin-1a-i': 'met' },
});

derive('bsc-blinatumomab', 'phase-inferred-consolidation-cycle-from-history', 'state-remission-then-progression-phase-inferred-relapsed', (r) => {
  // the problem list still says C91.01; the latest disease-status assessment (mCODE CancerDiseaseStatus) is progression
  addObservations(r, [
    lab(patientOf(r), 'obs-status-cr', '97509-4', 'Cancer disease progression', '2026-05-20', { valueCodeableConcept: { coding: [{ system: SNOMED, code: '103338009', display: 'In full remission (qualifier value)' }] } }),
    lab(patientOf(r), 'obs-status-pd', '97509-4', 'Cancer disease progression', '2026-11-18', { valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA28370-7', display: 'Progressive disease' }], text: 'Bone marrow relapse, 34% blasts' } }),
  ]);
}, {
  description: '004 (leukaemia state from the response history): ALL coded C91.01 in remission (2026-02), CR confirmed 2026-05, progressive disease (LOINC LA28370-7) 2026-11-18; no phase stated: the later progression is a relapse, phase inferred as relapsed/refractory (once consolidation): 1.c covered, and the 28 ug/d order is over the cycle 1 days 1-7 step dose: suggest 9 ug/d',
  covered: 'covered',
  paNeeded: 'auth-needed',
  cards: ['coverage-info', 'limits'],
  suggestedDose: { value: 9, unit: 'ug' },
  criteria: { 'bsc-blin-1a-phase': 'not-met', 'bsc-blin-1c-phase': 'met' },
});

derive('bsc-blinatumomab', 'phase-inferred-consolidation-cycle-from-history', 'state-c91-01-clinical-status-relapse-phase-open', (r) => {
  diagnosis(r).clinicalStatus = { coding: [{ system: CLINICAL_STATUS, code: 'relapse' }] };
}, {
  description: '004 (leukaemia state, disagreement): ALL coded C91.01 "in remission" whose clinicalStatus says relapse, no phase stated: the chart does not settle remission or relapse; consolidation (1.a) and relapsed/refractory (1.c) are both possible, and the answer waits for the phase (once read as remission on the ICD character alone, consolidation inferred and covered)',
  covered: 'conditional',
  paNeeded: 'auth-needed',
  cards: ['coverage-info'],
});

writeScenarios(scenarios);
