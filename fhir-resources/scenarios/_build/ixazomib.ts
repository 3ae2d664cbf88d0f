/**
 * Builds the scenario fixtures for policy 002, centene-ixazomib (Centene CP.PHAR.302, ixazomib / Ninlaro): one
 * complete CDS Hooks 2.0 order-sign request per scenario (with prefetch) and its `.expect.json`.
 *
 *   npx tsx fhir-resources/scenarios/_build/ixazomib.ts
 *
 * Every scenario is the base chart plus overrides. The service date is 2026-12-01 (boundsPeriod.start of the
 * ixazomib order). Output is deterministic (uuids derive from the scenario name). Synthetic data only.
 */
import { createHash } from 'node:crypto';
import { ICD10, LOINC, NDC, NUCC, OBS_CAT, PAYER, RXNORM, SNOMED, SOPT, UCUM, slug, writeScenarios } from './common.js';
import type { ClaimResponse, Condition, Coverage, Medication, MedicationRequest, Observation, Patient, PractitionerRole } from 'fhir/r4.js';


const PATIENT_ID = 'pat-mm-1';
const ROLE_ID = 'pr-heme-1';
const SERVICE_DATE = '2026-12-01';

// ------------------------------------------------------------------ drugs (RxNorm SCDs, shared/conventions)

interface DrugRef {
  code: string;
  display: string;
}
const D = {
  ixazomib4: { code: '1723770', display: 'ixazomib 4 MG Oral Capsule' },
  lenalidomide10: { code: '602910', display: 'lenalidomide 10 MG Oral Capsule' },
  lenalidomide25: { code: '643720', display: 'lenalidomide 25 MG Oral Capsule' },
  dexamethasone20: { code: '2261802', display: 'dexamethasone 20 MG Oral Tablet' },
  cyclophosphamide50: { code: '1437969', display: 'cyclophosphamide 50 MG Oral Capsule' },
  pomalidomide4: { code: '1369734', display: 'pomalidomide 4 MG Oral Capsule' },
  thalidomide100: { code: '360176', display: 'thalidomide 100 MG Oral Capsule' },
  venetoclax100: { code: '1747561', display: 'venetoclax 100 MG Oral Tablet' },
  rituximab: { code: '1657867', display: '50 ML rituximab 10 MG/ML Injection' },
  bortezomib: { code: '402243', display: 'bortezomib 3.5 MG Injection' },
  carfilzomib: { code: '1806940', display: 'carfilzomib 60 MG Injection' },
  daratumumab: { code: '1726439', display: '20 ML daratumumab 20 MG/ML Injection' },
} satisfies Record<string, DrugRef>;

// ------------------------------------------------------------------ scenario model

type Lob = 'medicaid' | 'marketplace' | 'commercial';
type Status = 'met' | 'not-met' | 'not-documented';
type Card = 'coverage-info' | 'limits' | 'off-guideline' | 'missing-data';

interface Dx {
  id: string;
  code: string;
  display: string;
  clinicalStatus: 'active' | 'recurrence' | 'relapse';
}

interface HistoryEntry {
  drug: DrugRef;
  status: 'completed' | 'active' | 'stopped';
  start: string;
  end?: string;
}

interface OrderSpec {
  /** RxNorm SCD (with brand text), NDC, RxNorm ingredient, or medicationReference to a contained Medication coded by
   * the RxNorm SBD. Ixazomib is oral: the catalog holds no HCPCS code for it, so there is no HCPCS variant. */
  coding: 'scd' | 'ndc' | 'ingredient' | 'contained';
  doseMg: number;
  frequency: { count: number; period: number; unit: 'd' | 'wk' };
  note?: string;
  /** dispenseRequest.validityPeriod.end: the duration of the request */
  validityEnd?: string;
}

interface Chart {
  lob: Lob;
  birthDate?: string;
  specialty: { code: string; display: string } | null;
  dx: Dx[];
  /** mCODE CancerDiseaseStatus (LOINC 97509-4) */
  diseaseStatus?: { value: 'improved' | 'stable' | 'worsened'; date: string };
  /** an earlier disease-status assessment (e.g. the response before a plateau) */
  earlierStatus?: { value: 'improved' | 'stable' | 'worsened'; date: string };
  t11_14?: 'positive' | 'negative';
  history: HistoryEntry[];
  /** other draft orders signed with ixazomib */
  partners: DrugRef[];
  pa?: { start: string; end: string; drug: 'ixazomib' | 'lenalidomide' };
  order: OrderSpec;
}

interface Expect {
  description: string;
  covered?: 'covered' | 'not-covered' | 'conditional';
  paNeeded?: 'auth-needed' | 'satisfied' | 'no-auth';
  cards?: Card[];
  criteria?: Record<string, Status>;
  suggestedDose?: { value: number; unit: 'mg' };
  /** ISO 8601 duration as the engine writes it (12 months = P1Y) */
  approvalDuration?: string;
}

interface Scenario {
  name: string;
  chart: Chart;
  expect: Expect;
}

// ------------------------------------------------------------------ base chart

const MM: Dx = { id: 'dx-mm', code: 'C90.00', display: 'Multiple myeloma not having achieved remission', clinicalStatus: 'active' };

/** Primary induction VRd in 2024: one prior line containing an IMiD and a PI. */
const VRD_2024: HistoryEntry[] = [
  { drug: D.bortezomib, status: 'completed', start: '2024-01-08', end: '2024-12-31' },
  { drug: D.lenalidomide25, status: 'completed', start: '2024-01-08', end: '2024-12-31' },
  { drug: D.dexamethasone20, status: 'completed', start: '2024-01-08', end: '2024-12-31' },
];
/** Second line daratumumab / carfilzomib / dexamethasone, 2025-03 to 2026-10-05 (anti-CD38 given). */
const DKD_2025: HistoryEntry[] = [
  { drug: D.daratumumab, status: 'completed', start: '2025-03-03', end: '2026-10-05' },
  { drug: D.carfilzomib, status: 'completed', start: '2025-03-03', end: '2026-10-05' },
  { drug: D.dexamethasone20, status: 'completed', start: '2025-03-03', end: '2026-10-05' },
];
/** Lenalidomide- and anti-CD38-free history: VTd 2024, then KCd 2025-03 to 2026-10-05. */
const VTD_KCD: HistoryEntry[] = [
  { drug: D.bortezomib, status: 'completed', start: '2024-01-08', end: '2024-12-31' },
  { drug: D.thalidomide100, status: 'completed', start: '2024-01-08', end: '2024-12-31' },
  { drug: D.dexamethasone20, status: 'completed', start: '2024-01-08', end: '2024-12-31' },
  { drug: D.carfilzomib, status: 'completed', start: '2025-03-03', end: '2026-10-05' },
  { drug: D.cyclophosphamide50, status: 'completed', start: '2025-03-03', end: '2026-10-05' },
  { drug: D.dexamethasone20, status: 'completed', start: '2025-03-03', end: '2026-10-05' },
];
const PROGRESSION_OCT_2026 = { value: 'worsened' as const, date: '2026-10-20' };

/**
 * 68-year-old with multiple myeloma (C90.00) after one prior line (VRd 2024), progression 2026-10-20; Centene
 * Medicaid; hematologist-oncologist; ixazomib 4 mg on days 1, 8, 15 of a 28-day cycle with lenalidomide 10 mg and
 * dexamethasone 20 mg (5.a), ordered by RxNorm SCD 1723770.
 */
function base(): Chart {
  return {
    lob: 'medicaid',
    birthDate: '1958-03-14',
    specialty: { code: '207RH0003X', display: 'Hematology & Oncology' },
    dx: [MM],
    diseaseStatus: PROGRESSION_OCT_2026,
    history: [...VRD_2024],
    partners: [D.lenalidomide10, D.dexamethasone20],
    order: { coding: 'scd', doseMg: 4, frequency: { count: 3, period: 28, unit: 'd' } },
  };
}
/** Third line: VRd 2024, DKd 2025–2026, progression 15 days after the end of DKd; pomalidomide + dexamethasone. */
function thirdLine(): Chart {
  return { ...base(), history: [...VRD_2024, ...DKD_2025], diseaseStatus: PROGRESSION_OCT_2026, partners: [D.pomalidomide4, D.dexamethasone20] };
}
/** Continued therapy: ixazomib + lenalidomide + dexamethasone active since 2026-06-01 (second line). */
function continued(status: 'improved' | 'stable' | 'worsened'): Chart {
  return {
    ...base(),
    history: [
      ...VRD_2024,
      { drug: D.ixazomib4, status: 'active', start: '2026-06-01' },
      { drug: D.lenalidomide10, status: 'active', start: '2026-06-01' },
      { drug: D.dexamethasone20, status: 'active', start: '2026-06-01' },
    ],
    diseaseStatus: { value: status, date: '2026-11-20' },
  };
}
const AL: Dx = { id: 'dx-al', code: 'E85.81', display: 'Light chain (AL) amyloidosis', clinicalStatus: 'relapse' };
const CYBORD_2025: HistoryEntry[] = [
  { drug: D.bortezomib, status: 'completed', start: '2025-01-06', end: '2025-07-31' },
  { drug: D.cyclophosphamide50, status: 'completed', start: '2025-01-06', end: '2025-07-31' },
  { drug: D.dexamethasone20, status: 'completed', start: '2025-01-06', end: '2025-07-31' },
];
function amyloidosis(): Chart {
  return { ...base(), dx: [AL], diseaseStatus: undefined, history: CYBORD_2025, partners: [D.dexamethasone20] };
}
function waldenstrom(dx: Dx): Chart {
  return { ...base(), dx: [dx], diseaseStatus: undefined, history: [], partners: [D.rituximab, D.dexamethasone20] };
}
const WM: Dx = { id: 'dx-wm', code: 'C88.0', display: 'Waldenstrom macroglobulinemia', clinicalStatus: 'active' };
const LPL: Dx = { id: 'dx-lpl', code: 'C83.00', display: 'Small cell B-cell lymphoma, unspecified site (lymphoplasmacytic lymphoma)', clinicalStatus: 'active' };
/** C83.0- holds marginal-zone lymphomas too: the code alone is not Waldenström */
const SMALL_CELL_B: Dx = { id: 'dx-mzl', code: 'C83.00', display: 'Small cell B-cell lymphoma, unspecified site', clinicalStatus: 'active' };

const withOrder = (c: Chart, o: Partial<OrderSpec>): Chart => ({ ...c, order: { ...c.order, ...o } });

// ------------------------------------------------------------------ expectations

const AUTH = { paNeeded: 'auth-needed' as const };
const COVERED = { covered: 'covered' as const, ...AUTH, cards: ['coverage-info'] as Card[] };
const OVER = { covered: 'covered' as const, ...AUTH, cards: ['coverage-info', 'limits'] as Card[] };
const CONDITIONAL = { covered: 'conditional' as const, ...AUTH, cards: ['coverage-info'] as Card[] };
const NOT_COVERED = { covered: 'not-covered' as const, cards: ['off-guideline'] as Card[] };

const FIVE_D_NOTE = 'Not a transplant candidate. Ixazomib as a substitute for bortezomib in primary therapy (bortezomib intolerance: neuropathy).';
const RELAPSE_5D_NOTE = 'Relapsed after 6 months following primary induction with the same regimen. Not a transplant candidate. Ixazomib as a substitute for bortezomib (intolerance).';

const scenarios: Scenario[] = [
  // ---- I.A multiple myeloma, 5.a
  { name: 'mm-5a-len-dex-medicaid', chart: base(), expect: { description: '002 I.A.1–5.a, approval duration: MM after one prior line (VRd), ixazomib 4 mg d1,8,15/28 with lenalidomide + dexamethasone (5.a), Medicaid: covered, PA needed, 6 months', ...COVERED, approvalDuration: 'P6M', criteria: { 'ia-1-diagnosis': 'met', 'ia-2-prescriber': 'met', 'ia-3-age': 'met', 'ia-4-prior-therapy': 'met', 'ia-5a': 'met', ia: 'met' } } },
  { name: 'mm-5a-cyclo-dex', chart: { ...base(), partners: [D.cyclophosphamide50, D.dexamethasone20] }, expect: { description: '002 I.A.5.a with cyclophosphamide + dexamethasone: covered', ...COVERED, criteria: { 'ia-5a': 'met', 'ia-5a-len-or-cyclo': 'met' } } },
  { name: 'mm-5a-len-dex-commercial', chart: { ...base(), lob: 'commercial' }, expect: { description: '002 I.A approval duration: Same patient, commercial line of business: 12 months or duration of request (none stated) = P1Y (12 months)', ...COVERED, approvalDuration: 'P1Y' } },
  { name: 'mm-5a-len-dex-marketplace', chart: { ...base(), lob: 'marketplace' }, expect: { description: '002 I.A approval duration: Same patient, Health Insurance Marketplace (HIM): 6 months', ...COVERED, approvalDuration: 'P6M' } },
  { name: 'mm-5a-commercial-request-182-days', chart: withOrder({ ...base(), lob: 'commercial' }, { validityEnd: '2027-05-31' }), expect: { description: '002 I.A approval duration (commercial: 12 months or duration of request): Commercial, request valid 2026-12-01 to 2027-05-31 (182 days) < 12 months: approval for the duration of the request', ...COVERED, approvalDuration: 'P182D' } },
  { name: 'mm-dx-c90-02-in-relapse', chart: { ...base(), dx: [{ ...MM, code: 'C90.02', display: 'Multiple myeloma in relapse' }] }, expect: { description: '002 I.A.1: MM coded C90.02 (in relapse): diagnosis met, covered', ...COVERED, criteria: { 'ia-1-diagnosis': 'met' } } },
  { name: 'mm-maintenance-stated-judged-on-criteria', chart: withOrder(base(), { note: 'Maintenance therapy.' }), expect: { description: '002 Description "limitation of use" (reading 5): Order says maintenance: the limitation of use is not written as an exclusion (reading), so the order is judged on the criteria and 5.a is met', ...COVERED, criteria: { 'ia-5a': 'met' } } },

  // ---- 5.b
  { name: 'mm-5b-pom-dex-refractory-charted', chart: thirdLine(), expect: { description: '002 I.A.5.b: VRd then daratumumab/carfilzomib/dex, progression 15 days after the end of the last therapy, pomalidomide + dexamethasone: refractory inferred from the chart, covered', ...COVERED, criteria: { 'ia-5b': 'met', 'ia-5b-refractory-charted': 'met', 'ia-5b-i-pom-dex': 'met', 'ia-5b-ii-prior': 'met', 'ia-5b-iii-progression': 'met', 'ia-5a': 'not-met' } } },
  { name: 'mm-5b-pom-dex-len-refractory-stated', chart: withOrder({ ...thirdLine(), history: VTD_KCD }, { note: 'Disease is lenalidomide-refractory (outside records).' }), expect: { description: '002 I.A.5.b with lenalidomide- and anti-CD38-free history (VTd, KCd): refractoriness only stated on the order; IMiD (thalidomide) + PI, 2 lines, progression within 60 days: covered', ...COVERED, criteria: { 'ia-5b': 'met', 'ia-5b-len-refractory-stated': 'met', 'ia-5b-refractory-charted': 'not-met' } } },
  { name: 'mm-5b-len-earlier-line-progression-on-kcd-not-refractory', chart: { ...thirdLine(), history: [...VRD_2024, ...VTD_KCD.slice(3)] }, expect: { description: '002 I.A.5.b (IMWG refractory = progression on, or within 60 days of, the drug): lenalidomide in first-line VRd (ended 2024-12-31), progression 2026-10-20 on KCd: not lenalidomide-refractory from the chart, no statement: refractoriness not documented, conditional', ...CONDITIONAL, criteria: { 'ia-5b-refractory-charted': 'not-met', 'ia-5b-refractory': 'not-documented' } } },
  { name: 'mm-5b-refractory-not-documented', chart: { ...thirdLine(), history: VTD_KCD }, expect: { description: '002 I.A.5.b as above without the refractory statement: refractoriness not documented; third line so 5.d cannot apply: conditional', ...CONDITIONAL, criteria: { 'ia-5b-refractory': 'not-documented', 'ia-5b': 'not-documented', 'ia-5d': 'not-met' } } },
  { name: 'mm-5b-one-prior-line', chart: { ...base(), partners: [D.pomalidomide4, D.dexamethasone20] }, expect: { description: '002 I.A.5.b.ii/iii, 5.d: Pomalidomide + dexamethasone after one prior line (VRd), progression long after it: 5.b.ii and 5.b.iii not met; 5.d not met either: ixazomib + pomalidomide + dexamethasone is not the induction regimen (VRd) with bortezomib replaced by ixazomib: not covered', ...NOT_COVERED, criteria: { 'ia-5b-ii-two-lines': 'not-met', 'ia-5b-iii-progression': 'not-met', 'ia-5b': 'not-met', 'ia-5d-relapse-6-months': 'met', 'ia-5d-same-regimen': 'not-met', 'ia-5d': 'not-met' } } },
  { name: 'mm-5b-progression-after-60-days', chart: { ...thirdLine(), history: [...VRD_2024, ...DKD_2025.map((h) => ({ ...h, end: '2026-06-30' }))] }, expect: { description: '002 I.A.5.b.iii: Third line, pomalidomide + dexamethasone, progression 2026-10-20 more than 60 days after the last therapy ended (2026-06-30): 5.b.iii not met, not covered', ...NOT_COVERED, criteria: { 'ia-5b-iii-progression': 'not-met', 'ia-5b': 'not-met', 'ia-5d': 'not-met' } } },
  { name: 'mm-5b-anti-cd38-refractory-stated', chart: withOrder({ ...thirdLine(), history: VTD_KCD }, { note: 'Disease is refractory to daratumumab (outside records).' }), expect: { description: '002 I.A.5.b with anti-CD38 refractoriness stated on the order (no anti-CD38 in the charted history); IMiD (thalidomide) + PI over 2 lines, progression within 60 days, pomalidomide + dexamethasone: covered', ...COVERED, criteria: { 'ia-5b-cd38-refractory-stated': 'met', 'ia-5b-refractory': 'met', 'ia-5b': 'met' } } },
  { name: 'mm-5b-vrd-retreatment-after-progression-two-lines', chart: { ...thirdLine(), history: [...VRD_2024, ...VRD_2024.map((h) => ({ ...h, start: '2025-03-03', end: '2026-10-05' })), { drug: D.dexamethasone20, status: 'completed', start: '2026-08-10', end: '2026-08-10' }], earlierStatus: { value: 'worsened', date: '2025-02-10' } }, expect: { description: '002 I.A.5.b.ii (conventions: retreatment after progression is a new line): VRd 2024, progression 2025-02-10, VRd again 2025-03 to 2026-10-05 (a dexamethasone re-order in between is not a line, nor the last therapy), progression 2026-10-20: two prior lines with an IMiD and a PI, lenalidomide-refractory from the chart, pomalidomide + dexamethasone: covered', ...COVERED, criteria: { 'ia-5b-ii-two-lines': 'met', 'ia-5b-ii-prior': 'met', 'ia-5b-refractory-charted': 'met', 'ia-5b-iii-progression': 'met', 'ia-5b': 'met' } } },
  { name: 'mm-5b-two-lines-without-imid', chart: { ...thirdLine(), history: [...VRD_2024.filter((h) => h.drug !== D.lenalidomide25), ...DKD_2025] }, expect: { description: '002 I.A.5.b.ii not met: two prior lines (bortezomib-dex, then daratumumab-carfilzomib-dex) with no immunomodulatory agent; third line so 5.d cannot apply: not covered', ...NOT_COVERED, criteria: { 'ia-5b-ii-two-lines': 'met', 'ia-5b-ii-imid-pi': 'not-met', 'ia-5b-ii-prior': 'not-met', 'ia-5b': 'not-met', 'ia-5d': 'not-met' } } },
  { name: 'mm-5a-lenalidomide-without-dexamethasone-third-line', chart: { ...thirdLine(), partners: [D.lenalidomide10] }, expect: { description: '002 I.A.5.a not met: ixazomib + lenalidomide without dexamethasone, third line (5.b/5.c partners absent, 5.d cannot apply): not covered', ...NOT_COVERED, criteria: { 'ia-5a-dexamethasone': 'not-met', 'ia-5a-len-or-cyclo': 'met', 'ia-5a': 'not-met', 'ia-5-abc': 'not-met' } } },

  // ---- 5.c
  { name: 'mm-5c-ven-dex-t1114-positive', chart: { ...base(), partners: [D.venetoclax100, D.dexamethasone20], t11_14: 'positive' }, expect: { description: '002 I.A.5.c venetoclax + dexamethasone with t(11;14) detected: covered', ...COVERED, criteria: { 'ia-5c': 'met', 'ia-5c-t11-14': 'met' } } },
  { name: 'mm-5c-t1114-not-documented', chart: { ...base(), partners: [D.venetoclax100, D.dexamethasone20] }, expect: { description: '002 I.A.5.c without a t(11;14) result: conditional', ...CONDITIONAL, criteria: { 'ia-5c-ven-dex': 'met', 'ia-5c-t11-14': 'not-documented' } } },
  { name: 'mm-5c-t1114-negative-third-line', chart: { ...thirdLine(), partners: [D.venetoclax100, D.dexamethasone20], t11_14: 'negative' }, expect: { description: '002 I.A.5.c with t(11;14) not detected, third line (5.d cannot apply): not covered', ...NOT_COVERED, criteria: { 'ia-5c-t11-14': 'not-met', 'ia-5c': 'not-met' } } },

  // ---- 5.d and criterion 4
  { name: 'mm-5d-first-line-no-statements', chart: { ...base(), history: [], diseaseStatus: undefined }, expect: { description: '002 I.A.4 beside 5.d (reading 1): Newly diagnosed, no prior therapy, lenalidomide + dexamethasone: criterion 4 not met for 5.a; 5.d (primary treatment) needs statements that are absent: conditional (reading)', ...CONDITIONAL, criteria: { 'ia-4-prior-therapy': 'not-met', 'ia-4-and-5abc': 'not-met', 'ia-5d-primary': 'met', 'ia-5d-non-transplant': 'not-documented', 'ia-5d-substitute': 'not-documented', 'ia-5d': 'not-documented' } } },
  { name: 'mm-5d-first-line-stated', chart: withOrder({ ...base(), history: [], diseaseStatus: undefined }, { note: FIVE_D_NOTE }), expect: { description: '002 I.A.5.d primary treatment: non-transplant candidate, substitute for bortezomib, stated: covered', ...COVERED, criteria: { 'ia-4-prior-therapy': 'not-met', 'ia-5d': 'met' } } },
  { name: 'mm-5d-relapse-after-6-months-stated', chart: withOrder({ ...base(), partners: [D.dexamethasone20] }, { note: RELAPSE_5D_NOTE }), expect: { description: '002 I.A.5.d relapse branch (reading: same regimen = the induction regimen with bortezomib or carfilzomib replaced by ixazomib): one prior VRd line, relapse 21 months after it, non-transplant and substitution stated, but ixazomib with dexamethasone only is not VRd with bortezomib replaced (IRd): 5.d not met, and 5.a not met: not covered', ...NOT_COVERED, criteria: { 'ia-5a': 'not-met', 'ia-5d-relapse-6-months': 'met', 'ia-5d-same-regimen': 'not-met', 'ia-5d-relapse': 'not-met', 'ia-5d': 'not-met' } } },
  { name: 'mm-5d-relapse-ird-after-vrd-induction', chart: withOrder(base(), { note: RELAPSE_5D_NOTE }), expect: { description: '002 I.A.5.d relapse branch met: primary induction VRd (2024-01-08 to 2024-12-31), relapse 2026-10-20 (21 months after it), ixazomib + lenalidomide + dexamethasone (IRd: VRd with bortezomib replaced by ixazomib), non-transplant and substitution stated: 5.d met (5.a too): covered', ...COVERED, criteria: { 'ia-5d-ird-requested': 'met', 'ia-5d-induction-vrd-krd': 'met', 'ia-5d-same-regimen': 'met', 'ia-5d-relapse-6-months': 'met', 'ia-5d-relapse': 'met', 'ia-5d': 'met' } } },
  { name: 'mm-5d-relapse-ipd-not-induction-regimen', chart: withOrder({ ...base(), partners: [D.pomalidomide4, D.dexamethasone20] }, { note: RELAPSE_5D_NOTE }), expect: { description: '002 I.A.5.d relapse branch not met (different regimen): primary induction VRd, relapse 21 months later, but the request is ixazomib + pomalidomide + dexamethasone (IPd), not VRd with bortezomib replaced; one prior line, so 5.b is not met either: not covered', ...NOT_COVERED, criteria: { 'ia-5d-ird-requested': 'not-met', 'ia-5d-induction-vrd-krd': 'met', 'ia-5d-same-regimen': 'not-met', 'ia-5d': 'not-met', 'ia-5b': 'not-met' } } },
  { name: 'mm-5d-relapse-4-months-after-induction', chart: withOrder({ ...base(), history: VRD_2024.map((h) => ({ ...h, start: '2025-07-07', end: '2026-06-15' })) }, { note: RELAPSE_5D_NOTE }), expect: { description: '002 I.A.5.d relapse branch not met (relapse at 4 months): VRd 2025-07-07 to 2026-06-15, progression 2026-10-20 (4 whole months after the last dose), IRd requested: 5.d not met; 5.a (IRd after one prior line) still covers it: covered', ...COVERED, criteria: { 'ia-5d-same-regimen': 'met', 'ia-5d-relapse-6-months': 'not-met', 'ia-5d-relapse': 'not-met', 'ia-5d': 'not-met', 'ia-5a': 'met' } } },
  { name: 'mm-5d-relapse-induction-not-in-chart', chart: withOrder({ ...base(), history: [], dx: [{ ...MM, code: 'C90.02', display: 'Multiple myeloma in relapse', clinicalStatus: 'relapse' }] }, { note: RELAPSE_5D_NOTE }), expect: { description: '002 I.A.5.d relapse branch not documented (no induction in the chart): myeloma in relapse (C90.02) with a progression 2026-10-20, IRd requested with the 5.d statements, but no earlier therapy in the medication history: not primary treatment (relapse documented), criterion 4 not met for 5.a, and the induction regimen and the relapse interval are not documented: conditional', ...CONDITIONAL, criteria: { 'ia-4-prior-therapy': 'not-met', 'ia-5d-primary-not-relapsed': 'not-met', 'ia-5d-primary': 'not-met', 'ia-5d-induction-vrd-krd': 'not-documented', 'ia-5d-relapse-6-months': 'not-documented', 'ia-5d-relapse': 'not-documented', 'ia-5d': 'not-documented' } } },

  // ---- criteria not met / not documented
  { name: 'mm-age-17', chart: { ...base(), birthDate: '2009-06-15' }, expect: { description: '002 I.A.3: Age 17 at the service date: not covered', ...NOT_COVERED, criteria: { 'ia-3-age': 'not-met', ia: 'not-met' } } },
  { name: 'mm-no-birthdate', chart: { ...base(), birthDate: undefined }, expect: { description: '002 I.A.3: No birth date on the Patient: age not documented, conditional', ...CONDITIONAL, criteria: { 'ia-3-age': 'not-documented' } } },
  { name: 'mm-wrong-partners-dex-only-third-line', chart: { ...thirdLine(), partners: [D.dexamethasone20] }, expect: { description: '002 I.A.5: Ixazomib + dexamethasone only, third line: no regimen of 5.a–c, 5.d cannot apply (two prior lines): not covered', ...NOT_COVERED, criteria: { 'ia-5a': 'not-met', 'ia-5b': 'not-met', 'ia-5c': 'not-met', 'ia-5d': 'not-met' } } },
  { name: 'mm-wrong-partners-dex-only-second-line', chart: { ...base(), partners: [D.dexamethasone20] }, expect: { description: '002 I.A.5: Ixazomib + dexamethasone only after one bortezomib-containing line (VRd): 5.a–c not met, and 5.d not met: the chart shows the induction regimen (VRd) and ixazomib + dexamethasone is not VRd with bortezomib replaced by ixazomib: not covered', ...NOT_COVERED, criteria: { 'ia-5a': 'not-met', 'ia-5-abc': 'not-met', 'ia-5d-same-regimen': 'not-met', 'ia-5d': 'not-met' } } },
  { name: 'mm-prescriber-family-medicine', chart: { ...base(), specialty: { code: '207Q00000X', display: 'Family Medicine' } }, expect: { description: '002 I.A.2: Prescriber is a family physician: "or in consultation" leaves the criterion not documented: conditional', ...CONDITIONAL, criteria: { 'ia-2-specialty': 'not-documented', 'ia-2-prescriber': 'not-documented' } } },
  { name: 'mm-prescriber-family-medicine-onc-consult', chart: withOrder({ ...base(), specialty: { code: '207Q00000X', display: 'Family Medicine' } }, { note: 'Regimen chosen in consultation with an oncologist.' }), expect: { description: '002 I.A.2: Family physician, consultation with an oncologist stated: covered', ...COVERED, criteria: { 'ia-2-onc-consult': 'met', 'ia-2-prescriber': 'met' } } },
  { name: 'mm-prescriber-family-medicine-heme-consult', chart: withOrder({ ...base(), specialty: { code: '207Q00000X', display: 'Family Medicine' } }, { note: 'Regimen chosen in consultation with a hematologist.' }), expect: { description: '002 I.A.2: family physician, consultation with a hematologist stated: covered', ...COVERED, criteria: { 'ia-2-specialty': 'not-documented', 'ia-2-heme-consult': 'met', 'ia-2-prescriber': 'met' } } },
  { name: 'mm-prescriber-specialty-not-recorded', chart: { ...base(), specialty: null }, expect: { description: '002 I.A.2: PractitionerRole without a specialty: not documented, conditional', ...CONDITIONAL, criteria: { 'ia-2-prescriber': 'not-documented' } } },

  // ---- I.B AL amyloidosis, I.C Waldenström / LPL
  { name: 'al-relapsed-dex', chart: amyloidosis(), expect: { description: '002 I.B.1–5, approval duration: Relapsed AL amyloidosis (E85.81, status relapse) after CyBorD, ixazomib + dexamethasone (4.a): covered, 6 months Medicaid', ...COVERED, approvalDuration: 'P6M', criteria: { 'ib-1-diagnosis': 'met', 'ib-4a': 'met', ib: 'met', 'ia-1-diagnosis': 'not-met' } } },
  { name: 'al-relapsed-len-dex', chart: { ...amyloidosis(), partners: [D.lenalidomide10, D.dexamethasone20] }, expect: { description: '002 I.B.4.b: Relapsed AL amyloidosis with lenalidomide + dexamethasone (4.b): covered', ...COVERED, criteria: { 'ib-4b': 'met', 'ib-4a': 'not-met' } } },
  { name: 'al-relapsed-cyclo-dex-marketplace', chart: { ...amyloidosis(), lob: 'marketplace', partners: [D.cyclophosphamide50, D.dexamethasone20] }, expect: { description: '002 I.B.4.c, I.B approval duration: Relapsed AL amyloidosis with cyclophosphamide + dexamethasone (4.c), marketplace: covered, 6 months', ...COVERED, approvalDuration: 'P6M', criteria: { 'ib-4c': 'met', 'ib-4a': 'not-met' } } },
  { name: 'al-relapse-not-documented', chart: { ...amyloidosis(), dx: [{ ...AL, clinicalStatus: 'active' }] }, expect: { description: '002 I.B.1: AL amyloidosis, status active and no relapse statement: relapsed/refractory not documented, conditional', ...CONDITIONAL, criteria: { 'ib-1-relapsed-refractory': 'not-documented' } } },
  { name: 'wm-rituximab-dex', chart: waldenstrom(WM), expect: { description: '002 I.C.1–5: Waldenström macroglobulinemia (C88.0), ixazomib + rituximab + dexamethasone: covered', ...COVERED, approvalDuration: 'P6M', criteria: { 'ic-1-wm': 'met', 'ic-4-rituximab-dex': 'met', ic: 'met' } } },
  { name: 'lpl-c83-00-rituximab-dex-commercial', chart: { ...waldenstrom(LPL), lob: 'commercial' }, expect: { description: '002 I.C.1/I.C.4, approval duration: Lymphoplasmacytic lymphoma coded C83.00, rituximab + dexamethasone, commercial: covered, 12 months', ...COVERED, approvalDuration: 'P1Y', criteria: { 'ic-1-wm': 'met', ic: 'met' } } },
  { name: 'c83-00-alone-not-waldenstrom', chart: { ...waldenstrom(SMALL_CELL_B), lob: 'commercial' }, expect: { description: '002 I.C.1 (reading: C83.0- also holds marginal-zone lymphomas): small cell B-cell lymphoma C83.00 with no lymphoplasmacytic lymphoma named is not Waldenström: not covered', ...NOT_COVERED, criteria: { 'ic-1-wm': 'not-met', ic: 'not-met' } } },
  { name: 'wm-dex-only', chart: { ...waldenstrom(WM), partners: [D.dexamethasone20] }, expect: { description: '002 I.C.4: Waldenström with dexamethasone only (no rituximab): not covered', ...NOT_COVERED, criteria: { 'ic-4-rituximab-dex': 'not-met' } } },

  // ---- II.A continued therapy
  { name: 'continued-improved-medicaid', chart: continued('improved'), expect: { description: '002 II.A.1–2, II.A approval duration: On ixazomib + lenalidomide + dexamethasone since 2026-06-01 (183 days), disease improved: continued therapy met, 12 months for Medicaid', ...COVERED, approvalDuration: 'P1Y', criteria: { 'iia-1-currently-receiving': 'met', 'iia-2-responding': 'met', iia: 'met', 'ia-0-initial': 'not-met' } } },
  { name: 'continued-progressing', chart: continued('worsened'), expect: { description: '002 II.A.2: On ixazomib since 2026-06-01, disease worsened: not responding, not covered (initial criteria do not apply to a current member)', ...NOT_COVERED, criteria: { 'iia-2-responding': 'not-met', 'ia-0-initial': 'not-met' } } },
  { name: 'continued-stable', chart: continued('stable'), expect: { description: '002 II.A.2 (conventions: responding = improved, or stable after a documented improvement): on ixazomib, disease stable with no improvement documented: responding not documented, conditional', ...CONDITIONAL, criteria: { 'iia-2-responding': 'not-documented' } } },
  { name: 'continued-stable-after-improvement', chart: { ...continued('stable'), earlierStatus: { value: 'improved', date: '2026-08-20' } }, expect: { description: '002 II.A.2 (conventions: a plateau after a response is responding): on ixazomib, improved in August, stable in November: responding positively, covered', ...COVERED, approvalDuration: 'P1Y', criteria: { 'iia-2-responding': 'met', iia: 'met' } } },
  { name: 'continued-improved-weekly-over', chart: withOrder(continued('improved'), { frequency: { count: 1, period: 1, unit: 'wk' } }), expect: { description: '002 II.A.3.a: Continued therapy with 4 mg weekly (4 per 28 days): schedule above the limit (II.A.3), suggestion keeps 4 mg', ...OVER, suggestedDose: { value: 4, unit: 'mg' }, criteria: { iia: 'met' } } },
  { name: 'continued-16-days-no-centene-authorization', chart: { ...continued('improved'), history: [...VRD_2024, { drug: D.ixazomib4, status: 'active', start: '2026-11-15' }, { drug: D.lenalidomide10, status: 'active', start: '2026-11-15' }, { drug: D.dexamethasone20, status: 'active', start: '2026-11-15' }] }, expect: { description: '002 II.A.1: on ixazomib since 2026-11-15 (16 days, < 30) and no authorization on file: the Centene-benefit branch is not documented (the EHR is not the payer\'s record; reading 9); initial criteria do not apply to a current member (reading 8): conditional', ...CONDITIONAL, criteria: { 'iia-1-current': 'met', 'iia-1-30-days': 'not-met', 'iia-1-centene-benefit': 'not-documented', 'iia-1-benefit-or-30-days': 'not-documented', 'iia-1-currently-receiving': 'not-documented', iia: 'not-documented', 'ia-0-initial': 'not-met' } } },
  { name: 'continued-16-days-other-drug-authorization', chart: { ...continued('improved'), history: [...VRD_2024, { drug: D.ixazomib4, status: 'active', start: '2026-11-15' }, { drug: D.lenalidomide10, status: 'active', start: '2026-11-15' }, { drug: D.dexamethasone20, status: 'active', start: '2026-11-15' }], pa: { start: '2026-11-10', end: '2027-05-09', drug: 'lenalidomide' } }, expect: { description: '002 II.A.1: on ixazomib 16 days, the only authorization on file is for lenalidomide: answers as with none on file (Centene-benefit branch not documented): conditional', ...CONDITIONAL, criteria: { 'iia-1-30-days': 'not-met', 'iia-1-centene-benefit': 'not-documented', iia: 'not-documented' } } },
  { name: 'continued-16-days-via-centene-benefit', chart: { ...continued('improved'), history: [...VRD_2024, { drug: D.ixazomib4, status: 'active', start: '2026-11-15' }, { drug: D.lenalidomide10, status: 'active', start: '2026-11-15' }, { drug: D.dexamethasone20, status: 'active', start: '2026-11-15' }], pa: { start: '2026-05-01', end: '2026-10-31', drug: 'ixazomib' } }, expect: { description: '002 II.A.1 via Centene benefit: on ixazomib 16 days only, but a Centene ixazomib authorization is on file (expired 2026-10-31, so a new one is needed); improved: covered, auth needed, 12 months (Medicaid continued)', ...COVERED, approvalDuration: 'P1Y', criteria: { 'iia-1-30-days': 'not-met', 'iia-1-centene-benefit': 'met', 'iia-1-currently-receiving': 'met', iia: 'met' } } },

  // ---- dose and schedule (I.A.6)
  { name: 'dose-4mg-3-per-28-at-limit', chart: base(), expect: { description: '002 I.A.6.a: 4 mg on days 1, 8, 15 of a 28-day cycle: at the limit, no limits card', ...COVERED } },
  { name: 'dose-3mg-below-limit', chart: withOrder(base(), { doseMg: 3 }), expect: { description: '002 I.A.6.a: 3 mg (dose reduction) 3 per 28 days: within the limit', ...COVERED } },
  { name: 'dose-4mg-weekly-schedule-over', chart: withOrder(base(), { frequency: { count: 1, period: 7, unit: 'd' } }), expect: { description: '002 I.A.6.a: 4 mg once every 7 days (4 per 28 days): schedule over the limit; suggestion keeps 4 mg and sets 3 per 28 days', ...OVER, suggestedDose: { value: 4, unit: 'mg' } } },
  { name: 'dose-8mg-over', chart: withOrder(base(), { doseMg: 8 }), expect: { description: '002 I.A.6.a: 8 mg (two 4 mg capsules) per dose: dose over the limit; suggestion 4 mg', ...OVER, suggestedDose: { value: 4, unit: 'mg' } } },
  { name: 'dose-6mg-over', chart: withOrder(base(), { doseMg: 6 }), expect: { description: '002 I.A.6.a: 6 mg per dose: over the limit; suggestion 4 mg (a capsule strength)', ...OVER, suggestedDose: { value: 4, unit: 'mg' } } },
  { name: 'dose-4mg-2-per-28-under-schedule', chart: withOrder(base(), { frequency: { count: 2, period: 28, unit: 'd' } }), expect: { description: '002 I.A.6.a: 4 mg twice per 28 days (fewer than 3 weeks of the cycle): under the schedule limit', ...COVERED } },
  { name: 'al-dose-8mg-over', chart: withOrder(amyloidosis(), { doseMg: 8 }), expect: { description: '002 I.B.5 (FDA maximum read as 4 mg, 3 per 28 days): relapsed AL amyloidosis with 8 mg per dose: over; suggestion 4 mg', ...OVER, suggestedDose: { value: 4, unit: 'mg' }, criteria: { ib: 'met' } } },
  { name: 'wm-weekly-schedule-over', chart: withOrder(waldenstrom(WM), { frequency: { count: 1, period: 1, unit: 'wk' } }), expect: { description: '002 I.C.5: Waldenström with rituximab + dexamethasone, 4 mg weekly (4 per 28 days): schedule over; suggestion keeps 4 mg and sets 3 per 28 days', ...OVER, suggestedDose: { value: 4, unit: 'mg' }, criteria: { ic: 'met' } } },

  // ---- how the drug is coded
  { name: 'ordered-by-ndc', chart: withOrder(base(), { coding: 'ndc' }), expect: { description: '002 drug codes (VI): Order coded only by NDC 63020-080-01 (Ninlaro 4 mg): recognised, covered', ...COVERED } },
  { name: 'ordered-by-ingredient', chart: withOrder(base(), { coding: 'ingredient' }), expect: { description: '002 drug codes (VI): Order coded only by RxNorm ingredient 1723735: recognised, covered', ...COVERED } },
  { name: 'ordered-by-medication-reference', chart: withOrder(base(), { coding: 'contained' }), expect: { description: '002 drug codes (VI): Order gives the drug by medicationReference to a contained Medication coded RxNorm SBD 1723772 (Ninlaro 4 mg): recognised, covered', ...COVERED } },

  // ---- prior authorization on file
  { name: 'pa-satisfied', chart: { ...base(), pa: { start: '2026-11-20', end: '2027-05-19', drug: 'ixazomib' } }, expect: { description: '002 PA (authorization on file): Approved Centene authorization for ixazomib covering the service date: satisfied', covered: 'covered', paNeeded: 'satisfied', cards: [] } },
  { name: 'pa-expired', chart: { ...base(), pa: { start: '2026-03-01', end: '2026-08-31', drug: 'ixazomib' } }, expect: { description: '002 PA (authorization on file): Ixazomib authorization expired 2026-08-31: auth needed', ...COVERED } },
  { name: 'pa-other-drug', chart: { ...base(), pa: { start: '2026-11-20', end: '2027-05-19', drug: 'lenalidomide' } }, expect: { description: '002 PA (authorization on file): Authorization on file is for lenalidomide, not ixazomib: auth needed', ...COVERED } },

  // ---- other diagnoses (I.D, II.B, III)
  { name: 'other-dx-breast-cancer-medicaid', chart: { ...base(), dx: [{ id: 'dx-breast', code: 'C50.911', display: 'Malignant neoplasm of unspecified site of right female breast', clinicalStatus: 'active' }], diseaseStatus: undefined }, expect: { description: '002 I.D.2 / III.A: Breast cancer (C50.911), Medicaid: not addressed by CP.PHAR.302, not covered; refer to CP.PMN.53 (off-label use)', ...NOT_COVERED, criteria: { 'ia-1-diagnosis': 'not-met', 'ib-1-al-amyloidosis': 'not-met', 'ic-1-diagnosis': 'not-met' } } },
  { name: 'other-dx-breast-cancer-commercial', chart: { ...base(), lob: 'commercial', dx: [{ id: 'dx-breast', code: 'C50.911', display: 'Malignant neoplasm of unspecified site of right female breast', clinicalStatus: 'active' }], diseaseStatus: undefined }, expect: { description: '002 I.D.2 / III.A: Breast cancer (C50.911), commercial: not covered; refer to CP.CPA.09 (off-label use)', ...NOT_COVERED, criteria: { 'ia-1-diagnosis': 'not-met' } } },
  { name: 'other-dx-breast-cancer-marketplace', chart: { ...base(), lob: 'marketplace', dx: [{ id: 'dx-breast', code: 'C50.911', display: 'Malignant neoplasm of unspecified site of right female breast', clinicalStatus: 'active' }], diseaseStatus: undefined }, expect: { description: '002 I.D.2 / III: breast cancer (C50.911), Health Insurance Marketplace: not covered; refer to HIM.PA.154 (off-label use)', ...NOT_COVERED, criteria: { 'ia-1-diagnosis': 'not-met', 'x-other-dx-marketplace-all': 'met' } } },
  { name: 'mm-dx-not-documented', chart: { ...base(), dx: [] }, expect: { description: '002 I.A.1, I.B.1, I.C.1: no Condition in the chart (the order\'s reasonReference resolves to nothing): diagnosis not documented for every indication, and the other-diagnosis exclusion cannot apply: conditional', ...CONDITIONAL, criteria: { 'ia-1-diagnosis': 'not-documented', 'ib-1-diagnosis': 'not-documented', 'ic-1-diagnosis': 'not-documented', 'x-other-dx-medicaid-all': 'not-documented' } } },
  { name: 'continued-disease-status-not-documented', chart: { ...continued('improved'), diseaseStatus: undefined }, expect: { description: '002 II.A.2: on ixazomib since 2026-06-01 with no disease-status observation: responding positively not documented', ...CONDITIONAL, criteria: { 'iia-1-currently-receiving': 'met', 'iia-2-responding': 'not-documented' } } },
];

// ------------------------------------------------------------------ FHIR builders

function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function searchset(resources: Array<{ resourceType: string; id?: string }>): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource) => ({
      fullUrl: `http://localhost:8080/fhir/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

function rx(drug: DrugRef): MedicationRequest['medicationCodeableConcept'] {
  return { coding: [{ system: RXNORM, code: drug.code, display: drug.display }], text: drug.display };
}

function historyRequest(id: string, h: HistoryEntry): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: h.status,
    intent: 'order',
    medicationCodeableConcept: rx(h.drug),
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: h.start,
    requester: { reference: `PractitionerRole/${ROLE_ID}` },
    dosageInstruction: [{ timing: { repeat: { boundsPeriod: h.end ? { start: h.start, end: h.end } : { start: h.start } } } }],
  };
}

/** An mCODE CancerDiseaseStatus assessment of the myeloma (`focus` its Condition). */
function diseaseStatusObservation(id: string, status: NonNullable<Chart['diseaseStatus']>, conditionId: string): Observation {
  const [code, display] = STATUS_CODE[status.value];
  return {
    resourceType: 'Observation',
    id,
    meta: { profile: ['http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status'] },
    status: 'final',
    category: [{ coding: [{ system: OBS_CAT, code: 'exam' }] }],
    code: { coding: [{ system: LOINC, code: '97509-4', display: 'Cancer disease status' }], text: 'Cancer disease status' },
    subject: { reference: `Patient/${PATIENT_ID}` },
    focus: [{ reference: `Condition/${conditionId}` }],
    effectiveDateTime: status.date,
    valueCodeableConcept: { coding: [{ system: SNOMED, code, display }], text: display },
  };
}

function partnerDraft(id: string, drug: DrugRef): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'draft',
    intent: 'order',
    medicationCodeableConcept: rx(drug),
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: '2026-11-30',
    requester: { reference: `PractitionerRole/${ROLE_ID}` },
    dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: SERVICE_DATE } } } }],
  };
}

function orderCode(coding: OrderSpec['coding']): Pick<MedicationRequest, 'medicationCodeableConcept' | 'medicationReference' | 'contained'> {
  if (coding === 'contained') {
    const med: Medication = {
      resourceType: 'Medication',
      id: 'med-ixazomib',
      code: { coding: [{ system: RXNORM, code: '1723772', display: 'ixazomib 4 MG Oral Capsule [Ninlaro]' }] },
      form: { coding: [{ system: SNOMED, code: '385049006', display: 'Capsule' }] },
    };
    return { contained: [med], medicationReference: { reference: '#med-ixazomib' } };
  }
  return { medicationCodeableConcept: codeableConcept(coding) };
}

function codeableConcept(coding: Exclude<OrderSpec['coding'], 'contained'>): MedicationRequest['medicationCodeableConcept'] {
  switch (coding) {
    case 'scd':
      return { coding: [{ system: RXNORM, code: D.ixazomib4.code, display: D.ixazomib4.display }], text: 'Ninlaro (ixazomib) 4 mg capsule' };
    // the variants below carry the code alone, so the drug must be recognised by the code
    case 'ndc':
      return { coding: [{ system: NDC, code: '63020-080-01' }] };
    case 'ingredient':
      return { coding: [{ system: RXNORM, code: '1723735' }] };
  }
}

function ixazomibOrder(c: Chart, name: string): MedicationRequest {
  const o = c.order;
  const f = o.frequency;
  const when = f.count === 3 && f.period === 28 && f.unit === 'd' ? 'on days 1, 8 and 15 of a 28-day cycle' : `${f.count} time(s) every ${f.period} ${f.unit === 'd' ? 'days' : 'week(s)'}`;
  return {
    resourceType: 'MedicationRequest',
    id: 'draft-ixazomib-1',
    identifier: [{ system: 'urn:oncology-pa:scenario-order', value: name }],
    status: 'draft',
    intent: 'order',
    ...orderCode(o.coding),
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: '2026-11-30',
    requester: { reference: `PractitionerRole/${ROLE_ID}` },
    reasonReference: [{ reference: `Condition/${c.dx[0]?.id ?? 'dx-mm'}` }],
    ...(o.note ? { note: [{ text: o.note }] } : {}),
    dosageInstruction: [
      {
        text: `Ixazomib ${o.doseMg} mg by mouth ${when}`,
        timing: { repeat: { boundsPeriod: { start: SERVICE_DATE }, frequency: f.count, period: f.period, periodUnit: f.unit } },
        route: { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route' }] },
        doseAndRate: [
          {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type', code: 'ordered', display: 'Ordered' }] },
            doseQuantity: { value: o.doseMg, unit: 'mg', system: UCUM, code: 'mg' },
          },
        ],
      },
    ],
    ...(o.validityEnd ? { dispenseRequest: { validityPeriod: { start: SERVICE_DATE, end: o.validityEnd } } } : {}),
  };
}

const LOB_TYPE: Record<Lob, Coverage['type']> = {
  medicaid: { coding: [{ system: SOPT, code: '2', display: 'MEDICAID' }], text: 'Medicaid' },
  marketplace: { text: 'HIM (Health Insurance Marketplace)' },
  commercial: { coding: [{ system: SOPT, code: '5', display: 'PRIVATE HEALTH INSURANCE' }], text: 'Commercial' },
};
const LOB_PLAN: Record<Lob, string> = { medicaid: 'Centene Medicaid managed care', marketplace: 'Ambetter marketplace plan', commercial: 'Centene commercial plan' };

const STATUS_CODE = { improved: ['268910001', "Patient's condition improved"], stable: ['359746009', "Patient's condition stable"], worsened: ['271299001', "Patient's condition worsened"] } as const;

function buildRequest(sc: Scenario): Record<string, unknown> {
  const c = sc.chart;
  const patient: Patient = {
    resourceType: 'Patient',
    id: PATIENT_ID,
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN-SYN-0202' }],
    name: [{ family: 'Synthetic', given: ['Myeloma'] }],
    gender: 'male',
    ...(c.birthDate ? { birthDate: c.birthDate } : {}),
  };
  const coverage: Coverage = {
    resourceType: 'Coverage',
    id: 'cov-centene-1',
    status: 'active',
    type: LOB_TYPE[c.lob],
    subscriberId: 'SYN-CEN-0202',
    beneficiary: { reference: `Patient/${PATIENT_ID}` },
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }] },
    period: { start: '2026-01-01', end: '2027-12-31' },
    payor: [{ identifier: { system: PAYER, value: 'centene' }, display: 'Centene' }],
    class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] }, value: `CEN-${c.lob.toUpperCase()}`, name: LOB_PLAN[c.lob] }],
  };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: ROLE_ID,
    active: true,
    practitioner: { reference: 'Practitioner/dr-heme-1', display: 'Dr. Synthetic Prescriber' },
    ...(c.specialty ? { specialty: [{ coding: [{ system: NUCC, code: c.specialty.code, display: c.specialty.display }] }] } : {}),
  };
  const conditions: Condition[] = c.dx.map((d) => ({
    resourceType: 'Condition',
    id: d.id,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: d.clinicalStatus }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    code: { coding: [{ system: ICD10, code: d.code, display: d.display }], text: d.display },
    subject: { reference: `Patient/${PATIENT_ID}` },
    onsetDateTime: '2023-11-15',
    recordedDate: '2023-11-15',
  }));
  const observations: Observation[] = [];
  // mCODE CancerDiseaseStatus: an earlier assessment (when the chart has one), then the current one
  if (c.earlierStatus) observations.push(diseaseStatusObservation('obs-disease-status-earlier', c.earlierStatus, c.dx[0]?.id ?? 'dx-mm'));
  if (c.diseaseStatus) observations.push(diseaseStatusObservation('obs-disease-status', c.diseaseStatus, c.dx[0]?.id ?? 'dx-mm'));
  if (c.t11_14) {
    const pos = c.t11_14 === 'positive';
    observations.push({
      resourceType: 'Observation',
      id: 'obs-t11-14',
      status: 'final',
      category: [{ coding: [{ system: OBS_CAT, code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: '77037-0', display: 't(11;14)(q13;q32) CCND1/IGH fusion [Presence] in Blood or Tissue by FISH' }], text: 't(11;14) FISH' },
      subject: { reference: `Patient/${PATIENT_ID}` },
      effectiveDateTime: '2026-10-25',
      valueCodeableConcept: {
        coding: [{ system: LOINC, code: pos ? 'LA11882-0' : 'LA11883-8', display: pos ? 'Detected' : 'Not detected' }],
        text: pos ? 'Detected' : 'Not detected',
      },
    });
  }
  const history = c.history.map((h, i) => historyRequest(`hist-${i + 1}-${slug(h.drug.display).slice(0, 20)}-${h.start}`, h));
  const claimResponses: ClaimResponse[] = [];
  if (c.pa) {
    const ixa = c.pa.drug === 'ixazomib';
    claimResponses.push({
      resourceType: 'ClaimResponse',
      id: 'pa-1',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'pharmacy' }] },
      use: 'preauthorization',
      patient: { reference: `Patient/${PATIENT_ID}` },
      created: c.pa.start,
      insurer: { identifier: { system: PAYER, value: 'centene' }, display: 'Centene' },
      outcome: 'complete',
      disposition: 'Approved',
      preAuthRef: `CEN-PA-${c.pa.start.replace(/-/g, '')}-${ixa ? 'IXA' : 'LEN'}`,
      preAuthPeriod: { start: c.pa.start, end: c.pa.end },
      addItem: [
        {
          productOrService: {
            coding: ixa ? [{ system: RXNORM, code: '1723735', display: 'ixazomib' }] : [{ system: RXNORM, code: '342369', display: 'lenalidomide' }],
          },
          adjudication: [{ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'eligible' }] } }],
        },
      ],
    });
  }
  const drafts = [ixazomibOrder(c, sc.name), ...c.partners.map((d, i) => partnerDraft(`draft-partner-${i + 1}-${slug(d.display).slice(0, 16)}`, d))];
  return {
    hook: 'order-sign',
    hookInstance: uuid(`centene-ixazomib/${sc.name}`),
    fhirServer: 'http://localhost:8080/fhir',
    context: {
      userId: `PractitionerRole/${ROLE_ID}`,
      patientId: PATIENT_ID,
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: drafts.map((resource) => ({ fullUrl: `urn:uuid:${uuid(`centene-ixazomib/${sc.name}/${resource.id}`)}`, resource })),
      },
    },
    prefetch: {
      patient,
      coverage: searchset([coverage]),
      conditions: searchset(conditions),
      observations: searchset(observations),
      medicationRequests: searchset(history),
      claimResponses: searchset(claimResponses),
      practitionerRole: searchset([role]),
    },
  };
}

// ------------------------------------------------------------------ write

writeScenarios(scenarios.map((sc) => ({ policy: 'centene-ixazomib', name: sc.name, request: buildRequest(sc), expect: sc.expect })));
console.log(`wrote ${scenarios.length} centene-ixazomib scenarios`);
