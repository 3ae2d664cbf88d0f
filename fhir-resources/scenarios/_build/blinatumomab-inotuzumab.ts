/**
 * Builds the scenario fixtures for policies 003 (bcbsnc-inotuzumab) and 004 (bsc-blinatumomab):
 * one complete CDS Hooks 2.0 order-sign request per scenario (with prefetch) and its `.expect.json`.
 *
 *   npx tsx fhir-resources/scenarios/_build/blinatumomab-inotuzumab.ts
 *
 * Every scenario is a base chart plus overrides. Output is deterministic (uuids derive from the scenario name).
 * Synthetic data only.
 */
import { createHash } from 'node:crypto';
import { EXT_CYCLE, EXT_CYCLE_DAY, EXT_PHASE, HCPCS, ICD10, LOINC, NDC, NUCC, PAYER, RXNORM, SNOMED, UCUM, slug, ucum, writeScenarios } from './common.js';
import type {
  Bundle,
  ClaimResponse,
  Condition,
  Coverage,
  Extension,
  FhirResource,
  Medication,
  MedicationRequest,
  Observation,
  Patient,
  PractitionerRole,
  Quantity,
} from 'fhir/r4.js';


/** Service date of every scenario (the order's dispenseRequest.validityPeriod.start / boundsPeriod.start). */
const SERVICE_DATE = '2026-12-01';
const PATIENT_ID = 'pat-all-1';
const ROLE_ID = 'pr-heme-1';

// ------------------------------------------------------------------ drugs

interface DrugRef {
  code: string;
  display: string;
}
const DRUGS = {
  blinatumomab: { code: '1597262', display: 'blinatumomab 0.035 MG Injection' },
  inotuzumab: { code: '1942954', display: 'inotuzumab ozogamicin 0.9 MG Injection' },
  dasatinib: { code: '799047', display: 'dasatinib 100 MG Oral Tablet' },
  ponatinib: { code: '1364360', display: 'ponatinib 45 MG Oral Tablet' },
  prednisone: { code: '198145', display: 'prednisone 10 MG Oral Tablet' },
  vincristine: { code: '1863343', display: '1 ML vincristine sulfate 1 MG/ML Injection' },
  methotrexateOral: { code: '105585', display: 'methotrexate 2.5 MG Oral Tablet' },
  methotrexateInj: { code: '1946772', display: 'methotrexate 25 MG/ML Injectable Solution' },
  mercaptopurine: { code: '197931', display: 'mercaptopurine 50 MG Oral Tablet' },
  cyclophosphamide: { code: '1734919', display: 'cyclophosphamide 1000 MG Injection' },
  dexamethasone: { code: '2261802', display: 'dexamethasone 20 MG Oral Tablet' },
  cytarabine: { code: '240416', display: 'cytarabine 20 MG/ML Injectable Solution' },
  doxorubicin: { code: '1790099', display: '10 ML doxorubicin hydrochloride 2 MG/ML Injection' },
} satisfies Record<string, DrugRef>;

const POMP: DrugRef[] = [DRUGS.prednisone, DRUGS.vincristine, DRUGS.methotrexateOral, DRUGS.mercaptopurine];
const MINI_HYPER_CVD: DrugRef[] = [DRUGS.cyclophosphamide, DRUGS.vincristine, DRUGS.dexamethasone, DRUGS.methotrexateInj, DRUGS.cytarabine];
/** A completed induction (hyper-CVAD-like), months before the service date: prior therapy, not a partner. */
const PRIOR_INDUCTION: DrugRef[] = [DRUGS.cyclophosphamide, DRUGS.vincristine, DRUGS.doxorubicin, DRUGS.dexamethasone];

// ------------------------------------------------------------------ scenario model

type Payer = 'blue-shield-ca' | 'bcbs-nc';
const PAYER_NAME: Record<Payer, string> = {
  'blue-shield-ca': 'Blue Shield of California',
  'bcbs-nc': 'Blue Cross and Blue Shield of North Carolina',
};

interface Dx {
  icd: string;
  display: string;
  clinicalStatus: 'active' | 'relapse' | 'recurrence' | 'remission';
  /** onset date (default 2026-02-10) */
  onset?: string;
  /** Condition.code.text when it says more than the ICD display (lineage, "refractory") */
  text?: string;
}

interface OrderSpec {
  drug: 'blinatumomab' | 'inotuzumab';
  /** how the drug is coded on the order: RxNorm SCD (with brand text), HCPCS, RxNorm ingredient, NDC (10-digit
   * hyphenated) or medicationReference to a contained Medication coded by the RxNorm SBD; all but the SCD carry the
   * code alone; `ndc11` = the 11-digit NDC, `hcpcs-https` = HCPCS under the https system URL (conventions: accept both) */
  coding: 'rxnorm' | 'hcpcs' | 'ingredient' | 'ndc' | 'contained' | 'ndc11' | 'hcpcs-https';
  /** continuous-infusion rate per day, or a dose per administration */
  rate?: { value: number; unit: 'ug/d' | 'ug/m2/d' };
  dose?: { value: number; unit: 'ug' | 'mg' | 'mg/m2' };
  /** administrations per period (days); default 1 per 1 d */
  frequency?: { count: number; periodDays: number };
  phase?: 'consolidation' | 'maintenance' | 'relapsed-refractory' | 'induction';
  cycle?: number;
  cycleDay?: number;
  /** last day of the cycle covered by this order (default 28 for blinatumomab) */
  lastDay?: number;
  /** free text on the order's note (attestations) */
  note?: string;
  /** dosageInstruction.text; built from phase/cycle when absent */
  text?: string;
}

interface Chart {
  birthDate: string;
  gender: 'female' | 'male';
  payer: Payer;
  /** the member's plan when not the commercial PPO of every other scenario */
  plan?: 'medi-cal';
  specialty: { code: string; display: string };
  dx: Dx[] | null;
  weight?: { value: number; unit: 'kg' | '[lb_av]' | 'g' };
  heightCm?: number;
  /** height in [in_i] instead of cm */
  heightIn?: number;
  /** height in m instead of cm */
  heightM?: number;
  /** date of the weight/height/BSA observations (default 2026-11-28, 3 days before the service date) */
  vitalsDate?: string;
  bsa?: number;
  ph?: 'positive' | 'negative';
  prior: DrugRef[];
  active: DrugRef[];
  /** other draft orders signed together with the policy drug */
  draftPartners: DrugRef[];
  /** an approved authorization; `otherDrug` = it names the other policy drug (inotuzumab for a blinatumomab order,
   * blinatumomab for an inotuzumab order) */
  pa?: {
    start: string;
    end: string;
    otherDrug?: boolean;
    /** ClaimResponse.status (default active) and outcome (default complete) */
    status?: 'active' | 'cancelled';
    outcome?: 'complete' | 'partial' | 'error';
    /** the drug named by its NDC alone */
    byNdc?: boolean;
  };
  order: OrderSpec;
}

interface Expect {
  description: string;
  /** not evaluated, and why (no-policy-for-plan) */
  skipped?: 'no-policy-for-plan';
  covered?: 'covered' | 'not-covered' | 'conditional';
  paNeeded?: 'auth-needed' | 'satisfied' | 'no-auth';
  cards?: Array<'coverage-info' | 'limits' | 'off-guideline' | 'missing-data'>;
  criteria?: Record<string, 'met' | 'not-met' | 'not-documented'>;
  suggestedDose?: { value: number; unit: 'mg' | 'ug' };
}

interface Scenario {
  policy: 'bsc-blinatumomab' | 'bcbsnc-inotuzumab';
  name: string;
  chart: Chart;
  expect: Expect;
}

// ------------------------------------------------------------------ base charts

const ALL_REMISSION: Dx = { icd: 'C91.01', display: 'Acute lymphoblastic leukemia, in remission', clinicalStatus: 'remission' };
const ALL_RELAPSE: Dx = { icd: 'C91.02', display: 'Acute lymphoblastic leukemia, in relapse', clinicalStatus: 'relapse' };
const ALL_NOT_IN_REMISSION: Dx = {
  icd: 'C91.00',
  display: 'Acute lymphoblastic leukemia not having achieved remission',
  clinicalStatus: 'active',
};

/** Adult, 70 kg, Ph-negative B-ALL in first remission, BSC commercial; blinatumomab consolidation cycle 1, 28 ug/d. */
function adultBlin(): Chart {
  return {
    birthDate: '1984-03-15',
    gender: 'male',
    payer: 'blue-shield-ca',
    specialty: { code: '207RH0003X', display: 'Hematology & Oncology' },
    dx: [ALL_REMISSION],
    weight: { value: 70, unit: 'kg' },
    heightCm: 175,
    ph: 'negative',
    prior: PRIOR_INDUCTION,
    active: [],
    draftPartners: [],
    order: {
      drug: 'blinatumomab',
      coding: 'rxnorm',
      rate: { value: 28, unit: 'ug/d' },
      phase: 'consolidation',
      cycle: 1,
      cycleDay: 1,
    },
  };
}

/** Child, 30 kg, 120 cm (Mosteller BSA exactly 1.00 m2), pediatric hem-onc. */
function childBlin(): Chart {
  return {
    ...adultBlin(),
    birthDate: '2017-06-10',
    gender: 'female',
    specialty: { code: '2080P0207X', display: 'Pediatric Hematology-Oncology' },
    weight: { value: 30, unit: 'kg' },
    heightCm: 120,
    order: { ...adultBlin().order, rate: { value: 15, unit: 'ug/m2/d' } },
  };
}

/** 13-year-old under 45 kg (44 kg) with a measured BSA of 2.0 m2 (synthetic edge case for the not-to-exceed caps). */
function bigChildBlin(): Chart {
  return {
    ...childBlin(),
    birthDate: '2013-05-05',
    weight: { value: 44, unit: 'kg' },
    heightCm: undefined,
    bsa: 2.0,
  };
}

/** Adult relapsed B-ALL (C91.02, clinicalStatus relapse), R/R cycle 1 days 1-7 at 9 ug/d. */
function rrAdultBlin(): Chart {
  return {
    ...adultBlin(),
    weight: { value: 80, unit: 'kg' },
    heightCm: 180,
    dx: [ALL_RELAPSE],
    order: {
      drug: 'blinatumomab',
      coding: 'rxnorm',
      rate: { value: 9, unit: 'ug/d' },
      phase: 'relapsed-refractory',
      cycle: 1,
      cycleDay: 1,
      lastDay: 7,
    },
  };
}

function rrChildBlin(): Chart {
  return { ...childBlin(), dx: [ALL_RELAPSE], order: { ...rrAdultBlin().order, rate: { value: 5, unit: 'ug/m2/d' } } };
}

/** Ph-negative maintenance on POMP (POMP drugs active), maintenance cycle 4 of blinatumomab 28 ug/d. */
function maintenanceBlin(): Chart {
  return {
    ...adultBlin(),
    active: POMP,
    order: { drug: 'blinatumomab', coding: 'rxnorm', rate: { value: 28, unit: 'ug/d' }, phase: 'maintenance', cycle: 4, cycleDay: 1 },
  };
}

/** Infant (6 months, 7.5 kg, measured BSA 0.40), infant ALL, Interfant regimen stated, 15 ug/m2/d, no phase. */
function infantBlin(): Chart {
  return (
    {
      ...childBlin(),
      birthDate: '2026-05-20',
      gender: 'male',
      dx: [{ ...ALL_NOT_IN_REMISSION, onset: '2026-09-02' }],
      weight: { value: 7.5, unit: 'kg' },
      heightCm: 66,
      bsa: 0.4,
      ph: undefined,
      prior: [],
      active: [DRUGS.cytarabine],
      order: {
        drug: 'blinatumomab',
        coding: 'rxnorm',
        rate: { value: 15, unit: 'ug/m2/d' },
        note: 'KMT2A-rearranged infant ALL; blinatumomab given within the Interfant regimen (Interfant-21).',
        text: 'Blinatumomab 15 mcg/m2/day continuous IV infusion, days 1-28',
      },
    }
  );
}

/** Adult R/R B-ALL on BCBSNC, inotuzumab cycle 1 (0.8 mg/m2 day 1, 0.5 mg/m2 days 8 and 15). */
function adultIno(): Chart {
  return {
    ...adultBlin(),
    payer: 'bcbs-nc',
    dx: [ALL_RELAPSE],
    order: {
      drug: 'inotuzumab',
      coding: 'rxnorm',
      dose: { value: 0.8, unit: 'mg/m2' },
      frequency: { count: 3, periodDays: 21 },
      cycle: 1,
      cycleDay: 1,
      text: 'Inotuzumab ozogamicin 0.8 mg/m2 IV day 1, then 0.5 mg/m2 days 8 and 15; cycle 1 (21 days)',
    },
  };
}

// ------------------------------------------------------------------ the scenarios

const BLIN = 'bsc-blinatumomab' as const;
const INO = 'bcbsnc-inotuzumab' as const;

function blin(name: string, chart: Chart, expect: Expect): Scenario {
  return { policy: BLIN, name, chart, expect };
}
function ino(name: string, chart: Chart, expect: Expect): Scenario {
  return { policy: INO, name, chart, expect };
}

const PA_ON_FILE = { start: '2026-11-20', end: '2027-11-19' };
const PA_EXPIRED = { start: '2025-11-01', end: '2026-10-31' };

const scenarios: Scenario[] = [
  // ---------------------------------------------------------------- 004: each alternative met
  blin('1a-i-consolidation-single-agent', adultBlin(), {
    description: '004 1.a.i: adult 70 kg, consolidation cycle 1, single agent, 28 ug/d (at the >=45 kg limit); no PA on file',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: {
      'bsc-blin-1a-dx': 'met',
      'bsc-blin-1a-phase': 'met',
      'bsc-blin-1a-i': 'met',
      'bsc-blin-1a-regimen': 'met',
      'bsc-blin-1a-cycles': 'met',
      'bsc-blin-1a-all': 'met',
      'bsc-blin-1b-phase': 'not-met',
      'bsc-blin-1c-phase': 'not-met',
      'bsc-blin-1d-infant': 'not-met',
    },
  }),
  blin(
    '1a-ii-consolidation-tki-ph-positive',
    { ...adultBlin(), ph: 'positive', draftPartners: [DRUGS.dasatinib], order: { ...adultBlin().order, cycle: 2 } },
    {
      description: '004 1.a.ii: Ph+ consolidation cycle 2 with dasatinib signed together, 28 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: {
        'bsc-blin-1a-i': 'not-met',
        'bsc-blin-1a-ii-tki': 'met',
        'bsc-blin-1a-ii-ph-pos': 'met',
        'bsc-blin-1a-ii': 'met',
        'bsc-blin-1a-all': 'met',
      },
    },
  ),
  blin('1b-maintenance-pomp-ph-negative-cycle-4', maintenanceBlin(), {
    description: '004 1.b: Ph- maintenance cycle 4 with POMP drugs active, 28 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: {
      'bsc-blin-1b-phase': 'met',
      'bsc-blin-1b-pomp-partners': 'met',
      'bsc-blin-1b-pomp': 'met',
      'bsc-blin-1b-ph-neg': 'met',
      'bsc-blin-1b-cycles': 'met',
      'bsc-blin-1b-all': 'met',
    },
  }),
  blin(
    '1b-maintenance-stated-alternating-pomp-cycle-8',
    {
      ...maintenanceBlin(),
      active: [],
      order: { ...maintenanceBlin().order, cycle: 8, note: 'Single agent, alternating with POMP maintenance.' },
    },
    {
      description: '004 1.b: Ph- maintenance cycle 8; no POMP drug active on the day, order states "alternating with POMP"',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: {
        'bsc-blin-1b-pomp-stated': 'met',
        'bsc-blin-1b-pomp': 'met',
        'bsc-blin-1b-cycles': 'met',
        'bsc-blin-1b-all': 'met',
      },
    },
  ),
  blin('1c-i-rr-single-agent-c1-days-1-7', rrAdultBlin(), {
    description: '004 1.c.i: relapsed B-ALL (C91.02), single agent, cycle 1 days 1-7 at 9 ug/d (at the limit)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: {
      'bsc-blin-1c-dx': 'met',
      'bsc-blin-1c-phase': 'met',
      'bsc-blin-1c-i': 'met',
      'bsc-blin-1c-cycles': 'met',
      'bsc-blin-1c-all': 'met',
      'bsc-blin-1a-phase': 'not-met',
    },
  }),
  blin(
    '1c-ii-rr-tki-ph-positive',
    {
      ...rrAdultBlin(),
      ph: 'positive',
      active: [DRUGS.ponatinib],
      order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycle: 2, cycleDay: 1, lastDay: 28 },
    },
    {
      description: '004 1.c.ii: Ph+ relapsed B-ALL, with ponatinib active, cycle 2 at 28 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: {
        'bsc-blin-1c-i': 'not-met',
        'bsc-blin-1c-ii-tki': 'met',
        'bsc-blin-1c-ii-ph-pos': 'met',
        'bsc-blin-1c-ii': 'met',
        'bsc-blin-1c-all': 'met',
      },
    },
  ),
  blin(
    '1c-iii-rr-inotuzumab-mini-hyper-cvd-ph-negative',
    {
      ...rrAdultBlin(),
      active: [DRUGS.inotuzumab, ...MINI_HYPER_CVD],
      order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycle: 1, cycleDay: 8, lastDay: 28 },
    },
    {
      description: '004 1.c.iii: Ph- relapsed B-ALL with inotuzumab ozogamicin + mini-hyper-CVD active, cycle 1 days 8-28 at 28 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: {
        'bsc-blin-1c-i': 'not-met',
        'bsc-blin-1c-iii-ino': 'met',
        'bsc-blin-1c-iii-mini-hcvd': 'met',
        'bsc-blin-1c-iii-ph-neg': 'met',
        'bsc-blin-1c-iii': 'met',
        'bsc-blin-1c-all': 'met',
      },
    },
  ),
  blin(
    '1d-infant-interfant-regimen',
    infantBlin(),
    {
      description: '004 1.d: 6-month-old with infant ALL, Interfant regimen stated, 15 ug/m2/d at BSA 0.40 (6 ug/d); phase not stated, inferred as induction (not in remission, no prior therapy), so 1.a-1.c do not apply',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: {
        'bsc-blin-1d-dx': 'met',
        'bsc-blin-1d-infant': 'met',
        'bsc-blin-1d-interfant': 'met',
        'bsc-blin-1d-all': 'met',
        'bsc-blin-1a-phase': 'not-met',
      },
    },
  ),
  blin(
    'not-documented-infant-without-interfant-statement',
    { ...infantBlin(), order: { ...infantBlin().order, note: 'KMT2A-rearranged infant ALL.' } },
    {
      description: '004 1.d: 6-month-old with infant ALL, but the order does not state an Interfant regimen (and no phase)',
      covered: 'conditional',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'missing-data'],
      criteria: { 'bsc-blin-1d-infant': 'met', 'bsc-blin-1d-interfant': 'not-documented', 'bsc-blin-1d-all': 'not-documented' },
    },
  ),
  blin('not-met-rr-cycle-10', { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycle: 10, cycleDay: 1, lastDay: 28 } }, {
    description: '004 coverage period: R/R cycle 10 exceeds "up to 9 total treatment cycles" (2 induction + 3 consolidation + 4 continued)',
    covered: 'not-covered',
    cards: ['off-guideline'],
    criteria: { 'bsc-blin-1c-cycles': 'not-met', 'bsc-blin-1c-i': 'met', 'bsc-blin-1c-all': 'not-met' },
  }),

  // ---------------------------------------------------------------- 004: not met
  blin('not-met-maintenance-ph-positive-pomp', { ...maintenanceBlin(), ph: 'positive' }, {
    description: '004 1.b not met: Ph+ patient, maintenance with POMP (1.b is for Ph- only); no other alternative applies',
    covered: 'not-covered',
    cards: ['off-guideline'],
    criteria: { 'bsc-blin-1b-ph-neg': 'not-met', 'bsc-blin-1b-all': 'not-met', 'bsc-blin-1a-phase': 'not-met', 'bsc-blin-1c-phase': 'not-met' },
  }),
  blin(
    'not-met-wrong-diagnosis-c92',
    { ...adultBlin(), dx: [{ icd: 'C92.00', display: 'Acute myeloblastic leukemia, not having achieved remission', clinicalStatus: 'active' }] },
    {
      description: '004 not met: AML (C92.00) is outside C91.00-C91.02',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: {
        'bsc-blin-1a-dx': 'not-met',
        'bsc-blin-1b-dx': 'not-met',
        'bsc-blin-1c-dx': 'not-met',
        'bsc-blin-1d-dx': 'not-met',
        'bsc-blin-1a-phase': 'met',
        'bsc-blin-1a-all': 'not-met',
      },
    },
  ),
  blin(
    'not-met-rr-ph-positive-combination-without-tki',
    {
      ...rrAdultBlin(),
      ph: 'positive',
      active: [DRUGS.inotuzumab, ...MINI_HYPER_CVD],
      order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycle: 2, cycleDay: 1, lastDay: 28 },
    },
    {
      description: '004 1.c not met: Ph+ relapsed B-ALL combined with inotuzumab + mini-hyper-CVD and no TKI (1.c.iii is for Ph- only)',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: {
        'bsc-blin-1c-i': 'not-met',
        'bsc-blin-1c-ii-tki': 'not-met',
        'bsc-blin-1c-ii': 'not-met',
        'bsc-blin-1c-iii-ph-neg': 'not-met',
        'bsc-blin-1c-iii': 'not-met',
        'bsc-blin-1c-regimen': 'not-met',
        'bsc-blin-1c-all': 'not-met',
      },
    },
  ),
  blin('not-met-consolidation-cycle-5', { ...adultBlin(), order: { ...adultBlin().order, cycle: 5 } }, {
    description: '004 coverage period: consolidation cycle 5 exceeds "up to 4 treatment cycles"',
    covered: 'not-covered',
    cards: ['off-guideline'],
    criteria: { 'bsc-blin-1a-cycles': 'not-met', 'bsc-blin-1a-i': 'met', 'bsc-blin-1a-all': 'not-met' },
  }),
  blin('not-met-maintenance-pomp-cycle-5', { ...maintenanceBlin(), order: { ...maintenanceBlin().order, cycle: 5 } }, {
    description: '004 1.b: maintenance cycle 5 is a POMP cycle (blinatumomab only in cycles 4, 8, 12)',
    covered: 'not-covered',
    cards: ['off-guideline'],
    criteria: { 'bsc-blin-1b-cycles': 'not-met', 'bsc-blin-1b-all': 'not-met' },
  }),

  // ---------------------------------------------------------------- 004: not documented
  blin(
    'phase-inferred-consolidation-cycle-from-history',
    {
      ...adultBlin(),
      order: { drug: 'blinatumomab', coding: 'rxnorm', rate: { value: 28, unit: 'ug/d' }, text: 'Blinatumomab 28 mcg/day continuous IV infusion, days 1-28' },
    },
    {
      description: '004 (phase inference): adult in remission (C91.01) after induction, single agent, no POMP, no phase and no cycle stated: phase inferred as consolidation; no earlier blinatumomab in the chart, so the consolidation cycle is cycle 1 (from history): covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'missing-data'],
      criteria: {
        'bsc-blin-1a-phase': 'met',
        'bsc-blin-1b-phase': 'not-met',
        'bsc-blin-1c-phase': 'not-met',
        'bsc-blin-1a-cycles': 'met',
        'bsc-blin-1a-i': 'met',
        'bsc-blin-1d-infant': 'not-met',
      },
    },
  ),
  blin(
    'not-documented-ph-status-missing-with-tki',
    { ...adultBlin(), ph: undefined, draftPartners: [DRUGS.dasatinib], order: { ...adultBlin().order, cycle: 2 } },
    {
      description: '004 1.a.ii: consolidation with dasatinib but no Philadelphia-chromosome result in the chart',
      covered: 'conditional',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'missing-data'],
      criteria: {
        'bsc-blin-1a-i': 'not-met',
        'bsc-blin-1a-ii-tki': 'met',
        'bsc-blin-1a-ii-ph-pos': 'not-documented',
        'bsc-blin-1a-all': 'not-documented',
      },
    },
  ),
  blin('not-documented-weight-missing', { ...adultBlin(), weight: undefined }, {
    description:
      '004 dose: consolidation single agent 28 ug/d, criteria met, but no body weight: the 45 kg dose band cannot be chosen (dose check not documented)',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),
  blin('not-documented-bsa-missing-child', { ...childBlin(), heightCm: undefined }, {
    description: '004 dose: child 30 kg (<45 kg band) ordered 15 ug/m2/d, no height or BSA: the mcg/m2 cap cannot be checked',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),

  // ---------------------------------------------------------------- 004: dose bands
  blin('dose-consolidation-adult-under-20', { ...adultBlin(), order: { ...adultBlin().order, rate: { value: 20, unit: 'ug/d' } } }, {
    description: '004 dose: consolidation >=45 kg, 20 ug/d (under 28 ug/d)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('dose-consolidation-adult-over-30', { ...adultBlin(), order: { ...adultBlin().order, rate: { value: 30, unit: 'ug/d' } } }, {
    description: '004 dose: consolidation >=45 kg, 30 ug/d exceeds 28 ug/d: suggest 28 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 28, unit: 'ug' },
  }),
  blin('dose-consolidation-child-under-10-per-m2', { ...childBlin(), order: { ...childBlin().order, rate: { value: 10, unit: 'ug/m2/d' } } }, {
    description: '004 dose: consolidation <45 kg (30 kg, BSA 1.00 by Mosteller), 10 ug/m2/d = 10 ug/d (under 15 ug/m2/d)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('dose-consolidation-child-at-15-per-m2', childBlin(), {
    description: '004 dose: consolidation <45 kg (30 kg, BSA 1.00), 15 ug/m2/d = 15 ug/d (at the limit)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('dose-consolidation-child-over-20-per-m2', { ...childBlin(), order: { ...childBlin().order, rate: { value: 20, unit: 'ug/m2/d' } } }, {
    description: '004 dose: consolidation <45 kg (BSA 1.00), 20 ug/m2/d = 20 ug/d exceeds 15 ug/m2/d: suggest 15 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 15, unit: 'ug' },
  }),
  blin('dose-consolidation-child-bsa-2-not-to-exceed-28', bigChildBlin(), {
    description: '004 dose: consolidation 44 kg, measured BSA 2.0, 15 ug/m2/d = 30 ug/d exceeds the 28 ug/d not-to-exceed cap: suggest 28 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 28, unit: 'ug' },
  }),
  blin('dose-maintenance-over-35', { ...maintenanceBlin(), order: { ...maintenanceBlin().order, cycle: 8, rate: { value: 35, unit: 'ug/d' } } }, {
    description: '004 dose: maintenance cycle 8, 35 ug/d exceeds 28 ug/d: suggest 28 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 28, unit: 'ug' },
  }),
  blin('dose-rr-adult-c1-days-1-7-over-28', { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' } } }, {
    description: '004 dose: R/R >=45 kg cycle 1 days 1-7 at 28 ug/d exceeds the 9 ug/d step dose: suggest 9 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 9, unit: 'ug' },
  }),
  blin(
    'dose-rr-adult-c1-days-8-28-at-28',
    { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycleDay: 8, lastDay: 28 } },
    {
      description: '004 dose: R/R >=45 kg cycle 1 days 8-28 at 28 ug/d (at the limit)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin(
    'dose-rr-adult-cycle-2-over-30',
    { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 30, unit: 'ug/d' }, cycle: 2, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 dose: R/R >=45 kg cycle 2 at 30 ug/d exceeds 28 ug/d: suggest 28 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 28, unit: 'ug' },
    },
  ),
  blin('dose-rr-child-c1-days-1-7-at-5-per-m2', rrChildBlin(), {
    description: '004 dose: R/R <45 kg (BSA 1.00) cycle 1 days 1-7 at 5 ug/m2/d = 5 ug/d (at the limit)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('dose-rr-child-c1-days-1-7-bsa-2-not-to-exceed-9', { ...bigChildBlin(), dx: [ALL_RELAPSE], order: rrChildBlin().order }, {
    description: '004 dose: R/R 44 kg, measured BSA 2.0, cycle 1 days 1-7 at 5 ug/m2/d = 10 ug/d exceeds the 9 ug/d not-to-exceed cap: suggest 9 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 9, unit: 'ug' },
  }),
  blin(
    'dose-rr-child-c1-days-1-7-absolute-over-9',
    { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 9, unit: 'ug/d' } } },
    {
      description: '004 dose: R/R <45 kg (BSA 1.00) cycle 1 days 1-7 ordered 9 ug/d (the adult step dose) exceeds 5 ug/m2/d = 5 ug/d: suggest 5 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 5, unit: 'ug' },
    },
  ),
  blin(
    'dose-rr-child-c1-days-8-28-over-20-per-m2',
    { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 20, unit: 'ug/m2/d' }, cycleDay: 8, lastDay: 28 } },
    {
      description: '004 dose: R/R <45 kg (BSA 1.00) cycle 1 days 8-28 at 20 ug/m2/d exceeds 15 ug/m2/d: suggest 15 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 15, unit: 'ug' },
    },
  ),
  blin(
    'dose-rr-child-cycle-3-absolute-15',
    { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 15, unit: 'ug/d' }, cycle: 3, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 dose: R/R <45 kg (BSA 1.00) cycle 3 at 15 ug/d absolute = 15 ug/m2/d (at the limit)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin('weight-in-pounds-154-lb-adult-band', { ...adultBlin(), weight: { value: 154, unit: '[lb_av]' } }, {
    description: '004 dose: weight 154 [lb_av] = 69.9 kg (>=45 kg band), consolidation 28 ug/d at the limit',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('weight-in-pounds-99-lb-under-45-band', { ...adultBlin(), weight: { value: 99, unit: '[lb_av]' }, heightCm: undefined, bsa: 1.4 }, {
    description:
      '004 dose: weight 99 [lb_av] = 44.9 kg (<45 kg band), BSA 1.4, consolidation 28 ug/d exceeds 15 ug/m2/d = 21 ug/d: suggest 21 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 21, unit: 'ug' },
  }),

  // ---------------------------------------------------------------- 004: authorization and coding
  blin('pa-satisfied', { ...adultBlin(), pa: PA_ON_FILE }, {
    description: '004: consolidation single agent 28 ug/d with an approved, current prior authorization on file',
    covered: 'covered',
    paNeeded: 'satisfied',
    cards: [],
  }),
  blin('pa-expired', { ...adultBlin(), pa: PA_EXPIRED }, {
    description: '004: the prior authorization on file expired 2026-10-31, before the service date',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('hcpcs-j9039-dose-quantity', { ...adultBlin(), order: { ...adultBlin().order, coding: 'hcpcs', rate: undefined, dose: { value: 28, unit: 'ug' } } }, {
    description: '004: order coded HCPCS J9039 only, 28 ug once daily for 28 days (doseQuantity form), consolidation cycle 1',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),

  // ---------------------------------------------------------------- 004: drug coding variants and an authorization for another drug
  blin('drug-rxnorm-ingredient-1597258', { ...adultBlin(), order: { ...adultBlin().order, coding: 'ingredient' } }, {
    description: '004: order coded only by RxNorm ingredient 1597258 (no text), consolidation cycle 1 single agent 28 ug/d: recognised, covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),
  blin('drug-ndc-55513-160-01', { ...adultBlin(), order: { ...adultBlin().order, coding: 'ndc' } }, {
    description: '004: order coded only by NDC 55513-160-01 (10-digit hyphenated, no text), consolidation cycle 1 single agent 28 ug/d: recognised, covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),
  blin('drug-contained-medication-reference', { ...adultBlin(), order: { ...adultBlin().order, coding: 'contained' } }, {
    description: '004: order gives the drug by medicationReference to a contained Medication coded RxNorm SBD 1597267 [Blincyto]; consolidation cycle 1 28 ug/d: covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),
  blin('drug-ndc-11-digit-55513016001', { ...adultBlin(), order: { ...adultBlin().order, coding: 'ndc11' } }, {
    description: '004: order coded only by the 11-digit NDC 55513016001 (no hyphens, no text), consolidation cycle 1 single agent 28 ug/d: recognised, covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),
  blin(
    'hcpcs-j9039-https-system',
    { ...adultBlin(), order: { ...adultBlin().order, coding: 'hcpcs-https', rate: undefined, dose: { value: 28, unit: 'ug' } } },
    {
      description: '004 "HCPCS: J9039 per 1 mcg": order coded J9039 under the https HCPCS system URL only, 28 ug once daily, consolidation cycle 1: recognised, covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'bsc-blin-1a-all': 'met' },
    },
  ),
  blin('weight-in-grams-adult-band', { ...adultBlin(), weight: { value: 70000, unit: 'g' } }, {
    description: '004 dose: weight 70000 g = 70 kg (>=45 kg band), consolidation 28 ug/d at the limit',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('height-in-metres-child-bsa-computed', { ...childBlin(), heightCm: undefined, heightM: 1.2 }, {
    description: '004 dose, consolidation <45 kg: 30 kg, height 1.2 m, no BSA: Mosteller 1.00 m2; 15 ug/m2/d (at the limit)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('pa-ends-on-service-date', { ...adultBlin(), pa: { start: '2026-06-02', end: '2026-12-01' } }, {
    description: '004 §2: the approved authorization on file ends on the service date (2026-12-01, inclusive): satisfied, no card',
    covered: 'covered',
    paNeeded: 'satisfied',
    cards: [],
  }),
  blin('not-documented-weight-older-than-30-days', { ...adultBlin(), vitalsDate: '2026-10-31' }, {
    description:
      '004 dose: consolidation single agent 28 ug/d, the only weight and height are from 2026-10-31 (31 days before the service date, outside the 30-day window): weight band not documented',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: { 'bsc-blin-1a-all': 'met' },
  }),
  blin('weight-30-days-old-in-window', { ...adultBlin(), vitalsDate: '2026-11-01' }, {
    description: '004 dose: weight and height from 2026-11-01 (30 days before the service date, inside the window): >=45 kg band, 28 ug/d at the limit',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('not-met-infant-12-months-on-service-date', { ...infantBlin(), birthDate: '2025-12-01', dx: [{ ...ALL_NOT_IN_REMISSION, onset: '2026-12-01' }] }, {
    description: '004 1.d: diagnosed on the first birthday (12 months at diagnosis, not under 12): infant ALL not met; phase inferred as induction (C91.00, no prior therapy), so 1.a-1.c do not apply: not covered',
    covered: 'not-covered',
    cards: ['off-guideline'],
    criteria: { 'bsc-blin-1d-infant': 'not-met', 'bsc-blin-1d-interfant': 'met', 'bsc-blin-1d-all': 'not-met', 'bsc-blin-1a-phase': 'not-met' },
  }),
  blin('pa-by-ndc', { ...adultBlin(), pa: { ...PA_ON_FILE, byNdc: true } }, {
    description: '004 §2: the current approved authorization names the drug by NDC 55513-160-01 only: satisfied, no card',
    covered: 'covered',
    paNeeded: 'satisfied',
    cards: [],
  }),
  blin('pa-partial-outcome', { ...adultBlin(), pa: { ...PA_ON_FILE, outcome: 'partial' } }, {
    description: '004 §2: current authorization with outcome partial (approved in part) counts as on file (conventions: complete or partial): satisfied',
    covered: 'covered',
    paNeeded: 'satisfied',
    cards: [],
  }),
  blin('pa-outcome-error-denied', { ...adultBlin(), pa: { ...PA_ON_FILE, outcome: 'error' } }, {
    description: '004 §2: the only authorization on file has outcome error (denied): not an approval, auth needed',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('pa-cancelled', { ...adultBlin(), pa: { ...PA_ON_FILE, status: 'cancelled' } }, {
    description: '004 §2: the only authorization on file is cancelled (ClaimResponse.status cancelled): auth needed',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('pa-for-another-drug', { ...adultBlin(), pa: { ...PA_ON_FILE, otherDrug: true } }, {
    description: '004 §2: the current approved authorization on file is for inotuzumab (J9229), not blinatumomab: auth needed',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),

  // ---------------------------------------------------------------- 004: dose limits, the remaining under / at / over
  blin('dose-maintenance-under-20', { ...maintenanceBlin(), order: { ...maintenanceBlin().order, rate: { value: 20, unit: 'ug/d' } } }, {
    description: '004 dose, maintenance: cycle 4 at 20 ug/d (under 28 ug/d)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('dose-rr-adult-c1-days-1-7-under-5', { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 5, unit: 'ug/d' } } }, {
    description: '004 dose, R/R >=45 kg cycle 1 days 1-7: 5 ug/d (under the 9 ug/d step dose)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin(
    'dose-rr-adult-c1-days-8-28-under-20',
    { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 20, unit: 'ug/d' }, cycleDay: 8, lastDay: 28 } },
    {
      description: '004 dose, R/R >=45 kg cycle 1 days 8-28: 20 ug/d (under 28 ug/d)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin(
    'dose-rr-adult-c1-days-8-28-over-30',
    { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 30, unit: 'ug/d' }, cycleDay: 8, lastDay: 28 } },
    {
      description: '004 dose, R/R >=45 kg cycle 1 days 8-28: 30 ug/d exceeds 28 ug/d: suggest 28 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 28, unit: 'ug' },
    },
  ),
  blin(
    'dose-rr-adult-cycle-2-under-20',
    { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 20, unit: 'ug/d' }, cycle: 2, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 dose, R/R >=45 kg subsequent cycles: cycle 2 single agent at 20 ug/d (under 28 ug/d)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin(
    'dose-rr-adult-cycle-2-at-28',
    { ...rrAdultBlin(), order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycle: 2, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 dose, R/R >=45 kg subsequent cycles: cycle 2 single agent at 28 ug/d (at the limit)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin('dose-rr-child-c1-days-1-7-under-3-per-m2', { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 3, unit: 'ug/m2/d' } } }, {
    description: '004 dose, R/R <45 kg (30 kg, BSA 1.00) cycle 1 days 1-7: 3 ug/m2/d = 3 ug/d (under 5 ug/m2/d)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin(
    'dose-rr-child-c1-days-8-28-under-10-per-m2',
    { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 10, unit: 'ug/m2/d' }, cycleDay: 8, lastDay: 28 } },
    {
      description: '004 dose, R/R <45 kg (BSA 1.00) cycle 1 days 8-28: 10 ug/m2/d (under 15 ug/m2/d)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin(
    'dose-rr-child-c1-days-8-28-at-15-per-m2',
    { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 15, unit: 'ug/m2/d' }, cycleDay: 8, lastDay: 28 } },
    {
      description: '004 dose, R/R <45 kg (BSA 1.00) cycle 1 days 8-28: 15 ug/m2/d (at the limit)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin(
    'dose-rr-child-cycle-3-under-10-per-m2',
    { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 10, unit: 'ug/m2/d' }, cycle: 3, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 dose, R/R <45 kg (BSA 1.00) subsequent cycles: cycle 3 at 10 ug/m2/d (under 15 ug/m2/d)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
    },
  ),
  blin(
    'dose-rr-child-cycle-3-over-20-per-m2',
    { ...rrChildBlin(), order: { ...rrChildBlin().order, rate: { value: 20, unit: 'ug/m2/d' }, cycle: 3, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 dose, R/R <45 kg (BSA 1.00) subsequent cycles: cycle 3 at 20 ug/m2/d exceeds 15 ug/m2/d: suggest 15 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 15, unit: 'ug' },
    },
  ),
  blin(
    'dose-rr-child-cycle-2-bsa-2-not-to-exceed-28',
    { ...bigChildBlin(), dx: [ALL_RELAPSE], order: { ...rrChildBlin().order, rate: { value: 15, unit: 'ug/m2/d' }, cycle: 2, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 dose, R/R <45 kg subsequent cycles: 44 kg, measured BSA 2.0, cycle 2 at 15 ug/m2/d = 30 ug/d exceeds the 28 ug/d not-to-exceed cap: suggest 28 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 28, unit: 'ug' },
    },
  ),
  blin('dose-infant-under-10-per-m2', { ...infantBlin(), order: { ...infantBlin().order, rate: { value: 10, unit: 'ug/m2/d' } } }, {
    description: '004 dose, infant ALL (1.d; the <45 kg cap is applied, reading): 10 ug/m2/d at BSA 0.40 = 4 ug/d (under 15 ug/m2/d)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('dose-infant-over-20-per-m2', { ...infantBlin(), order: { ...infantBlin().order, rate: { value: 20, unit: 'ug/m2/d' } } }, {
    description: '004 dose, infant ALL (1.d; the <45 kg cap is applied, reading): 20 ug/m2/d at BSA 0.40 = 8 ug/d exceeds 15 ug/m2/d: suggest 6 ug/d',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'limits'],
    suggestedDose: { value: 6, unit: 'ug' },
  }),
  blin(
    'schedule-twice-daily-over',
    { ...adultBlin(), order: { ...adultBlin().order, rate: undefined, dose: { value: 28, unit: 'ug' }, frequency: { count: 2, periodDays: 1 } } },
    {
      description: '004 schedule: consolidation >=45 kg, 28 ug twice a day (2 administrations per day, 56 ug/d) exceeds one 28 ug/d infusion per day: suggest 28 ug once a day',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 28, unit: 'ug' },
    },
  ),
  blin('units-lb-in-child-bsa-computed', { ...childBlin(), weight: { value: 66, unit: '[lb_av]' }, heightCm: undefined, heightIn: 48 }, {
    description:
      '004 dose, consolidation <45 kg: weight 66 [lb_av] = 29.9 kg, height 48 [in_i] = 121.9 cm, no BSA: Mosteller 1.01 m2; 15 ug/m2/d (at the limit)',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin(
    'units-lb-in-child-bsa-computed-over',
    { ...childBlin(), weight: { value: 66, unit: '[lb_av]' }, heightCm: undefined, heightIn: 48, order: { ...childBlin().order, rate: { value: 20, unit: 'ug/d' } } },
    {
      description:
        '004 dose, consolidation <45 kg: 66 [lb_av], 48 [in_i], Mosteller BSA 1.01 m2; 20 ug/d = 19.9 ug/m2/d exceeds 15 ug/m2/d: suggest 15 ug/d',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'limits'],
      suggestedDose: { value: 15, unit: 'ug' },
    },
  ),

  // ---------------------------------------------------------------- 004: more criteria not met / not documented
  blin('not-documented-diagnosis-missing', { ...adultBlin(), dx: null }, {
    description: '004 ICD-10 C91.00-C91.02: no Condition in the chart and no reason on the order: diagnosis not documented for every alternative',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: {
      'bsc-blin-1a-dx': 'not-documented',
      'bsc-blin-1b-dx': 'not-documented',
      'bsc-blin-1c-dx': 'not-documented',
      'bsc-blin-1d-dx': 'not-documented',
      'bsc-blin-1a-i': 'met',
      'bsc-blin-1a-all': 'not-documented',
    },
  }),
  blin('not-documented-maintenance-cycle-not-stated', { ...maintenanceBlin(), order: { ...maintenanceBlin().order, cycle: undefined, cycleDay: undefined } }, {
    description: '004 1.b "given on cycles 4, 8 and 12": Ph- maintenance with POMP active, 28 ug/d, no cycle number on the order: maintenance cycle not documented',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: { 'bsc-blin-1b-pomp': 'met', 'bsc-blin-1b-cycles': 'not-documented', 'bsc-blin-1b-all': 'not-documented' },
  }),
  blin('rr-cycle-from-history-none-earlier-step-dose', { ...rrAdultBlin(), order: { ...rrAdultBlin().order, cycle: undefined, cycleDay: undefined } }, {
    description:
      '004 R/R cycle 1 step dose from history: relapsed B-ALL single agent at 9 ug/d for 7 days, no cycle on the order and no earlier blinatumomab in the chart (only hyper-CVAD): cycle 1 day 1, the days 1-7 band (9 ug/d) applies and is met',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1c-i': 'met', 'bsc-blin-1c-cycles': 'met', 'bsc-blin-1c-infusion-days': 'met', 'bsc-blin-1c-treatment-free': 'met', 'bsc-blin-1c-all': 'met' },
  }),
  blin('consolidation-cycle-from-history-none-earlier', { ...adultBlin(), order: { ...adultBlin().order, cycle: undefined, cycleDay: undefined } }, {
    description: '004 coverage period "up to 4 treatment cycles": consolidation single agent 28 ug/d with no cycle number on the order and no earlier blinatumomab in the chart: cycle 1 from the history, within 4 cycles',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1a-cycles': 'met', 'bsc-blin-1a-i': 'met', 'bsc-blin-1a-all': 'met' },
  }),
  // the cycles-from-history variants with earlier blinatumomab runs (rr-cycle-from-history-*, not-met-rr-continuous-
  // infusion-35-days, not-met-rr-treatment-free-interval-7-days) were written from the first one by adding runs
  blin(
    'not-met-consolidation-tki-ph-negative',
    { ...adultBlin(), draftPartners: [DRUGS.dasatinib], order: { ...adultBlin().order, cycle: 2 } },
    {
      description: '004 1.a not met: Ph-negative consolidation with dasatinib signed together: not a single agent (1.a.i) and the TKI combination is for Ph+ only (1.a.ii)',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: {
        'bsc-blin-1a-i': 'not-met',
        'bsc-blin-1a-ii-tki': 'met',
        'bsc-blin-1a-ii-ph-pos': 'not-met',
        'bsc-blin-1a-ii': 'not-met',
        'bsc-blin-1a-regimen': 'not-met',
        'bsc-blin-1a-all': 'not-met',
      },
    },
  ),
  blin(
    'not-met-consolidation-ph-positive-non-tki-partner',
    { ...adultBlin(), ph: 'positive', draftPartners: [DRUGS.cytarabine], order: { ...adultBlin().order, cycle: 2 } },
    {
      description: '004 1.a not met: Ph+ consolidation with cytarabine signed together (no TKI): neither single agent (1.a.i) nor with a TKI (1.a.ii)',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: {
        'bsc-blin-1a-i': 'not-met',
        'bsc-blin-1a-ii-tki': 'not-met',
        'bsc-blin-1a-ii-ph-pos': 'met',
        'bsc-blin-1a-ii': 'not-met',
        'bsc-blin-1a-all': 'not-met',
      },
    },
  ),
  blin('not-documented-maintenance-pomp-not-stated', { ...maintenanceBlin(), active: [] }, {
    description: '004 1.b: Ph- maintenance cycle 4, no POMP drug active and no "alternating with POMP" statement: alternating with POMP not documented',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: {
      'bsc-blin-1b-pomp-partners': 'not-met',
      'bsc-blin-1b-pomp-stated': 'not-documented',
      'bsc-blin-1b-pomp': 'not-documented',
      'bsc-blin-1b-all': 'not-documented',
    },
  }),
  blin('not-documented-maintenance-ph-status-missing', { ...maintenanceBlin(), ph: undefined }, {
    description: '004 1.b: maintenance cycle 4 with POMP drugs active but no Philadelphia-chromosome result: Ph-negative not documented',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: { 'bsc-blin-1b-pomp': 'met', 'bsc-blin-1b-ph-neg': 'not-documented', 'bsc-blin-1b-all': 'not-documented' },
  }),
  blin(
    'not-met-rr-inotuzumab-without-mini-hyper-cvd',
    { ...rrAdultBlin(), active: [DRUGS.inotuzumab], order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycle: 1, cycleDay: 8, lastDay: 28 } },
    {
      description: '004 1.c not met: Ph- relapsed B-ALL with inotuzumab active but no mini-hyper-CVD drug (1.c.iii needs both); not single agent, no TKI',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: {
        'bsc-blin-1c-i': 'not-met',
        'bsc-blin-1c-ii-tki': 'not-met',
        'bsc-blin-1c-iii-ino': 'met',
        'bsc-blin-1c-iii-mini-hcvd': 'not-met',
        'bsc-blin-1c-iii': 'not-met',
        'bsc-blin-1c-all': 'not-met',
      },
    },
  ),
  blin(
    'not-documented-rr-ph-status-missing-with-tki',
    { ...rrAdultBlin(), ph: undefined, active: [DRUGS.ponatinib], order: { ...rrAdultBlin().order, rate: { value: 28, unit: 'ug/d' }, cycle: 2, cycleDay: 1, lastDay: 28 } },
    {
      description: '004 1.c.ii: relapsed B-ALL with ponatinib active, cycle 2 at 28 ug/d, but no Philadelphia-chromosome result: Ph+ not documented',
      covered: 'conditional',
      paNeeded: 'auth-needed',
      cards: ['coverage-info', 'missing-data'],
      criteria: {
        'bsc-blin-1c-ii-tki': 'met',
        'bsc-blin-1c-ii-ph-pos': 'not-documented',
        'bsc-blin-1c-ii': 'not-documented',
        'bsc-blin-1c-all': 'not-documented',
      },
    },
  ),

  // ---------------------------------------------------------------- 004: disease state read from the chart
  blin('phase-inferred-relapsed-from-c91-02', { ...rrAdultBlin(), order: { ...rrAdultBlin().order, phase: undefined, text: 'Blinatumomab 9 mcg/day continuous IV infusion, cycle 1 days 1-7' } }, {
    description: '004 1.c.i (phase inference): ALL coded C91.02 "in relapse", single agent, order states cycle 1 day 1 but no phase: phase inferred as relapsed/refractory: covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1c-phase': 'met', 'bsc-blin-1c-all': 'met', 'bsc-blin-1a-phase': 'not-met' },
  }),
  blin('phase-inferred-maintenance-from-remission-and-pomp', { ...maintenanceBlin(), order: { ...maintenanceBlin().order, phase: undefined, text: 'Blinatumomab 28 mcg/day continuous IV infusion, cycle 4' } }, {
    description: '004 1.b (phase inference): Ph- ALL in remission (C91.01) with POMP drugs active, cycle 4, no phase stated: phase inferred as maintenance: covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1b-phase': 'met', 'bsc-blin-1b-all': 'met', 'bsc-blin-1a-phase': 'not-met' },
  }),
  blin('phase-open-same-answer-consolidation-or-maintenance', { ...adultBlin(), prior: [], order: { ...adultBlin().order, phase: undefined, cycle: 4, note: 'Single agent; alternates with POMP.', text: 'Blinatumomab 28 mcg/day continuous IV infusion, cycle 4' } }, {
    description: '004 (enumerated phase): Ph- ALL in remission, no earlier therapy on file, single agent alternating with POMP (stated), cycle 4, no phase stated: consolidation (1.a.i, cycle 4 of 4) and maintenance (1.b, cycle 4) both covered: covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
  }),
  blin('phase-open-changes-answer-ph-positive-tki', { ...adultBlin(), prior: [], ph: 'positive', draftPartners: [DRUGS.dasatinib], order: { ...adultBlin().order, phase: undefined, text: 'Blinatumomab 28 mcg/day continuous IV infusion, cycle 1' } }, {
    description: '004 (enumerated phase): Ph+ ALL in remission with dasatinib, no earlier therapy on file, no phase stated: consolidation (1.a.ii) would be covered, maintenance (1.b, Ph- only) would not: the phase changes the answer: conditional',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: { 'bsc-blin-1a-phase': 'not-documented', 'bsc-blin-1a-ii': 'met' },
  }),
  blin('medi-cal-member-commercial-policy-not-applied', { ...adultBlin(), plan: 'medi-cal' }, {
    description: '004 is a Commercial policy: a Medi-Cal member of the same payer gets no coverage asserted from it (no system action); one info card (coverage-info) says the payer has no policy for the member\'s Medicaid plan',
    skipped: 'no-policy-for-plan',
    cards: ['coverage-info'],
  }),
  blin('regimen-prednisone-alone-is-not-pomp', { ...maintenanceBlin(), active: [DRUGS.prednisone] }, {
    description: '004 1.b (catalog/regimens.json): Ph- maintenance cycle 4 with only prednisone active: one POMP drug is not the POMP regimen, and no statement: alternating with POMP not documented',
    covered: 'conditional',
    paNeeded: 'auth-needed',
    cards: ['coverage-info', 'missing-data'],
    criteria: { 'bsc-blin-1b-pomp-partners': 'not-met', 'bsc-blin-1b-pomp': 'not-documented' },
  }),
  blin('regimen-dexamethasone-premedication-is-not-mini-hyper-cvd', { ...rrAdultBlin(), ph: 'negative', draftPartners: [DRUGS.inotuzumab, DRUGS.dexamethasone], order: { ...rrAdultBlin().order, cycleDay: 8, rate: { value: 28, unit: 'ug/d' } } }, {
    description: '004 1.c.iii (catalog/regimens.json): Ph- relapsed ALL with inotuzumab and its dexamethasone premedication only: dexamethasone is not mini-hyper-CVD: 1.c.iii not met; not single agent, no TKI: not covered',
    covered: 'not-covered',
    cards: ['off-guideline'],
    criteria: { 'bsc-blin-1c-iii-mini-hcvd': 'not-met', 'bsc-blin-1c-iii': 'not-met' },
  }),
  blin('lineage-t-all-relapsed-not-covered', { ...rrAdultBlin(), dx: [{ ...ALL_RELAPSE, text: 'Precursor T-cell lymphoblastic leukemia, in relapse' }] }, {
    description: '004 (reading: lineage): relapsed ALL coded C91.02 whose diagnosis names precursor T-cell ALL: blinatumomab (CD19) is for B-cell precursor ALL: not covered',
    covered: 'not-covered',
    cards: ['off-guideline'],
    criteria: { 'bsc-blin-1c-dx': 'met', 'bsc-blin-1c-lineage': 'not-met', 'bsc-blin-1c-all': 'not-met' },
  }),
  blin('lineage-b-precursor-stated-relapsed', { ...rrAdultBlin(), dx: [{ ...ALL_RELAPSE, text: 'B-cell precursor acute lymphoblastic leukemia, in relapse' }] }, {
    description: '004 1.c.i (reading: lineage): relapsed ALL whose diagnosis names B-cell precursor lineage: covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1c-lineage': 'met', 'bsc-blin-1c-all': 'met' },
  }),
  blin('infant-diagnosed-at-3-months-now-13-months', { ...infantBlin(), birthDate: '2025-11-01', dx: [{ ...ALL_NOT_IN_REMISSION, onset: '2026-02-10' }] }, {
    description: '004 1.d (reading: infant ALL = under 12 months at diagnosis): diagnosed at 3 months, 13 months old on the service date, Interfant regimen stated: infant ALL met, covered',
    covered: 'covered',
    paNeeded: 'auth-needed',
    cards: ['coverage-info'],
    criteria: { 'bsc-blin-1d-infant': 'met', 'bsc-blin-1d-all': 'met' },
  }),

  // ---------------------------------------------------------------- 003
  ino('rr-ball-relapse-in-chart', adultIno(), {
    description: '003 ¶1: relapsed B-ALL (C91.02, clinicalStatus relapse): covered, no prior authorization, no coverage-info card',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
    criteria: {
      'bcbsnc-ino-1-dx': 'met',
      'bcbsnc-ino-1-rr': 'met',
      'bcbsnc-ino-1-rr-chart': 'met',
      'bcbsnc-ino-1-all': 'met',
      'bcbsnc-ino-excl-no-malignancy': 'not-met',
      'bcbsnc-ino-excl-non-cancer-all': 'not-met',
    },
  }),
  ino(
    'rr-ball-refractory-stated',
    {
      ...adultIno(),
      dx: [ALL_NOT_IN_REMISSION],
      order: { ...adultIno().order, note: 'Primary refractory B-ALL: no remission after hyper-CVAD.' },
    },
    {
      description: '003 ¶1: B-ALL not in remission (C91.00) stated refractory on the order',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: { 'bcbsnc-ino-1-rr-stated-refractory': 'met', 'bcbsnc-ino-1-rr': 'met', 'bcbsnc-ino-1-all': 'met' },
    },
  ),
  ino(
    'rr-ball-hcpcs-j9229',
    { ...adultIno(), order: { ...adultIno().order, coding: 'hcpcs', dose: { value: 1.4, unit: 'mg' } } },
    {
      description: '003 ¶1: relapsed B-ALL, order coded HCPCS J9229 only (1 unit = 0.1 mg), 1.4 mg',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: { 'bcbsnc-ino-1-all': 'met' },
    },
  ),
  ino(
    'newly-diagnosed-all-no-relapse',
    {
      ...adultIno(),
      dx: [ALL_NOT_IN_REMISSION],
      prior: [],
      order: {
        ...adultIno().order,
        phase: 'induction',
        text: 'Inotuzumab ozogamicin 0.6 mg/m2 IV day 1, 0.3 mg/m2 day 8; induction, cycle 1',
        dose: { value: 0.6, unit: 'mg/m2' },
        frequency: { count: 2, periodDays: 28 },
      },
    },
    {
      description: '003: newly diagnosed B-ALL (C91.00), induction, no relapse or refractoriness documented and no label/compendia statement',
      covered: 'conditional',
      paNeeded: 'no-auth',
      cards: ['missing-data'],
      criteria: {
        'bcbsnc-ino-1-dx': 'met',
        'bcbsnc-ino-1-rr': 'not-documented',
        'bcbsnc-ino-1-rr-phase': 'not-met',
        'bcbsnc-ino-2-cancer-dx': 'met',
        'bcbsnc-ino-2-support': 'not-documented',
        'bcbsnc-ino-excl-non-cancer-all': 'not-met',
      },
    },
  ),
  ino(
    'fda-label-use-stated',
    {
      ...adultIno(),
      dx: [ALL_NOT_IN_REMISSION],
      order: { ...adultIno().order, note: 'Use in accordance with the FDA label.' },
    },
    {
      description: '003 ¶2 a: B-ALL (C91.00) without documented relapse, order states use per the FDA label: covered under ¶2',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: { 'bcbsnc-ino-2-fda-label': 'met', 'bcbsnc-ino-2-all': 'met', 'bcbsnc-ino-1-dx': 'met' },
    },
  ),
  ino(
    'other-cancer-compendia-supported',
    {
      ...adultIno(),
      dx: [{ icd: 'C83.30', display: 'Diffuse large B-cell lymphoma, unspecified site', clinicalStatus: 'active' }],
      order: {
        ...adultIno().order,
        note: 'CD22-positive DLBCL after two prior lines; compendia supported use.',
        text: 'Inotuzumab ozogamicin 0.8 mg/m2 IV day 1 every 21 days; cycle 1',
        frequency: { count: 1, periodDays: 21 },
      },
    },
    {
      description: '003 ¶2: DLBCL (C83.30) with a compendia-support statement: covered under "other cancer indications"',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: {
        'bcbsnc-ino-1-dx': 'not-met',
        'bcbsnc-ino-2-cancer-dx': 'met',
        'bcbsnc-ino-2-compendia': 'met',
        'bcbsnc-ino-2-all': 'met',
        'bcbsnc-ino-excl-non-cancer-all': 'not-met',
      },
    },
  ),
  ino(
    'other-cancer-without-support-statement',
    {
      ...adultIno(),
      dx: [{ icd: 'C83.30', display: 'Diffuse large B-cell lymphoma, unspecified site', clinicalStatus: 'active' }],
      order: {
        ...adultIno().order,
        text: 'Inotuzumab ozogamicin 0.8 mg/m2 IV day 1 every 21 days; cycle 1',
        frequency: { count: 1, periodDays: 21 },
      },
    },
    {
      description: '003 ¶2: DLBCL (C83.30) without an FDA-label or compendia statement: conditional',
      covered: 'conditional',
      paNeeded: 'no-auth',
      cards: ['missing-data'],
      criteria: {
        'bcbsnc-ino-1-dx': 'not-met',
        'bcbsnc-ino-2-cancer-dx': 'met',
        'bcbsnc-ino-2-support': 'not-documented',
        'bcbsnc-ino-2-all': 'not-documented',
      },
    },
  ),
  ino(
    'non-cancer-diagnosis-investigational',
    {
      ...adultIno(),
      dx: [{ icd: 'M06.9', display: 'Rheumatoid arthritis, unspecified', clinicalStatus: 'active' }],
      prior: [],
      order: { ...adultIno().order, text: 'Inotuzumab ozogamicin 0.8 mg/m2 IV day 1 every 21 days', frequency: { count: 1, periodDays: 21 } },
    },
    {
      description: '003 Investigational 1: rheumatoid arthritis (M06.9), no malignancy: not covered (no pa-needed)',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: {
        'bcbsnc-ino-1-dx': 'not-met',
        'bcbsnc-ino-2-cancer-dx': 'not-met',
        'bcbsnc-ino-excl-dx-known': 'met',
        'bcbsnc-ino-excl-malignancy-code': 'not-met',
        'bcbsnc-ino-excl-no-malignancy': 'met',
        'bcbsnc-ino-excl-non-cancer-all': 'met',
      },
    },
  ),
  ino('diagnosis-not-in-chart', { ...adultIno(), dx: null, order: { ...adultIno().order, note: undefined } }, {
    description: '003: no Condition in the chart and no reason on the order: diagnosis unknown, so neither covered nor excluded',
    covered: 'conditional',
    paNeeded: 'no-auth',
    cards: ['missing-data'],
    criteria: {
      'bcbsnc-ino-1-dx': 'not-documented',
      'bcbsnc-ino-1-all': 'not-documented',
      'bcbsnc-ino-2-cancer-dx': 'not-documented',
      'bcbsnc-ino-excl-dx-known': 'not-documented',
      'bcbsnc-ino-excl-malignancy-code': 'not-documented',
      'bcbsnc-ino-excl-non-cancer-all': 'not-documented',
    },
  }),
  ino(
    'rr-ball-relapse-stated',
    { ...adultIno(), dx: [ALL_NOT_IN_REMISSION], order: { ...adultIno().order, note: 'Relapsed B-ALL, second relapse after hyper-CVAD.' } },
    {
      description:
        '003 ¶1: B-ALL coded C91.00 (active, no relapse status or C91.02); the order states relapse: relapsed/refractory met by the statement (the disease fact also counts order statements, so the chart leaf is met too)',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: {
        'bcbsnc-ino-1-rr-chart': 'met',
        'bcbsnc-ino-1-rr-stated-relapsed': 'met',
        'bcbsnc-ino-1-rr': 'met',
        'bcbsnc-ino-1-all': 'met',
      },
    },
  ),
  ino(
    'rr-ball-phase-relapsed-refractory',
    {
      ...adultIno(),
      dx: [ALL_NOT_IN_REMISSION],
      order: { ...adultIno().order, phase: 'relapsed-refractory', text: 'Inotuzumab ozogamicin 0.8 mg/m2 IV day 1, then 0.5 mg/m2 days 8 and 15; cycle 1' },
    },
    {
      description:
        '003 ¶1: B-ALL coded C91.00 (active, relapse unknown from the chart); the order carries treatment phase relapsed-refractory (extension), no statement: relapsed/refractory met by the phase',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: {
        'bcbsnc-ino-1-rr-chart': 'not-documented',
        'bcbsnc-ino-1-rr-phase': 'met',
        'bcbsnc-ino-1-rr-stated-relapsed': 'not-documented',
        'bcbsnc-ino-1-rr': 'met',
        'bcbsnc-ino-1-all': 'met',
      },
    },
  ),
  ino(
    'carcinoma-in-situ-d05-investigational',
    {
      ...adultIno(),
      dx: [{ icd: 'D05.10', display: 'Intraductal carcinoma in situ of unspecified breast', clinicalStatus: 'active' }],
      order: { ...adultIno().order, text: 'Inotuzumab ozogamicin 0.8 mg/m2 IV day 1 every 21 days', frequency: { count: 1, periodDays: 21 } },
    },
    {
      description:
        '003 Investigational 1 (reading: "cancer" = C00-C96, D37-D48; in-situ D00-D09 not counted): only ductal carcinoma in situ (D05.10): non-cancer use, not covered',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: {
        'bcbsnc-ino-1-dx': 'not-met',
        'bcbsnc-ino-2-cancer-dx': 'not-met',
        'bcbsnc-ino-2-all': 'not-met',
        'bcbsnc-ino-excl-malignancy-code': 'not-met',
        'bcbsnc-ino-excl-non-cancer-all': 'met',
      },
    },
  ),
  ino(
    'other-cancer-mds-d46-compendia-supported',
    {
      ...adultIno(),
      dx: [{ icd: 'D46.9', display: 'Myelodysplastic syndrome, unspecified', clinicalStatus: 'active' }],
      order: {
        ...adultIno().order,
        note: 'Compendia supported use (synthetic test statement).',
        text: 'Inotuzumab ozogamicin 0.8 mg/m2 IV day 1 every 21 days',
        frequency: { count: 1, periodDays: 21 },
      },
    },
    {
      description:
        '003 ¶2 (reading: D37-D48 count as cancer): myelodysplastic syndrome (D46.9) with a compendia-support statement: covered under ¶2, not excluded',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: {
        'bcbsnc-ino-2-cancer-dx': 'met',
        'bcbsnc-ino-2-compendia': 'met',
        'bcbsnc-ino-2-all': 'met',
        'bcbsnc-ino-excl-malignancy-code': 'met',
        'bcbsnc-ino-excl-no-malignancy': 'not-met',
      },
    },
  ),
  ino(
    'no-dose-limit-high-dose',
    { ...adultIno(), order: { ...adultIno().order, dose: { value: 1.8, unit: 'mg/m2' }, text: 'Inotuzumab ozogamicin 1.8 mg/m2 IV day 1, cycle 1' } },
    {
      description: '003 names no dose limit: relapsed B-ALL ordered 1.8 mg/m2 per dose (above the label) is still covered, no limits card, no-auth',
      covered: 'covered',
      paNeeded: 'no-auth',
      cards: [],
      criteria: { 'bcbsnc-ino-1-all': 'met' },
    },
  ),
  // ---------------------------------------------------------------- 003: drug coding variants
  ino('lineage-t-all-relapsed-conditional-on-2', { ...adultIno(), dx: [{ ...ALL_RELAPSE, text: 'T-cell acute lymphoblastic leukemia, in relapse' }] }, {
    description: '003 ¶1 (reading: lineage): relapsed T-cell ALL (C91.02, text names T-cell): inotuzumab (CD22) is for B-cell precursor ALL: ¶1 not met; no FDA-label or compendia statement for ¶2: conditional',
    covered: 'conditional',
    paNeeded: 'no-auth',
    cards: ['missing-data'],
    criteria: { 'bcbsnc-ino-1-lineage': 'not-met', 'bcbsnc-ino-1-all': 'not-met' },
  }),
  ino('rr-ball-icd-without-dot', { ...adultIno(), dx: [{ ...ALL_RELAPSE, icd: 'C9102' }] }, {
    description: '003 ¶1: relapsed B-ALL coded ICD-10-CM without the dot (C9102, clinicalStatus relapse): diagnosis recognised, covered, no-auth',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
    criteria: { 'bcbsnc-ino-1-dx': 'met', 'bcbsnc-ino-1-all': 'met' },
  }),
  ino('drug-rxnorm-ingredient-1942950', { ...adultIno(), order: { ...adultIno().order, coding: 'ingredient' } }, {
    description: '003 ¶1: relapsed B-ALL, order coded only by RxNorm ingredient 1942950 (no text): recognised, covered, no-auth',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
    criteria: { 'bcbsnc-ino-1-all': 'met' },
  }),
  ino('drug-ndc-0008-0100-01', { ...adultIno(), order: { ...adultIno().order, coding: 'ndc' } }, {
    description: '003 ¶1: relapsed B-ALL, order coded only by NDC 0008-0100-01 (10-digit hyphenated, no text): recognised, covered, no-auth',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
    criteria: { 'bcbsnc-ino-1-all': 'met' },
  }),
  ino('drug-contained-medication-reference', { ...adultIno(), order: { ...adultIno().order, coding: 'contained' } }, {
    description: '003 ¶1: relapsed B-ALL, drug given by medicationReference to a contained Medication coded RxNorm SBD 1942959 [Besponsa]: covered, no-auth',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
    criteria: { 'bcbsnc-ino-1-all': 'met' },
  }),
  // ---------------------------------------------------------------- 003: authorizations on file (003 requires none)
  ino('pa-on-file-not-required', { ...adultIno(), pa: PA_ON_FILE }, {
    description: '003 names no prior-authorization requirement: a current approved authorization for J9229 on file does not change pa-needed (no-auth, not satisfied)',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
  }),
  ino('pa-expired-not-required', { ...adultIno(), pa: PA_EXPIRED }, {
    description: '003 names no prior-authorization requirement: an expired authorization (ended 2026-10-31) asks for nothing: no-auth',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
  }),
  ino('pa-for-another-drug-not-required', { ...adultIno(), pa: { ...PA_ON_FILE, otherDrug: true } }, {
    description: '003 names no prior-authorization requirement: an authorization for blinatumomab (J9039) on file asks for nothing: no-auth',
    covered: 'covered',
    paNeeded: 'no-auth',
    cards: [],
  }),
];

// ------------------------------------------------------------------ FHIR builders

function uuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function searchset(resources: FhirResource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${uuid(`${resource.resourceType}/${resource.id}`)}`, resource })),
  };
}

function medRequest(id: string, drug: DrugRef, status: 'active' | 'completed' | 'draft', authoredOn: string, start?: string): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn,
    requester: { reference: `PractitionerRole/${ROLE_ID}` },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: drug.code, display: drug.display }], text: drug.display },
    ...(start ? { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start } } } }] } : {}),
  };
}

function phaseWords(order: OrderSpec): string {
  const parts: string[] = [];
  if (order.cycle !== undefined) {
    const day = order.cycleDay ?? 1;
    const last = order.lastDay ?? 28;
    parts.push(`cycle ${order.cycle} days ${day}-${last}`);
  }
  if (order.phase) {
    parts.push(order.phase === 'relapsed-refractory' ? 'relapsed/refractory' : order.phase);
  }
  return parts.join(', ');
}

function draftOrder(chart: Chart): MedicationRequest {
  const o = chart.order;
  const isBlin = o.drug === 'blinatumomab';
  const extension: Extension[] = [];
  if (o.phase) extension.push({ url: EXT_PHASE, valueCode: o.phase });
  if (o.cycle !== undefined) extension.push({ url: EXT_CYCLE, valuePositiveInt: o.cycle });
  if (o.cycleDay !== undefined) extension.push({ url: EXT_CYCLE_DAY, valuePositiveInt: o.cycleDay });

  const coding =
    o.coding === 'hcpcs' || o.coding === 'hcpcs-https'
      ? isBlin
        ? [{ system: HCPCS, code: 'J9039', display: 'Injection, blinatumomab, 1 microgram' }]
        : [{ system: HCPCS, code: 'J9229', display: 'Injection, inotuzumab ozogamicin, 0.1 mg' }]
      : o.coding === 'ingredient'
        ? [{ system: RXNORM, code: isBlin ? '1597258' : '1942950' }]
        : o.coding === 'ndc'
          ? [{ system: NDC, code: isBlin ? '55513-160-01' : '0008-0100-01' }]
          : o.coding === 'ndc11'
            ? [{ system: NDC, code: isBlin ? '55513016001' : '00008010001' }]
            : [{ system: RXNORM, code: isBlin ? DRUGS.blinatumomab.code : DRUGS.inotuzumab.code, display: isBlin ? DRUGS.blinatumomab.display : DRUGS.inotuzumab.display }];
  if (o.coding === 'hcpcs-https') coding[0] = { ...coding[0]!, system: HCPCS.replace('http://', 'https://') };
  // medicationReference: a contained Medication coded by the RxNorm SBD (branded drug), no text on the order
  const contained: Medication = {
    resourceType: 'Medication',
    id: isBlin ? 'med-blin' : 'med-ino',
    code: {
      coding: [
        isBlin
          ? { system: RXNORM, code: '1597267', display: 'blinatumomab 0.035 MG Injection [Blincyto]' }
          : { system: RXNORM, code: '1942959', display: 'inotuzumab ozogamicin 0.9 MG Injection [Besponsa]' },
      ],
    },
    form: { coding: [{ system: SNOMED, code: '385219001', display: 'Solution for injection' }] },
  };

  const firstDay = o.cycleDay ?? 1;
  const lastDay = o.lastDay ?? (isBlin ? 28 : 21);
  const days = isBlin ? lastDay - firstDay + 1 : lastDay;
  const freq = o.frequency ?? { count: 1, periodDays: 1 };

  const doseAndRate: NonNullable<NonNullable<MedicationRequest['dosageInstruction']>[number]['doseAndRate']> = [];
  if (o.rate) {
    const display = o.rate.unit === 'ug/d' ? 'mcg/d' : 'mcg/m2/d';
    doseAndRate.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type', code: 'ordered', display: 'Ordered' }] },
      rateQuantity: ucum(o.rate.value, display, o.rate.unit),
    });
  }
  if (o.dose) {
    const display = o.dose.unit === 'ug' ? 'mcg' : o.dose.unit;
    doseAndRate.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type', code: 'ordered', display: 'Ordered' }] },
      doseQuantity: ucum(o.dose.value, display, o.dose.unit),
    });
  }

  const amountText = o.rate
    ? `${o.rate.value} ${o.rate.unit === 'ug/d' ? 'mcg/day' : 'mcg/m2/day'} continuous IV infusion`
    : o.dose
      ? `${o.dose.value} ${o.dose.unit === 'ug' ? 'mcg' : o.dose.unit} IV ${isBlin ? 'per day (24-hour continuous infusion)' : 'per dose'}`
      : '';
  const words = phaseWords(o);
  const text = o.text ?? `${isBlin ? 'Blinatumomab' : 'Inotuzumab ozogamicin'} ${amountText}${words ? `, ${words}` : ''}`;

  const end = new Date(Date.parse(SERVICE_DATE) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const reason = chart.dx?.[0];
  return {
    resourceType: 'MedicationRequest',
    id: `draft-${isBlin ? 'blin' : 'ino'}-1`,
    ...(extension.length ? { extension } : {}),
    status: 'draft',
    intent: 'order',
    // orders not coded by the SCD carry no brand text, so the drug must be recognised by the code
    ...(o.coding === 'contained'
      ? { contained: [contained], medicationReference: { reference: `#${contained.id}` } }
      : {
          medicationCodeableConcept:
            o.coding === 'rxnorm'
              ? { coding, text: isBlin ? 'Blincyto (blinatumomab) 35 mcg vial' : 'Besponsa (inotuzumab ozogamicin) 0.9 mg vial' }
              : { coding },
        }),
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: '2026-11-30',
    requester: { reference: `PractitionerRole/${ROLE_ID}` },
    ...(reason ? { reasonReference: [{ reference: `Condition/dx-${slug(reason.icd)}` }] } : {}),
    ...(o.note ? { note: [{ text: o.note }] } : {}),
    dosageInstruction: [
      {
        text,
        timing: {
          repeat: {
            boundsDuration: ucum(days, 'days', 'd'),
            frequency: freq.count,
            period: freq.periodDays,
            periodUnit: 'd',
          },
        },
        route: { coding: [{ system: SNOMED, code: '47625008', display: 'Intravenous route' }] },
        doseAndRate,
      },
    ],
    dispenseRequest: {
      validityPeriod: { start: SERVICE_DATE, end },
      expectedSupplyDuration: ucum(days, 'days', 'd'),
    },
  };
}

function buildRequest(s: Scenario): Record<string, unknown> {
  const c = s.chart;
  const patient: Patient = {
    resourceType: 'Patient',
    id: PATIENT_ID,
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN-SYN-0042' }],
    name: [{ family: 'Synthetic', given: ['Test'] }],
    gender: c.gender,
    birthDate: c.birthDate,
  };
  const coverage: Coverage = {
    resourceType: 'Coverage',
    id: 'cov-1',
    status: 'active',
    type:
      c.plan === 'medi-cal'
        ? { coding: [{ system: 'https://nahdo.org/sopt', code: '2', display: 'MEDICAID' }], text: 'Medi-Cal' }
        : { coding: [{ system: 'https://nahdo.org/sopt', code: '5', display: 'PRIVATE HEALTH INSURANCE' }], text: 'Commercial PPO' },
    subscriberId: 'SYN123456',
    beneficiary: { reference: `Patient/${PATIENT_ID}` },
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }] },
    period: { start: '2026-01-01', end: '2026-12-31' },
    payor: [{ identifier: { system: PAYER, value: c.payer }, display: PAYER_NAME[c.payer] }],
    class: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] },
        value: c.plan === 'medi-cal' ? 'MEDI-CAL' : 'PPO-COMMERCIAL',
        name: c.plan === 'medi-cal' ? 'Medi-Cal' : 'Commercial PPO',
      },
    ],
  };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: ROLE_ID,
    active: true,
    practitioner: { reference: 'Practitioner/dr-heme-1', display: 'Dr. Synthetic Hematologist' },
    specialty: [{ coding: [{ system: NUCC, code: c.specialty.code, display: c.specialty.display }] }],
  };
  const conditions: Condition[] = (c.dx ?? []).map((d) => ({
    resourceType: 'Condition',
    id: `dx-${slug(d.icd)}`,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: d.clinicalStatus }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    code: { coding: [{ system: ICD10, code: d.icd, display: d.display }], text: d.text ?? d.display },
    subject: { reference: `Patient/${PATIENT_ID}` },
    onsetDateTime: d.onset ?? '2026-02-10',
    recordedDate: '2026-02-12',
  }));
  const obs: Observation[] = [];
  const vital = (id: string, code: string, display: string, q: Quantity): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: LOINC, code, display }] },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: c.vitalsDate ?? '2026-11-28',
    valueQuantity: q,
  });
  if (c.weight) {
    obs.push(vital('obs-weight', '29463-7', 'Body weight', ucum(c.weight.value, c.weight.unit === '[lb_av]' ? 'lb' : c.weight.unit, c.weight.unit)));
  }
  if (c.heightM !== undefined) obs.push(vital('obs-height', '8302-2', 'Body height', ucum(c.heightM, 'm')));
  else if (c.heightIn !== undefined) obs.push(vital('obs-height', '8302-2', 'Body height', ucum(c.heightIn, 'in', '[in_i]')));
  else if (c.heightCm !== undefined) obs.push(vital('obs-height', '8302-2', 'Body height', ucum(c.heightCm, 'cm')));
  if (c.bsa !== undefined) obs.push(vital('obs-bsa', '8277-6', 'Body surface area', ucum(c.bsa, 'm2')));
  if (c.ph) {
    const pos = c.ph === 'positive';
    obs.push({
      resourceType: 'Observation',
      id: 'obs-ph-fish',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: '51867-0', display: 'BCR-ABL1 fusion (Philadelphia chromosome) by FISH' }] },
      subject: { reference: `Patient/${PATIENT_ID}` },
      effectiveDateTime: '2026-02-11',
      valueCodeableConcept: {
        coding: [
          { system: LOINC, code: pos ? 'LA6576-8' : 'LA6577-6', display: pos ? 'Positive' : 'Negative' },
          { system: SNOMED, code: pos ? '10828004' : '260385009', display: pos ? 'Positive' : 'Negative' },
        ],
        text: pos ? 'Philadelphia chromosome positive' : 'Philadelphia chromosome negative',
      },
    });
  }
  const history: MedicationRequest[] = [
    ...c.prior.map((d, i) => medRequest(`prior-${i + 1}-${slug(d.display).slice(0, 20)}`, d, 'completed', '2026-03-01', '2026-03-02')),
    ...c.active.map((d, i) => medRequest(`active-${i + 1}-${slug(d.display).slice(0, 20)}`, d, 'active', '2026-11-24', '2026-11-25')),
  ];
  const claimResponses: ClaimResponse[] = [];
  if (c.pa) {
    // the drug the authorization names: the ordered drug, or (otherDrug) the other policy drug
    const isBlin = (c.order.drug === 'blinatumomab') !== (c.pa.otherDrug === true);
    claimResponses.push({
      resourceType: 'ClaimResponse',
      id: 'pa-1',
      status: c.pa.status ?? 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'preauthorization',
      patient: { reference: `Patient/${PATIENT_ID}` },
      created: c.pa.start,
      insurer: { identifier: { system: PAYER, value: c.payer }, display: PAYER_NAME[c.payer] },
      outcome: c.pa.outcome ?? 'complete',
      disposition: c.pa.outcome === 'error' ? 'Denied' : c.pa.outcome === 'partial' ? 'Approved in part' : 'Approved',
      preAuthRef: `PA-${c.pa.start.replace(/-/g, '')}-0117`,
      preAuthPeriod: { start: c.pa.start, end: c.pa.end },
      addItem: [
        {
          productOrService: {
            coding: c.pa.byNdc
              ? [{ system: NDC, code: isBlin ? '55513-160-01' : '0008-0100-01' }]
              : isBlin
                ? [
                    { system: RXNORM, code: DRUGS.blinatumomab.code, display: DRUGS.blinatumomab.display },
                    { system: HCPCS, code: 'J9039', display: 'Injection, blinatumomab, 1 microgram' },
                  ]
                : [{ system: HCPCS, code: 'J9229', display: 'Injection, inotuzumab ozogamicin, 0.1 mg' }],
          },
          adjudication: [{ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'eligible' }] } }],
        },
      ],
    });
  }
  const draft = draftOrder(c);
  const partnerDrafts = c.draftPartners.map((d, i) => medRequest(`draft-partner-${i + 1}`, d, 'draft', '2026-11-30', SERVICE_DATE));
  const draftEntries = [draft, ...partnerDrafts].map((resource) => ({ fullUrl: `urn:uuid:${uuid(`${s.name}/${resource.id}`)}`, resource }));
  return {
    hook: 'order-sign',
    hookInstance: uuid(`${s.policy}/${s.name}`),
    fhirServer: 'http://localhost:8080/fhir',
    context: {
      userId: `PractitionerRole/${ROLE_ID}`,
      patientId: PATIENT_ID,
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: draftEntries },
    },
    prefetch: {
      patient,
      coverage: searchset([coverage]),
      conditions: searchset(conditions),
      observations: searchset(obs),
      medicationRequests: searchset(history),
      claimResponses: searchset(claimResponses),
      practitionerRole: role,
    },
  };
}

// ------------------------------------------------------------------ write

writeScenarios(scenarios.map((s) => ({ policy: s.policy, name: s.name, request: buildRequest(s), expect: s.expect })));
console.log(`wrote ${scenarios.length} scenarios (${scenarios.filter((s) => s.policy === BLIN).length} ${BLIN}, ${scenarios.filter((s) => s.policy === INO).length} ${INO})`);
