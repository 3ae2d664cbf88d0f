/**
 * Builds the scenario fixtures for the two ixabepilone policies, 000 (bsc-ixabepilone, Blue Shield of California)
 * and 001 (um-ixabepilone, UM medical policy): one complete CDS Hooks 2.0 order-sign request per scenario (with
 * prefetch) and its `.expect.json`.
 *
 *   npx tsx fhir-resources/scenarios/_build/ixabepilone.ts
 *
 * Every scenario is a base chart plus overrides; every date is relative to the scenario's service date, so
 * vitals stay within 30 days and prior lines of therapy stay where they belong. Output is deterministic (uuids
 * derive from the scenario name). Synthetic data only.
 */
import { createHash } from 'node:crypto';
import { HCPCS, HGNC, ICD10, LOINC, NDC, NUCC, OBS_CAT, PAYER, RXNORM, SNOMED, UCUM, addDays, slug, ucum, writeScenarios } from './common.js';
import type {
  ClaimResponse,
  CodeableConcept,
  Condition,
  Coverage,
  Medication,
  MedicationRequest,
  Observation,
  Patient,
  PractitionerRole,
  Quantity,
} from 'fhir/r4.js';


const PATIENT_ID = 'pat-bc-1';
const ROLE_ID = 'pr-onc-1';
/** Default service date (boundsPeriod.start of the order). */
const SERVICE_DATE = '2026-03-02';

// ------------------------------------------------------------------ drugs

interface DrugRef {
  code: string;
  display: string;
}
const DRUGS = {
  ixabepilone15: { code: '1726276', display: 'ixabepilone 15 MG Injection' },
  ixabepilone45: { code: '1726271', display: 'ixabepilone 45 MG Injection' },
  trastuzumab: { code: '1922509', display: 'trastuzumab 150 MG Injection' },
  tdxd: { code: '2267576', display: 'fam-trastuzumab deruxtecan-nxki 100 MG Injection' },
  pertuzumab: { code: '1298948', display: '14 ML pertuzumab 30 MG/ML Injection' },
  paclitaxel: { code: '312199', display: 'paclitaxel 6 MG/ML Injectable Solution' },
  docetaxel: { code: '1093280', display: 'docetaxel 10 MG/ML Injectable Solution' },
  capecitabine: { code: '200328', display: 'capecitabine 500 MG Oral Tablet' },
  eribulin: { code: '1045456', display: '2 ML eribulin mesylate 0.5 MG/ML Injection' },
  doxorubicin: { code: '1790099', display: '10 ML doxorubicin hydrochloride 2 MG/ML Injection' },
  cyclophosphamide: { code: '1734919', display: 'cyclophosphamide 1000 MG Injection' },
} satisfies Record<string, DrugRef>;

// ------------------------------------------------------------------ scenario model

type Payer = 'blue-shield-ca' | 'um-medical-policy';
const PAYER_NAME: Record<Payer, string> = {
  'blue-shield-ca': 'Blue Shield of California',
  'um-medical-policy': 'UM Medical Policy',
};
type PolicyId = 'bsc-ixabepilone' | 'um-ixabepilone';
const PAYER_OF: Record<PolicyId, Payer> = { 'bsc-ixabepilone': 'blue-shield-ca', 'um-ixabepilone': 'um-medical-policy' };

interface Dx {
  id: string;
  icd?: { code: string; display: string };
  snomed?: { code: string; display: string };
  clinicalStatus: 'active' | 'recurrence' | 'relapse';
  /** days before the service date the condition began (default 1000) */
  onsetDaysBefore?: number;
}

type Pos = 'positive' | 'negative';

interface OrderSpec {
  /** how the drug is coded on the order */
  coding: 'scd' | 'ingredient' | 'hcpcs' | 'hcpcs-units' | 'ndc' | 'contained';
  dose: { value: number; unit: 'mg' | 'mg/m2' };
  /** administrations per period (days) */
  frequency: { count: number; periodDays: number };
  /** free text on the order's note (attestations) */
  note?: string;
}

interface PriorLine {
  /** days before the service date the line started */
  daysBefore: number;
  drugs: DrugRef[];
  /** how many days the orders ran (default 90) */
  days?: number;
}

interface Chart {
  serviceDate: string;
  birthDate?: string;
  specialty: { code: string; display: string } | null;
  dx: Dx[];
  /** AJCC stage group text (LOINC 21908-9), e.g. "IV", "IIIA", "IIA" */
  stage?: string;
  /** M category (LOINC 21907-1) */
  m?: 'M0' | 'M1';
  /** mCODE CancerDiseaseStatus (LOINC 97509-4) */
  diseaseStatus?: 'improved' | 'stable' | 'worsened';
  her2?: Pos;
  er?: Pos;
  pr?: Pos;
  gbrca?: 'present' | 'absent';
  pdl1Cps?: number;
  weight?: { value: number; unit: 'kg' | '[lb_av]' };
  height?: { value: number; unit: 'cm' | '[in_i]' };
  bsa?: number;
  prior: PriorLine[];
  /** documented progressions (disease status worsened), days before the service date */
  progressionsDaysBefore?: number[];
  /** other draft orders signed together with ixabepilone */
  draftPartners: DrugRef[];
  pa?: { startDaysBefore: number; endDaysAfter: number; drug: 'ixabepilone' | 'trastuzumab' };
  order: OrderSpec;
}

type Card = 'coverage-info' | 'limits' | 'off-guideline' | 'missing-data';
interface Expect {
  description: string;
  covered?: 'covered' | 'not-covered' | 'conditional';
  paNeeded?: 'auth-needed' | 'satisfied' | 'no-auth';
  cards?: Card[];
  criteria?: Record<string, 'met' | 'not-met' | 'not-documented'>;
  suggestedDose?: { value: number; unit: 'mg' | 'ug' | 'mg/m2' };
}

interface Scenario {
  policy: PolicyId;
  name: string;
  chart: Chart;
  expect: Expect;
}

// ------------------------------------------------------------------ base charts

const BC_LEFT: Dx = {
  id: 'dx-breast',
  icd: { code: 'C50.912', display: 'Malignant neoplasm of unspecified site of left female breast' },
  snomed: { code: '254837009', display: 'Malignant neoplasm of breast' },
  clinicalStatus: 'active',
};
const BONE_METS: Dx = {
  id: 'dx-bone-mets',
  icd: { code: 'C79.51', display: 'Secondary malignant neoplasm of bone' },
  clinicalStatus: 'active',
};

/** Lung cancer, coded in ICD-10-CM and SNOMED CT (so a SNOMED alternative is settled, not unknown). */
const LUNG: Dx = {
  id: 'dx-lung',
  icd: { code: 'C34.90', display: 'Malignant neoplasm of unspecified part of unspecified bronchus or lung' },
  snomed: { code: '363358000', display: 'Malignant tumor of lung' },
  clinicalStatus: 'active',
};

/**
 * 57-year-old woman, metastatic (stage IV, M1, bone metastases) HER2-negative HR-positive breast cancer, no prior
 * chemotherapy (1st line), germline BRCA1/2 negative; medical oncologist; 72 kg, 162 cm, BSA 1.80 m2 (Mosteller of
 * 72 kg x 162 cm is exactly 1.80); ixabepilone 72 mg (= 40 mg/m2) IV once every 21 days, RxNorm SCD.
 */
function base(): Chart {
  return {
    serviceDate: SERVICE_DATE,
    birthDate: '1968-04-12',
    specialty: { code: '207RX0202X', display: 'Medical Oncology' },
    dx: [BC_LEFT, BONE_METS],
    stage: 'IV',
    m: 'M1',
    her2: 'negative',
    er: 'positive',
    pr: 'positive',
    gbrca: 'absent',
    weight: { value: 72, unit: 'kg' },
    height: { value: 162, unit: 'cm' },
    bsa: 1.8,
    prior: [],
    draftPartners: [],
    order: { coding: 'scd', dose: { value: 72, unit: 'mg' }, frequency: { count: 1, periodDays: 21 } },
  };
}

/**
 * HER2-positive breast cancer treated with curative intent (AC x4, then paclitaxel + trastuzumab with pertuzumab added
 * at cycle 3, trastuzumab and pertuzumab to one year), bone metastases `metastasesDaysBefore` the service date, then
 * THP and T-DXd for metastatic disease, each ended by a documented progression; ixabepilone signed with trastuzumab.
 */
function her2posAfterAdjuvant(metastasesDaysBefore: number): Chart {
  return {
    ...her2pos(0),
    dx: [BC_LEFT, { ...BONE_METS, onsetDaysBefore: metastasesDaysBefore }],
    prior: [
      { daysBefore: 1600, drugs: [DRUGS.doxorubicin, DRUGS.cyclophosphamide], days: 84 },
      { daysBefore: 1510, drugs: [DRUGS.paclitaxel], days: 84 },
      { daysBefore: 1510, drugs: [DRUGS.trastuzumab], days: 365 },
      { daysBefore: 1468, drugs: [DRUGS.pertuzumab], days: 323 },
      { daysBefore: 680, drugs: [DRUGS.docetaxel, DRUGS.trastuzumab, DRUGS.pertuzumab], days: 180 },
      { daysBefore: 470, drugs: [DRUGS.tdxd], days: 180 },
    ],
    progressionsDaysBefore: [480, 270],
  };
}

const ONE_PRIOR: PriorLine[] = [{ daysBefore: 300, drugs: [DRUGS.paclitaxel] }];
const TWO_PRIOR: PriorLine[] = [
  { daysBefore: 520, drugs: [DRUGS.paclitaxel] },
  { daysBefore: 210, drugs: [DRUGS.eribulin] },
];

/** HER2-positive (HR-negative) metastatic disease; lines before: THP, T-DXd, capecitabine (3 prior → 4th line). */
function her2pos(priorLines: number): Chart {
  const lines: PriorLine[] = [
    { daysBefore: 900, drugs: [DRUGS.paclitaxel, DRUGS.trastuzumab, DRUGS.pertuzumab] },
    { daysBefore: 560, drugs: [DRUGS.tdxd] },
    { daysBefore: 220, drugs: [DRUGS.docetaxel] },
  ];
  return {
    ...base(),
    her2: 'positive',
    er: 'negative',
    pr: 'negative',
    prior: lines.slice(0, priorLines),
    draftPartners: [DRUGS.trastuzumab],
  };
}

/** Triple-negative metastatic disease, 1st line, PD-L1 CPS 5, germline BRCA1/2 negative. */
function tnbc(): Chart {
  return { ...base(), her2: 'negative', er: 'negative', pr: 'negative', pdl1Cps: 5 };
}

/** Inflammatory breast cancer after preoperative AC (one prior line), cM0, no stage group on file, triple-negative. */
function inflammatory(): Chart {
  return {
    ...tnbc(),
    dx: [
      {
        id: 'dx-breast',
        icd: { code: 'C50.911', display: 'Malignant neoplasm of unspecified site of right female breast' },
        snomed: { code: '254840009', display: 'Inflammatory carcinoma of breast' },
        clinicalStatus: 'active',
      },
    ],
    stage: undefined,
    m: 'M0',
    pdl1Cps: undefined,
    prior: [{ daysBefore: 150, drugs: [DRUGS.doxorubicin, DRUGS.cyclophosphamide] }],
    diseaseStatus: 'stable',
  };
}

/** Local/regional recurrence (clinicalStatus recurrence) of a stage IIA cancer, cM0, no metastatic site. */
function recurrent(): Chart {
  return {
    ...base(),
    dx: [{ ...BC_LEFT, clinicalStatus: 'recurrence' }],
    stage: 'IIA',
    m: 'M0',
    prior: [],
  };
}

/** Stage IIIA, cM0, not recurrent: locally advanced. */
function locallyAdvanced(): Chart {
  return { ...base(), dx: [BC_LEFT], stage: 'IIIA', m: 'M0' };
}

const UNRESECTABLE_NOTE = 'Recurrent unresectable locoregional disease (chest wall), per tumor board.';
const NOT_TDXD_NOTE = 'Patient is not a candidate for fam-trastuzumab deruxtecan (HER2 IHC 0, not HER2-low or ultralow).';
const NO_RESPONSE_NOTE = 'No response to preoperative systemic therapy.';
const ONC_CONSULT_NOTE = 'Regimen chosen in consultation with an oncologist (medical oncology consult 2026-02-20).';

// ------------------------------------------------------------------ scenarios

const BSC = 'bsc-ixabepilone' as const;
const UM = 'um-ixabepilone' as const;

const s = (policy: PolicyId) => (name: string, chart: Chart, expect: Expect): Scenario => ({ policy, name, chart, expect });
const bsc = s(BSC);
const um = s(UM);

const PA_ON_FILE = { startDaysBefore: 10, endDaysAfter: 170, drug: 'ixabepilone' as const };
const PA_EXPIRED = { startDaysBefore: 200, endDaysAfter: -20, drug: 'ixabepilone' as const };
const PA_OTHER_DRUG = { startDaysBefore: 10, endDaysAfter: 170, drug: 'trastuzumab' as const };

const AUTH = { paNeeded: 'auth-needed' as const };
const COVERED = { covered: 'covered' as const, ...AUTH, cards: ['coverage-info'] as Card[] };
const NOT_COVERED = { covered: 'not-covered' as const, cards: ['off-guideline'] as Card[] };
const CONDITIONAL = { covered: 'conditional' as const, ...AUTH, cards: ['coverage-info', 'missing-data'] as Card[] };
const OVER = { covered: 'covered' as const, ...AUTH, cards: ['coverage-info', 'limits'] as Card[] };

const withOrder = (c: Chart, o: Partial<OrderSpec>): Chart => ({ ...c, order: { ...c.order, ...o } });

const bscScenarios: Scenario[] = [
  // ---------------------------------------------------------------- 000 §2 2, HER2-/HR+
  bsc('her2neg-hrpos-1st-line-no-gbrca', base(), {
    description: '000 §2 2 HER2-/HR+: metastatic, 1st line, single agent, germline BRCA negative; 72 mg at BSA 1.80 = 40 mg/m2 (at the limit) q21d; no PA on file',
    ...COVERED,
    criteria: {
      'bsc-ixa-dx': 'met',
      'bsc-ixa-1': 'met',
      'bsc-ixa-1-metastatic': 'met',
      'bsc-ixa-2a-her2-neg': 'met',
      'bsc-ixa-2a-hr-pos': 'met',
      'bsc-ixa-2a-single-agent': 'met',
      'bsc-ixa-2a-1st-line': 'met',
      'bsc-ixa-2a-1st-gbrca': 'met',
      'bsc-ixa-2a': 'met',
      'bsc-ixa-2a-2nd-line': 'not-met',
      'bsc-ixa-2a-3rd-plus': 'not-met',
      'bsc-ixa-2b-her2-pos': 'not-met',
      'bsc-ixa-2b': 'not-met',
      'bsc-ixa-2c-tnbc': 'not-met',
      'bsc-ixa-2c': 'not-met',
      'bsc-ixa-all': 'met',
    },
  }),
  bsc('her2neg-hrpos-1st-line-gbrca-mutation', { ...base(), gbrca: 'present' }, {
    description: '000 §2 2 HER2-/HR+: 1st line with a germline BRCA2 pathogenic variant: first-line alternative not met, no other line fits',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2a-1st-gbrca': 'not-met', 'bsc-ixa-2a-1st': 'not-met', 'bsc-ixa-2a': 'not-met', 'bsc-ixa-2': 'not-met' },
  }),
  bsc('her2neg-hrpos-1st-line-gbrca-not-tested', { ...base(), gbrca: undefined }, {
    description: '000 §2 2 HER2-/HR+: 1st line, no germline BRCA result on file: not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-2a-1st-gbrca': 'not-documented', 'bsc-ixa-2a': 'not-documented' },
  }),
  bsc('her2neg-hrpos-2nd-line-not-tdxd-candidate', withOrder({ ...base(), prior: ONE_PRIOR }, { note: NOT_TDXD_NOTE }), {
    description: '000 §2 2 HER2-/HR+: 2nd line (prior paclitaxel), order states the patient is not a candidate for fam-trastuzumab deruxtecan',
    ...COVERED,
    criteria: { 'bsc-ixa-2a-2nd-line': 'met', 'bsc-ixa-2a-2nd-not-tdxd': 'met', 'bsc-ixa-2a-2nd': 'met', 'bsc-ixa-2a': 'met' },
  }),
  bsc('her2neg-hrpos-2nd-line-tdxd-candidacy-not-stated', { ...base(), prior: ONE_PRIOR }, {
    description: '000 §2 2 HER2-/HR+: 2nd line without a statement about fam-trastuzumab deruxtecan candidacy: not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-2a-2nd-line': 'met', 'bsc-ixa-2a-2nd-not-tdxd': 'not-documented', 'bsc-ixa-2a': 'not-documented' },
  }),
  bsc('her2neg-hrpos-3rd-line', { ...base(), prior: TWO_PRIOR }, {
    description: '000 §2 2 HER2-/HR+: 3rd line (prior paclitaxel, then eribulin), single agent',
    ...COVERED,
    criteria: { 'bsc-ixa-2a-3rd-plus': 'met', 'bsc-ixa-2a': 'met' },
  }),
  bsc('her2neg-hrpos-3rd-line-with-capecitabine-2026', { ...base(), prior: TWO_PRIOR, draftPartners: [DRUGS.capecitabine] }, {
    description: '000 §2 2 HER2-/HR+ effective 10/30/2023: with capecitabine (not a single agent) on a 2026 service date',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2a-single-agent': 'not-met', 'bsc-ixa-2a-3rd-plus': 'met', 'bsc-ixa-2a': 'not-met' },
  }),
  bsc(
    'her2neg-hrpos-3rd-line-with-capecitabine-2023-10-15',
    { ...base(), serviceDate: '2023-10-15', birthDate: '1966-04-12', prior: TWO_PRIOR, draftPartners: [DRUGS.capecitabine] },
    {
      description: '000 §2 2 HER2-/HR+: with capecitabine on 2023-10-15, before the single-agent requirement took effect (10/30/2023)',
      ...COVERED,
      criteria: { 'bsc-ixa-2a-3rd-plus': 'met', 'bsc-ixa-2a': 'met' },
    },
  ),
  // ---------------------------------------------------------------- 000 §2 2, HER2+
  bsc('her2pos-trastuzumab-4th-line-2026', her2pos(3), {
    description: '000 §2 2 HER2+ effective 10/30/2023: with trastuzumab (signed together), 4th line (prior THP, T-DXd, docetaxel)',
    ...COVERED,
    criteria: {
      'bsc-ixa-2b-her2-pos': 'met',
      'bsc-ixa-2b-trastuzumab': 'met',
      'bsc-ixa-2b-4th-plus-from-20231030': 'met',
      'bsc-ixa-2b': 'met',
      'bsc-ixa-2a-her2-neg': 'not-met',
      'bsc-ixa-2a': 'not-met',
    },
  }),
  bsc('her2pos-trastuzumab-3rd-line-2023-10-29', { ...her2pos(2), serviceDate: '2023-10-29', birthDate: '1966-04-12' }, {
    description: '000 §2 2 HER2+ effective through 10/29/2023: with trastuzumab, 3rd line, service date 2023-10-29 (last day of the old rule)',
    ...COVERED,
    criteria: { 'bsc-ixa-2b-3rd-plus-through-20231029': 'met', 'bsc-ixa-2b-line': 'met', 'bsc-ixa-2b': 'met' },
  }),
  bsc('her2pos-trastuzumab-3rd-line-2023-10-30', { ...her2pos(2), serviceDate: '2023-10-30', birthDate: '1966-04-12' }, {
    description: '000 §2 2 HER2+ effective 10/30/2023: with trastuzumab, 3rd line, service date 2023-10-30 (first day of the 4th-line rule)',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2b-4th-plus-from-20231030': 'not-met', 'bsc-ixa-2b-line': 'not-met', 'bsc-ixa-2b': 'not-met' },
  }),
  bsc('her2pos-trastuzumab-3rd-line-2026', her2pos(2), {
    description: '000 §2 2 HER2+: with trastuzumab, 3rd line, 2026: fourth line and beyond required',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2b-trastuzumab': 'met', 'bsc-ixa-2b-4th-plus-from-20231030': 'not-met', 'bsc-ixa-2b': 'not-met' },
  }),
  bsc('her2pos-adjuvant-ac-th-thp-then-metastatic-3rd-line', her2posAfterAdjuvant(700), {
    description:
      '000 §2 2 HER2+ with trastuzumab, 2026: adjuvant AC then TH with pertuzumab added at cycle 3 (curative, before the bone metastases 700 days ago, relapse more than 12 months after it), then THP and T-DXd for metastatic disease, each ended by progression: 3rd line, not 6th; fourth line and beyond required',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2b-trastuzumab': 'met', 'bsc-ixa-2b-4th-plus-from-20231030': 'not-met', 'bsc-ixa-2b': 'not-met' },
  }),
  bsc('her2pos-adjuvant-early-relapse-4th-line', her2posAfterAdjuvant(1000), {
    description:
      '000 §2 2 HER2+ with trastuzumab, 2026: bone metastases within 12 months of the end of adjuvant AC→THP (early relapse, policy reading): the adjuvant course counts as a line, then THP and T-DXd: 4th line',
    ...COVERED,
    criteria: { 'bsc-ixa-2b-trastuzumab': 'met', 'bsc-ixa-2b-4th-plus-from-20231030': 'met', 'bsc-ixa-2b': 'met' },
  }),
  bsc('her2pos-with-tdxd-not-trastuzumab-4th-line', { ...her2pos(3), draftPartners: [DRUGS.tdxd] }, {
    description: '000 §2 2 HER2+: 4th line with fam-trastuzumab deruxtecan (RxNorm 2267576) instead of trastuzumab: does not count as "with trastuzumab"',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2b-trastuzumab': 'not-met', 'bsc-ixa-2b': 'not-met' },
  }),
  bsc('her2pos-single-agent-4th-line', { ...her2pos(3), draftPartners: [] }, {
    description: '000 §2 2 HER2+: 4th line as a single agent (no trastuzumab): not covered',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2b-trastuzumab': 'not-met', 'bsc-ixa-2b-4th-plus-from-20231030': 'met', 'bsc-ixa-2': 'not-met' },
  }),
  // ---------------------------------------------------------------- 000 §2 2, triple negative
  bsc('tnbc-1st-line-cps-5-no-gbrca', tnbc(), {
    description: '000 §2 2 triple negative: 1st line, single agent, PD-L1 CPS 5 (< 10), germline BRCA negative',
    ...COVERED,
    criteria: {
      'bsc-ixa-2c-tnbc': 'met',
      'bsc-ixa-2c-single-agent': 'met',
      'bsc-ixa-2c-1st-cps': 'met',
      'bsc-ixa-2c-1st-gbrca': 'met',
      'bsc-ixa-2c-1st-line': 'met',
      'bsc-ixa-2c-1st': 'met',
      'bsc-ixa-2c-2nd-plus': 'not-met',
      'bsc-ixa-2c-line': 'met',
      'bsc-ixa-2c': 'met',
      'bsc-ixa-2a-hr-pos': 'not-met',
      'bsc-ixa-2a': 'not-met',
    },
  }),
  bsc('tnbc-1st-line-gbrca-mutation', { ...tnbc(), gbrca: 'present' }, {
    description: '000 §2 2 triple negative: 1st line, PD-L1 CPS 5, with a germline BRCA2 pathogenic variant: first-line alternative not met, no other line fits',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2c-1st-cps': 'met', 'bsc-ixa-2c-1st-gbrca': 'not-met', 'bsc-ixa-2c-1st': 'not-met', 'bsc-ixa-2c': 'not-met' },
  }),
  bsc('tnbc-1st-line-gbrca-not-tested', { ...tnbc(), gbrca: undefined }, {
    description: '000 §2 2 triple negative: 1st line, PD-L1 CPS 5, no germline BRCA result on file: not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-2c-1st-gbrca': 'not-documented', 'bsc-ixa-2c-1st': 'not-documented', 'bsc-ixa-2c': 'not-documented' },
  }),
  bsc('tnbc-1st-line-cps-15', { ...tnbc(), pdl1Cps: 15 }, {
    description: '000 §2 2 triple negative: 1st line with PD-L1 CPS 15 (not < 10)',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2c-1st-cps': 'not-met', 'bsc-ixa-2c': 'not-met' },
  }),
  bsc('tnbc-1st-line-cps-10-boundary', { ...tnbc(), pdl1Cps: 10 }, {
    description: '000 §2 2 triple negative: 1st line with PD-L1 CPS exactly 10 (CPS < 10 required)',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2c-1st-cps': 'not-met' },
  }),
  bsc('tnbc-1st-line-cps-not-tested', { ...tnbc(), pdl1Cps: undefined }, {
    description: '000 §2 2 triple negative: 1st line, no PD-L1 CPS on file: not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-2c-1st-cps': 'not-documented', 'bsc-ixa-2c': 'not-documented' },
  }),
  bsc('tnbc-2nd-line', { ...tnbc(), pdl1Cps: 30, prior: [{ daysBefore: 300, drugs: [DRUGS.doxorubicin, DRUGS.cyclophosphamide] }] }, {
    description: '000 §2 2 triple negative: 2nd line (prior AC), single agent; CPS 30 does not matter beyond first line',
    ...COVERED,
    criteria: { 'bsc-ixa-2c-2nd-plus': 'met', 'bsc-ixa-2c': 'met' },
  }),
  bsc('tnbc-2nd-line-with-capecitabine', { ...tnbc(), prior: ONE_PRIOR, draftPartners: [DRUGS.capecitabine] }, {
    description: '000 §2 2 triple negative: 2nd line with capecitabine: single agent required',
    ...NOT_COVERED,
    criteria: { 'bsc-ixa-2c-single-agent': 'not-met', 'bsc-ixa-2c-2nd-plus': 'met', 'bsc-ixa-2c': 'not-met' },
  }),
  // ---------------------------------------------------------------- 000 §2 1
  bsc('inflammatory-no-response-disease-status-stable', inflammatory(), {
    description: '000 §2 1 second bullet: inflammatory breast cancer (SNOMED 254840009), stable disease after preoperative AC; TNBC 2nd line',
    ...COVERED,
    criteria: {
      'bsc-ixa-1-inflammatory': 'met',
      'bsc-ixa-1-no-response-chart': 'met',
      'bsc-ixa-1-inflammatory-no-response': 'met',
      'bsc-ixa-1-metastatic': 'not-met',
      'bsc-ixa-1': 'met',
    },
  }),
  bsc('inflammatory-no-response-stated', withOrder({ ...inflammatory(), diseaseStatus: undefined }, { note: NO_RESPONSE_NOTE }), {
    description: '000 §2 1 second bullet: inflammatory, no disease status on file, order states no response to preoperative therapy',
    ...COVERED,
    criteria: { 'bsc-ixa-1-no-response-stated': 'met', 'bsc-ixa-1-inflammatory-no-response': 'met', 'bsc-ixa-1': 'met' },
  }),
  bsc('inflammatory-coded-c50-a1', { ...inflammatory(), dx: [{ id: 'dx-breast', icd: { code: 'C50.A1', display: 'Malignant inflammatory neoplasm of right breast' }, clinicalStatus: 'active' }] }, {
    description: '000 §2 ICD-10 list (reading: C50.A- is breast cancer and inflammatory): inflammatory breast cancer coded only C50.A1, stable after preoperative AC; TNBC 2nd line: covered',
    ...COVERED,
    criteria: { 'bsc-ixa-dx': 'met', 'bsc-ixa-1-inflammatory': 'met', 'bsc-ixa-1-inflammatory-no-response': 'met', 'bsc-ixa-1': 'met' },
  }),
  bsc('inflammatory-stable-without-preoperative-therapy', { ...inflammatory(), prior: [] }, {
    description: '000 §2 1 second bullet (conventions: no response = stable or worsened after preoperative therapy was given): inflammatory, stable, but no systemic therapy was ever given: no response not met by the chart (a statement could still say so): conditional',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-1-no-response-chart': 'not-met', 'bsc-ixa-1-inflammatory-no-response': 'not-documented' },
  }),
  bsc('axillary-nodes-c77-3-stage-iib-not-metastatic', { ...base(), dx: [BC_LEFT, { id: 'dx-axillary', icd: { code: 'C77.3', display: 'Secondary and unspecified malignant neoplasm of axilla and upper limb lymph nodes' }, clinicalStatus: 'active' }], stage: 'IIB', m: 'M0' }, {
    description: '000 §2 1 (conventions: C77 is nodal, a documented stage outranks it): axillary nodes C77.3 with stage IIB, M0: not metastatic (only recurrence with unresectability, not documented, could still qualify): conditional',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-1-metastatic': 'not-met', 'bsc-ixa-1-locally-advanced': 'not-met' },
  }),
  bsc('inflammatory-responding', { ...inflammatory(), diseaseStatus: 'improved' }, {
    description: '000 §2 1 second bullet: inflammatory with improved disease status and no statement: no response not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-1-no-response-chart': 'not-met', 'bsc-ixa-1-no-response': 'not-documented', 'bsc-ixa-1': 'not-documented' },
  }),
  bsc('recurrent-unresectable-stated', withOrder(recurrent(), { note: UNRESECTABLE_NOTE }), {
    description: '000 §2 1 first bullet: local recurrence (clinicalStatus recurrence), cM0, order states unresectable',
    ...COVERED,
    criteria: {
      'bsc-ixa-1-recurrent': 'met',
      'bsc-ixa-1-unresectable-stated': 'met',
      'bsc-ixa-1-recurrent-unresectable': 'met',
      'bsc-ixa-1-metastatic': 'not-met',
      'bsc-ixa-1': 'met',
    },
  }),
  bsc('recurrent-unresectable-not-stated', recurrent(), {
    description: '000 §2 1 first bullet: local recurrence without a statement that it is unresectable: not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-1-recurrent': 'met', 'bsc-ixa-1-unresectable': 'not-documented', 'bsc-ixa-1': 'not-documented' },
  }),
  bsc('locally-advanced-stage-iiia', locallyAdvanced(), {
    description: '000 §2 1 first bullet: locally advanced (stage IIIA, cM0), HER2-/HR+ 1st line, germline BRCA negative',
    ...COVERED,
    criteria: { 'bsc-ixa-1-locally-advanced': 'met', 'bsc-ixa-1-metastatic': 'not-met', 'bsc-ixa-1': 'met' },
  }),
  bsc('early-stage-not-advanced', { ...base(), dx: [BC_LEFT], stage: 'IIA', m: 'M0' }, {
    description:
      '000 §2 1: stage IIA, cM0: not locally advanced, not metastatic; no recurrence or inflammatory diagnosis on file, which the chart cannot rule out (absence = not documented): criterion 1 not documented',
    ...CONDITIONAL,
    criteria: {
      'bsc-ixa-1-locally-advanced': 'not-met',
      'bsc-ixa-1-metastatic': 'not-met',
      'bsc-ixa-1-recurrent': 'not-documented',
      'bsc-ixa-1-inflammatory': 'not-documented',
      'bsc-ixa-1': 'not-documented',
    },
  }),
  // ---------------------------------------------------------------- 000 §2 ICD-10 list
  bsc(
    'dx-z85-3-history-with-bone-metastases',
    {
      ...base(),
      dx: [
        { id: 'dx-history', icd: { code: 'Z85.3', display: 'Personal history of malignant neoplasm of breast' }, clinicalStatus: 'active' },
        BONE_METS,
      ],
    },
    {
      description: '000 §2 ICD-10 list: personal history of breast cancer (Z85.3) with bone metastases (C79.51): listed code',
      ...COVERED,
      criteria: { 'bsc-ixa-dx': 'met', 'bsc-ixa-1-metastatic': 'met' },
    },
  ),
  bsc(
    'dx-not-on-list-lung',
    { ...base(), dx: [LUNG, BONE_METS] },
    {
      description: '000 §2 ICD-10 list: lung cancer (C34.90), no listed code: not covered',
      ...NOT_COVERED,
      criteria: { 'bsc-ixa-dx': 'not-met', 'bsc-ixa-all': 'not-met' },
    },
  ),
  // ---------------------------------------------------------------- biomarkers not documented
  bsc('her2-not-documented', { ...base(), her2: undefined }, {
    description: '000 §2 2: no HER2 result on file (ER/PR positive): HER2-negative not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-2a-her2-neg': 'not-documented', 'bsc-ixa-2a': 'not-documented', 'bsc-ixa-2': 'not-documented' },
  }),
  bsc('er-pr-not-documented', { ...base(), er: undefined, pr: undefined }, {
    description: '000 §2 2: HER2 negative, no ER/PR results on file: HR-positive (and triple negative) not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-2a-hr-pos': 'not-documented', 'bsc-ixa-2': 'not-documented' },
  }),
  // ---------------------------------------------------------------- 000 §2 Covered Doses
  bsc('no-height-weight-bsa', { ...base(), weight: undefined, height: undefined, bsa: undefined }, {
    description: '000 §2 Covered Doses: 72 mg ordered, no height, weight or BSA on file: dose cannot be checked',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-all': 'met' },
  }),
  bsc('dose-90-mg-over', withOrder(base(), { dose: { value: 90, unit: 'mg' } }), {
    description: '000 §2 Covered Doses: 90 mg at BSA 1.80 = 50 mg/m2 > 40 mg/m2: limits card, covered maximum 72 mg',
    ...OVER,
    suggestedDose: { value: 72, unit: 'mg' },
  }),
  bsc('dose-60-mg-under', withOrder(base(), { dose: { value: 60, unit: 'mg' } }), {
    description: '000 §2 Covered Doses: 60 mg at BSA 1.80 = 33.3 mg/m2 (under the limit)',
    ...COVERED,
  }),
  bsc('dose-40-mg-per-m2-at-limit', withOrder(base(), { dose: { value: 40, unit: 'mg/m2' } }), {
    description: '000 §2 Covered Doses: ordered as 40 mg/m2 q21d (at the limit)',
    ...COVERED,
  }),
  bsc('dose-45-mg-per-m2-over', withOrder(base(), { dose: { value: 45, unit: 'mg/m2' } }), {
    description: '000 §2 Covered Doses: ordered as 45 mg/m2: over; covered maximum 40 mg/m2 = 72 mg at BSA 1.80',
    ...OVER,
    suggestedDose: { value: 72, unit: 'mg' },
  }),
  bsc('schedule-every-14-days-over', withOrder(base(), { frequency: { count: 1, periodDays: 14 } }), {
    description: '000 §2 Covered Doses: 72 mg every 14 days (1.5 per 21 days) exceeds once every 3 weeks; dose itself at the limit',
    ...OVER,
    suggestedDose: { value: 72, unit: 'mg' },
  }),
  bsc(
    'units-lb-in-bsa-computed',
    { ...base(), weight: { value: 160, unit: '[lb_av]' }, height: { value: 64, unit: '[in_i]' }, bsa: undefined },
    {
      description: '000 §2 Covered Doses: weight 160 [lb_av] (72.57 kg), height 64 [in_i] (162.56 cm), no BSA: Mosteller 1.81 m2; 72 mg = 39.8 mg/m2',
      ...COVERED,
    },
  ),
  bsc(
    'units-lb-in-bsa-computed-80-mg-over',
    withOrder({ ...base(), weight: { value: 160, unit: '[lb_av]' }, height: { value: 64, unit: '[in_i]' }, bsa: undefined }, { dose: { value: 80, unit: 'mg' } }),
    {
      description: '000 §2 Covered Doses: 80 mg at Mosteller BSA 1.81 m2 (from lb/in) = 44.2 mg/m2: over (covered maximum about 72.4 mg)',
      ...OVER,
    },
  ),
  bsc('bsa-computed-kg-cm', { ...base(), bsa: undefined }, {
    description: '000 §2 Covered Doses: no BSA observation; Mosteller from 72 kg and 162 cm = 1.80 m2; 72 mg at the limit',
    ...COVERED,
  }),
  bsc('schedule-every-28-days-under', withOrder(base(), { frequency: { count: 1, periodDays: 28 } }), {
    description: '000 §2 Covered Doses: 72 mg (40 mg/m2) once every 28 days, less often than once every 3 weeks (under the schedule limit)',
    ...COVERED,
  }),
  bsc('disease-extent-not-documented', { ...base(), dx: [BC_LEFT], stage: undefined, m: undefined }, {
    description: '000 §2 1: breast cancer with no stage, M category, metastasis code, recurrence or inflammatory diagnosis on file: criterion 1 not documented',
    ...CONDITIONAL,
    criteria: {
      'bsc-ixa-1-locally-advanced': 'not-documented',
      'bsc-ixa-1-metastatic': 'not-documented',
      'bsc-ixa-1-advanced': 'not-documented',
      'bsc-ixa-1': 'not-documented',
      'bsc-ixa-2a': 'met',
    },
  }),
  bsc('dx-not-documented', { ...base(), dx: [] }, {
    description: '000 §2 ICD-10 list: no Condition in the chart (the order\'s reasonReference resolves to nothing): diagnosis not documented',
    ...CONDITIONAL,
    criteria: { 'bsc-ixa-dx': 'not-documented', 'bsc-ixa-all': 'not-documented' },
  }),
  // ---------------------------------------------------------------- drug coding variants
  bsc('drug-rxnorm-ingredient-337523', withOrder(base(), { coding: 'ingredient' }), {
    description: '000 drug codes (conventions): Drug identified by RxNorm ingredient 337523 (no display text)',
    ...COVERED,
  }),
  bsc('drug-hcpcs-j9207-dose-mg', withOrder(base(), { coding: 'hcpcs' }), {
    description: '000 header "HCPCS: J9207 per 1 mg": Drug identified by HCPCS J9207 (no display text), dose 72 mg',
    ...COVERED,
  }),
  bsc('drug-hcpcs-j9207-billing-units', withOrder(base(), { coding: 'hcpcs-units' }), {
    description: '000 header "HCPCS: J9207 per 1 mg": Drug identified by HCPCS J9207, dose stated as 72 billing units (1 unit = 1 mg → 72 mg = 40 mg/m2)',
    ...COVERED,
  }),
  bsc('drug-hcpcs-j9207-billing-units-over', withOrder(base(), { coding: 'hcpcs-units', dose: { value: 90, unit: 'mg' } }), {
    description: '000 header "HCPCS: J9207 per 1 mg" and Covered Doses: HCPCS J9207, 90 billing units (= 90 mg = 50 mg/m2 at BSA 1.80): over, covered maximum 72 mg',
    ...OVER,
    suggestedDose: { value: 72, unit: 'mg' },
  }),
  bsc('drug-ndc-70020-1910-1', withOrder(base(), { coding: 'ndc' }), {
    description: '000 drug codes (conventions): Drug identified by NDC 70020-1910-1 (10-digit hyphenated, no display text)',
    ...COVERED,
  }),
  bsc('drug-contained-medication-reference', withOrder(base(), { coding: 'contained' }), {
    description: '000 drug codes (conventions): Drug given by medicationReference to a contained Medication coded RxNorm 1726271',
    ...COVERED,
  }),
  // ---------------------------------------------------------------- prior authorization on file
  bsc('pa-on-file', { ...base(), pa: PA_ON_FILE }, {
    description: '000 §2 (authorization required for all requests): Approved PA on file (ClaimResponse preauthorization, complete, J9207, period contains the service date): satisfied, no card',
    covered: 'covered',
    paNeeded: 'satisfied',
    cards: [],
  }),
  bsc('pa-expired', { ...base(), pa: PA_EXPIRED }, {
    description: '000 §2 (authorization required for all requests): PA on file expired 20 days before the service date: auth needed',
    ...COVERED,
  }),
  bsc('pa-for-another-drug', { ...base(), pa: PA_OTHER_DRUG }, {
    description: '000 §2 (authorization required for all requests): PA on file is for trastuzumab (J9355), not ixabepilone: auth needed',
    ...COVERED,
  }),
];

// ---------------------------------------------------------------- the same patient under both payers
interface Pair {
  name: string;
  chart: Chart;
  bsc: Expect;
  um: Expect;
}
const pairs: Pair[] = [
  {
    name: 'cross-payer-her2pos-2nd-line-trastuzumab',
    chart: her2pos(1),
    bsc: {
      description: 'Same patient under BSC (000): HER2+ with trastuzumab in 2nd line: 000 requires 4th line and beyond: not covered',
      ...NOT_COVERED,
      criteria: { 'bsc-ixa-2b-trastuzumab': 'met', 'bsc-ixa-2b-4th-plus-from-20231030': 'not-met', 'bsc-ixa-2': 'not-met' },
    },
    um: {
      description: '001 1.A-C, same patient under UM: HER2+ 2nd line with trastuzumab, metastatic, adult, medical oncologist: covered (001 sets no HER2 or line rule)',
      ...COVERED,
      criteria: { 'um-ixa-a-age': 'met', 'um-ixa-b-ii-metastatic': 'met', 'um-ixa-c-specialty': 'met', 'um-ixa-all': 'met' },
    },
  },
  {
    name: 'cross-payer-age-17',
    chart: { ...base(), birthDate: '2008-09-15' },
    bsc: {
      description: 'Same patient under BSC (000): 17 years old, HER2-/HR+ 1st line: 000 has no age criterion: covered',
      ...COVERED,
      criteria: { 'bsc-ixa-2a': 'met' },
    },
    um: {
      description: '001 1.A, same patient under UM: 17 years old: age >= 18 not met, not covered',
      ...NOT_COVERED,
      criteria: { 'um-ixa-a-age': 'not-met', 'um-ixa-all': 'not-met' },
    },
  },
  {
    name: 'cross-payer-locally-advanced-not-recurrent',
    chart: locallyAdvanced(),
    bsc: {
      description: '000 §2 1 "locally advanced", same patient under BSC: stage IIIA, HER2-/HR+ 1st line: covered',
      ...COVERED,
      criteria: { 'bsc-ixa-1-locally-advanced': 'met' },
    },
    um: {
      description: 'Same patient under UM (001): locally advanced is not a 001 alternative; not metastatic (cM0), recurrence and response to preoperative therapy not documented',
      ...CONDITIONAL,
      criteria: { 'um-ixa-b-i-recurrent': 'not-documented', 'um-ixa-b-ii-metastatic': 'not-met', 'um-ixa-b-iii': 'not-documented', 'um-ixa-b': 'not-documented' },
    },
  },
  {
    name: 'cross-payer-her2neg-with-capecitabine',
    chart: { ...base(), prior: TWO_PRIOR, draftPartners: [DRUGS.capecitabine] },
    bsc: {
      description: '000 §2 2 HER2-/HR+ (single agent from 10/30/2023), same patient under BSC: with capecitabine in 2026: not covered',
      ...NOT_COVERED,
      criteria: { 'bsc-ixa-2a-single-agent': 'not-met' },
    },
    um: {
      description: '001 1 (no regimen, HER2 or line rule), same patient under UM: with capecitabine, metastatic, adult, oncologist: covered',
      ...COVERED,
      criteria: { 'um-ixa-all': 'met' },
    },
  },
];

const umScenarios: Scenario[] = [
  um('metastatic-oncologist-40-mg-m2-q21', base(), {
    description: '001 1: adult, metastatic, medical oncologist; 72 mg at BSA 1.80 = 40 mg/m2 once per 21 days (regimen A at the limit); no PA on file',
    ...COVERED,
    criteria: {
      'um-ixa-dx': 'met',
      'um-ixa-a-age': 'met',
      'um-ixa-b-ii-metastatic': 'met',
      'um-ixa-b': 'met',
      'um-ixa-c-specialty': 'met',
      'um-ixa-c': 'met',
      'um-ixa-all': 'met',
    },
  }),
  um('age-18-birthday-on-service-date', { ...base(), birthDate: '2008-03-02' }, {
    description: '001 1.A: 18th birthday on the service date: age >= 18 met',
    ...COVERED,
    criteria: { 'um-ixa-a-age': 'met' },
  }),
  um('age-not-documented', { ...base(), birthDate: undefined }, {
    description: '001 1.A: Patient without birthDate: age not documented',
    ...CONDITIONAL,
    criteria: { 'um-ixa-a-age': 'not-documented' },
  }),
  um('hematologist-207RH0000X', { ...base(), specialty: { code: '207RH0000X', display: 'Hematology' } }, {
    description: '001 1.C: prescriber is a hematologist (207RH0000X, not an oncologist), no consultation stated: not documented',
    ...CONDITIONAL,
    criteria: { 'um-ixa-c-specialty': 'not-documented', 'um-ixa-c-stated': 'not-documented', 'um-ixa-c': 'not-documented' },
  }),
  um(
    'hematologist-with-oncology-consultation-stated',
    withOrder({ ...base(), specialty: { code: '207RH0000X', display: 'Hematology' } }, { note: ONC_CONSULT_NOTE }),
    {
      description: '001 1.C: hematologist prescriber, order states the regimen was chosen in consultation with an oncologist',
      ...COVERED,
      criteria: { 'um-ixa-c-stated': 'met', 'um-ixa-c': 'met' },
    },
  ),
  um('hematology-oncology-207RH0003X', { ...base(), specialty: { code: '207RH0003X', display: 'Hematology & Oncology' } }, {
    description: '001 1.C: prescriber is hematology & oncology (207RH0003X): oncologist',
    ...COVERED,
    criteria: { 'um-ixa-c-specialty': 'met' },
  }),
  um('prescriber-specialty-not-documented', { ...base(), specialty: null }, {
    description: '001 1.C: PractitionerRole without specialty: not documented',
    ...CONDITIONAL,
    criteria: { 'um-ixa-c-specialty': 'not-documented', 'um-ixa-c': 'not-documented' },
  }),
  um('recurrent-unresectable-stated', withOrder(recurrent(), { note: UNRESECTABLE_NOTE }), {
    description: '001 1.B.i: local recurrence, cM0, order states unresectable',
    ...COVERED,
    criteria: { 'um-ixa-b-i-recurrent': 'met', 'um-ixa-b-i-unresectable-stated': 'met', 'um-ixa-b-i': 'met', 'um-ixa-b-ii-metastatic': 'not-met' },
  }),
  um('recurrent-unresectable-not-stated', recurrent(), {
    description: '001 1.B.i: local recurrence without a statement that it is unresectable: not documented',
    ...CONDITIONAL,
    criteria: { 'um-ixa-b-i-recurrent': 'met', 'um-ixa-b-i-unresectable': 'not-documented', 'um-ixa-b': 'not-documented' },
  }),
  um('no-response-preoperative-disease-status-stable', { ...locallyAdvanced(), diseaseStatus: 'stable', prior: ONE_PRIOR }, {
    description: '001 1.B.iii: stage IIIA (not recurrent, cM0), stable disease after preoperative paclitaxel: no response (not limited to inflammatory disease)',
    ...COVERED,
    criteria: { 'um-ixa-b-iii-chart': 'met', 'um-ixa-b-iii': 'met', 'um-ixa-b': 'met' },
  }),
  um('no-response-preoperative-stated', withOrder({ ...locallyAdvanced(), prior: ONE_PRIOR }, { note: NO_RESPONSE_NOTE }), {
    description: '001 1.B.iii: order states no response to preoperative systemic therapy',
    ...COVERED,
    criteria: { 'um-ixa-b-iii-stated': 'met', 'um-ixa-b': 'met' },
  }),
  um('inflammatory-no-response', inflammatory(), {
    description: '001 1.B.iii: inflammatory breast cancer with stable disease after preoperative AC',
    ...COVERED,
    criteria: { 'um-ixa-b-iii-chart': 'met' },
  }),
  um('surgical-oncologist-2086X0206X', { ...base(), specialty: { code: '2086X0206X', display: 'Surgical Oncology' } }, {
    description: '001 1.C (catalog/specialties.json, NUCC): a surgical oncologist is an oncologist: covered',
    ...COVERED,
    criteria: { 'um-ixa-c-specialty': 'met', 'um-ixa-c': 'met' },
  }),
  um('lymph-nodes-c77-only-no-stage', { ...base(), dx: [BC_LEFT, { id: 'dx-nodes', icd: { code: 'C77.9', display: 'Secondary and unspecified malignant neoplasm of lymph node, unspecified' }, clinicalStatus: 'active' }], stage: undefined, m: undefined }, {
    description: '001 1.B.ii (conventions: C77 alone does not make the disease metastatic): lymph-node code C77.9, no stage or M category: metastatic not documented, conditional',
    ...CONDITIONAL,
    criteria: { 'um-ixa-b-ii-metastatic': 'not-documented' },
  }),
  um('dx-snomed-only', { ...base(), dx: [{ id: 'dx-breast', snomed: BC_LEFT.snomed, clinicalStatus: 'active' }, BONE_METS] }, {
    description: '001 1: breast cancer coded only in SNOMED CT (254837009); metastatic via C79.51 and M1',
    ...COVERED,
    criteria: { 'um-ixa-dx': 'met' },
  }),
  um(
    'dx-not-breast-lung',
    { ...base(), dx: [LUNG, BONE_METS] },
    {
      description: '001 1: lung cancer (ICD-10-CM C34.90, SNOMED 363358000), not breast cancer: not covered',
      ...NOT_COVERED,
      criteria: { 'um-ixa-dx': 'not-met' },
    },
  ),
  // ---------------------------------------------------------------- 001 Dosing
  um('regimen-b-16-mg-m2-3-per-28', withOrder(base(), { dose: { value: 16, unit: 'mg/m2' }, frequency: { count: 3, periodDays: 28 } }), {
    description: '001 Dosing B: 16 mg/m2 three times per 28-day cycle (at the limit)',
    ...COVERED,
  }),
  um('regimen-b-28.8-mg-3-per-28', withOrder(base(), { dose: { value: 28.8, unit: 'mg' }, frequency: { count: 3, periodDays: 28 } }), {
    description: '001 Dosing B: 28.8 mg at BSA 1.80 = 16 mg/m2 three times per 28 days',
    ...COVERED,
  }),
  um('dose-20-mg-m2-weekly-over', withOrder(base(), { dose: { value: 20, unit: 'mg/m2' }, frequency: { count: 1, periodDays: 7 } }), {
    description: '001 Dosing: 20 mg/m2 weekly exceeds A (once per 21 days) and B (16 mg/m2, 3 per 28 days); covered maximum from B: 16 mg/m2 = 28.8 mg, 3 per 28 days',
    ...OVER,
    suggestedDose: { value: 28.8, unit: 'mg' },
  }),
  um('dose-40-mg-m2-every-14-days-over', withOrder(base(), { dose: { value: 40, unit: 'mg/m2' }, frequency: { count: 1, periodDays: 14 } }), {
    description: '001 Dosing A: 40 mg/m2 every 14 days exceeds once per 21 days; the fix keeps 40 mg/m2 and sets once per 21 days',
    ...OVER,
    suggestedDose: { value: 40, unit: 'mg/m2' },
  }),
  um('dose-90-mg-over', withOrder(base(), { dose: { value: 90, unit: 'mg' } }), {
    description: '001 Dosing A: 90 mg at BSA 1.80 = 50 mg/m2 > 40 mg/m2; covered maximum 72 mg',
    ...OVER,
    suggestedDose: { value: 72, unit: 'mg' },
  }),
  um('no-height-weight-bsa', { ...base(), weight: undefined, height: undefined, bsa: undefined }, {
    description: '001 Dosing: 72 mg ordered, no height, weight or BSA on file: dose cannot be checked',
    ...CONDITIONAL,
    criteria: { 'um-ixa-all': 'met' },
  }),
  um('units-lb-in-bsa-computed', { ...base(), weight: { value: 160, unit: '[lb_av]' }, height: { value: 64, unit: '[in_i]' }, bsa: undefined }, {
    description: '001 Dosing A: weight in [lb_av], height in [in_i], BSA computed (1.81 m2); 72 mg = 39.8 mg/m2',
    ...COVERED,
  }),
  um('drug-hcpcs-j9207-billing-units', withOrder(base(), { coding: 'hcpcs-units' }), {
    description: '001 drug codes (conventions) and Dosing A: HCPCS J9207, 72 billing units (= 72 mg = 40 mg/m2)',
    ...COVERED,
  }),
  um('regimen-b-12-mg-m2-3-per-28-under', withOrder(base(), { dose: { value: 12, unit: 'mg/m2' }, frequency: { count: 3, periodDays: 28 } }), {
    description: '001 Dosing B: 12 mg/m2 three times per 28-day cycle (under 16 mg/m2)',
    ...COVERED,
  }),
  um('regimen-b-16-mg-m2-4-per-28-over', withOrder(base(), { dose: { value: 16, unit: 'mg/m2' }, frequency: { count: 4, periodDays: 28 } }), {
    description: '001 Dosing B: 16 mg/m2 four times per 28 days exceeds "up to three times in each 28-day cycle" (and A\'s once per 21 days); dose itself at the B limit: the fix keeps 16 mg/m2 (the order\'s unit) and sets 3 per 28 days',
    ...OVER,
    suggestedDose: { value: 16, unit: 'mg/m2' },
  }),
  um('regimen-a-every-28-days-under', withOrder(base(), { frequency: { count: 1, periodDays: 28 } }), {
    description: '001 Dosing A: 72 mg (40 mg/m2 at BSA 1.80) once every 28 days, less often than once per 21-day cycle (schedule under)',
    ...COVERED,
  }),
  um('regimen-b-16-mg-m2-2-per-28-under', withOrder(base(), { dose: { value: 16, unit: 'mg/m2' }, frequency: { count: 2, periodDays: 28 } }), {
    description: '001 Dosing B: 16 mg/m2 twice per 28 days (fewer than three times per 28-day cycle; schedule under)',
    ...COVERED,
  }),
  um('regimen-b-20-mg-m2-3-per-28-over', withOrder(base(), { dose: { value: 20, unit: 'mg/m2' }, frequency: { count: 3, periodDays: 28 } }), {
    description: '001 Dosing B: 20 mg/m2 three times per 28 days exceeds 16 mg/m2 (B), and three per 28 days exceeds A\'s once per 21 days: covered maximum from B, 16 mg/m2 = 28.8 mg at BSA 1.80, 3 per 28 days',
    ...OVER,
    suggestedDose: { value: 28.8, unit: 'mg' },
  }),
  um('dose-60-mg-under', withOrder(base(), { dose: { value: 60, unit: 'mg' } }), {
    description: '001 Dosing A: 60 mg at BSA 1.80 = 33.3 mg/m2 once per 21 days (under 40 mg/m2)',
    ...COVERED,
  }),
  um('bsa-computed-kg-cm', { ...base(), bsa: undefined }, {
    description: '001 Dosing A: no BSA observation; Mosteller from 72 kg and 162 cm = 1.80 m2; 72 mg = 40 mg/m2 (at the limit)',
    ...COVERED,
  }),
  um('dx-not-documented', { ...base(), dx: [] }, {
    description: '001 1 "Breast Cancer": no Condition in the chart (the order\'s reasonReference resolves to nothing): diagnosis not documented',
    ...CONDITIONAL,
    criteria: { 'um-ixa-dx': 'not-documented', 'um-ixa-all': 'not-documented' },
  }),
  um('dx-icd-only-lung', { ...base(), dx: [{ ...LUNG, snomed: undefined }, BONE_METS] }, {
    description:
      '001 1 "Breast Cancer" (reading: disease group breast-cancer): lung cancer coded only in ICD-10-CM (C34.90); every diagnosis on file is read and none is breast cancer: not covered',
    ...NOT_COVERED,
    criteria: { 'um-ixa-dx': 'not-met' },
  }),
  um('disease-extent-not-documented', { ...base(), dx: [BC_LEFT], stage: undefined, m: undefined }, {
    description: '001 1.B: breast cancer with no stage, M category, metastasis code, recurrence or response on file: none of i, ii, iii documented',
    ...CONDITIONAL,
    criteria: { 'um-ixa-b-i-recurrent': 'not-documented', 'um-ixa-b-ii-metastatic': 'not-documented', 'um-ixa-b': 'not-documented' },
  }),
  um('drug-rxnorm-ingredient-337523', withOrder(base(), { coding: 'ingredient' }), {
    description: '001 drug codes (conventions): Drug identified by RxNorm ingredient 337523 (no display text): recognised, covered',
    ...COVERED,
  }),
  um('drug-ndc-70020-1910-1', withOrder(base(), { coding: 'ndc' }), {
    description: '001 drug codes (conventions): Drug identified by NDC 70020-1910-1 (10-digit hyphenated, no display text): recognised, covered',
    ...COVERED,
  }),
  um('drug-contained-medication-reference', withOrder(base(), { coding: 'contained' }), {
    description: '001 drug codes (conventions): medicationReference to a contained Medication coded RxNorm 1726271',
    ...COVERED,
  }),
  // ---------------------------------------------------------------- PA on file
  um('pa-on-file', { ...base(), pa: PA_ON_FILE }, {
    description: '001 Policy Statement (PA recommended, read as required): Approved PA on file for J9207: satisfied, no card',
    covered: 'covered',
    paNeeded: 'satisfied',
    cards: [],
  }),
  um('pa-expired', { ...base(), pa: PA_EXPIRED }, {
    description: '001 Policy Statement (PA recommended, read as required): PA on file expired before the service date: auth needed',
    ...COVERED,
  }),
  um('pa-for-another-drug', { ...base(), pa: PA_OTHER_DRUG }, {
    description: '001 Policy Statement (PA recommended, read as required): PA on file is for trastuzumab (J9355), not ixabepilone: auth needed',
    ...COVERED,
  }),
];

const scenarios: Scenario[] = [
  ...bscScenarios,
  ...umScenarios,
  ...pairs.flatMap((p) => [bsc(p.name, p.chart, p.bsc), um(p.name, p.chart, p.um)]),
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

const POS: Record<Pos, CodeableConcept> = {
  positive: {
    coding: [
      { system: LOINC, code: 'LA6576-8', display: 'Positive' },
      { system: SNOMED, code: '10828004', display: 'Positive' },
    ],
    text: 'Positive',
  },
  negative: {
    coding: [
      { system: LOINC, code: 'LA6577-6', display: 'Negative' },
      { system: SNOMED, code: '260385009', display: 'Negative' },
    ],
    text: 'Negative',
  },
};

const DISEASE_STATUS: Record<NonNullable<Chart['diseaseStatus']>, { code: string; display: string }> = {
  improved: { code: '268910001', display: "Patient's condition improved" },
  stable: { code: '359746009', display: "Patient's condition stable" },
  worsened: { code: '271299001', display: "Patient's condition worsened" },
};

function observation(
  id: string,
  category: 'vital-signs' | 'laboratory' | 'exam',
  code: { code: string; display: string },
  effective: string,
  value: Pick<Observation, 'valueQuantity' | 'valueCodeableConcept'>,
  extra: Partial<Observation> = {},
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: OBS_CAT, code: category }] }],
    code: { coding: [{ system: LOINC, code: code.code, display: code.display }], text: code.display },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: effective,
    ...value,
    ...extra,
  };
}

function gbrcaObservation(gene: 'BRCA1' | 'BRCA2', present: boolean, effective: string): Observation {
  const hgnc = gene === 'BRCA1' ? 'HGNC:1100' : 'HGNC:1101';
  return observation(
    `obs-gbrca-${gene.toLowerCase()}`,
    'laboratory',
    { code: '69548-6', display: 'Genetic variant assessment' },
    effective,
    {
      valueCodeableConcept: {
        coding: [{ system: LOINC, code: present ? 'LA9633-4' : 'LA9634-2', display: present ? 'Present' : 'Absent' }],
        text: present ? `Germline ${gene} pathogenic variant present` : `No germline ${gene} pathogenic variant`,
      },
    },
    {
      component: [
        {
          code: { coding: [{ system: LOINC, code: '48018-6', display: 'Gene studied [ID]' }] },
          valueCodeableConcept: { coding: [{ system: HGNC, code: hgnc, display: gene }] },
        },
        {
          code: { coding: [{ system: LOINC, code: '48002-0', display: 'Genomic source class [Type]' }] },
          valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA6683-2', display: 'Germline' }] },
        },
      ],
    },
  );
}

function medRequest(id: string, drug: DrugRef, status: 'completed' | 'draft', start: string, end?: string): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: drug.code, display: drug.display }], text: drug.display },
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: status === 'draft' ? addDays(start, -1) : start,
    requester: { reference: `PractitionerRole/${ROLE_ID}` },
    dosageInstruction: [{ timing: { repeat: { boundsPeriod: end ? { start, end } : { start } } } }],
  };
}

function orderCoding(coding: OrderSpec['coding']): Pick<MedicationRequest, 'medicationCodeableConcept' | 'medicationReference' | 'contained'> {
  switch (coding) {
    case 'scd':
      return {
        medicationCodeableConcept: {
          coding: [{ system: RXNORM, code: DRUGS.ixabepilone15.code, display: DRUGS.ixabepilone15.display }],
          text: 'Ixempra (ixabepilone) for injection',
        },
      };
    // The variants below carry the code alone, so the drug must be recognised by the code.
    case 'ingredient':
      return { medicationCodeableConcept: { coding: [{ system: RXNORM, code: '337523' }] } };
    case 'hcpcs':
    case 'hcpcs-units':
      return { medicationCodeableConcept: { coding: [{ system: HCPCS, code: 'J9207' }] } };
    case 'ndc':
      return { medicationCodeableConcept: { coding: [{ system: NDC, code: '70020-1910-1' }] } };
    case 'contained': {
      const med: Medication = {
        resourceType: 'Medication',
        id: 'med-ixa',
        code: { coding: [{ system: RXNORM, code: DRUGS.ixabepilone45.code, display: DRUGS.ixabepilone45.display }] },
        form: { coding: [{ system: SNOMED, code: '385219001', display: 'Solution for injection' }] },
      };
      return { contained: [med], medicationReference: { reference: '#med-ixa' } };
    }
  }
}

function draftOrder(c: Chart, name: string): MedicationRequest {
  const o = c.order;
  const billingUnits = o.coding === 'hcpcs-units';
  const dose: Quantity = billingUnits
    ? { value: o.dose.value, unit: 'billing units', system: UCUM, code: '{unit}' }
    : ucum(o.dose.value, o.dose.unit);
  const every = o.frequency.count === 1 ? `every ${o.frequency.periodDays} days` : `${o.frequency.count} times per ${o.frequency.periodDays} days`;
  const amount = billingUnits ? `${o.dose.value} units (J9207, 1 unit = 1 mg)` : `${o.dose.value} ${o.dose.unit}`;
  return {
    resourceType: 'MedicationRequest',
    id: 'draft-ixa-1',
    ...orderCoding(o.coding),
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: addDays(c.serviceDate, -1),
    requester: { reference: `PractitionerRole/${ROLE_ID}` },
    reasonReference: [{ reference: `Condition/${c.dx[0]?.id ?? 'dx-breast'}` }],
    ...(o.note ? { note: [{ text: o.note }] } : {}),
    dosageInstruction: [
      {
        text: `Ixabepilone ${amount} IV over 3 hours ${every}`,
        timing: {
          repeat: {
            boundsPeriod: { start: c.serviceDate },
            frequency: o.frequency.count,
            period: o.frequency.periodDays,
            periodUnit: 'd',
          },
        },
        route: { coding: [{ system: SNOMED, code: '47625008', display: 'Intravenous route' }] },
        doseAndRate: [
          {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type', code: 'ordered', display: 'Ordered' }] },
            doseQuantity: dose,
          },
        ],
      },
    ],
    dispenseRequest: { validityPeriod: { start: c.serviceDate, end: addDays(c.serviceDate, 20) } },
    // keeps the identifier unique per scenario while the resource id stays stable
    identifier: [{ system: 'urn:oncology-pa:scenario-order', value: name }],
  };
}

function buildRequest(sc: Scenario): Record<string, unknown> {
  const c = sc.chart;
  const sd = c.serviceDate;
  const payer = PAYER_OF[sc.policy];
  const patient: Patient = {
    resourceType: 'Patient',
    id: PATIENT_ID,
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN-SYN-0101' }],
    name: [{ family: 'Synthetic', given: ['Breast'] }],
    gender: 'female',
    ...(c.birthDate ? { birthDate: c.birthDate } : {}),
  };
  const coverage: Coverage = {
    resourceType: 'Coverage',
    id: 'cov-1',
    status: 'active',
    type: { coding: [{ system: 'https://nahdo.org/sopt', code: '5', display: 'PRIVATE HEALTH INSURANCE' }], text: 'Commercial PPO' },
    subscriberId: 'SYN765432',
    beneficiary: { reference: `Patient/${PATIENT_ID}` },
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }] },
    period: { start: `${sd.slice(0, 4)}-01-01`, end: `${sd.slice(0, 4)}-12-31` },
    payor: [{ identifier: { system: PAYER, value: payer }, display: PAYER_NAME[payer] }],
    class: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] },
        value: 'PPO-COMMERCIAL',
        name: 'Commercial PPO',
      },
    ],
  };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: ROLE_ID,
    active: true,
    practitioner: { reference: 'Practitioner/dr-onc-1', display: 'Dr. Synthetic Prescriber' },
    ...(c.specialty ? { specialty: [{ coding: [{ system: NUCC, code: c.specialty.code, display: c.specialty.display }] }] } : {}),
  };
  const onset = addDays(sd, -1000);
  const conditions: Condition[] = c.dx.map((d) => ({
    resourceType: 'Condition',
    id: d.id,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: d.clinicalStatus }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    code: {
      coding: [
        ...(d.icd ? [{ system: ICD10, code: d.icd.code, display: d.icd.display }] : []),
        ...(d.snomed ? [{ system: SNOMED, code: d.snomed.code, display: d.snomed.display }] : []),
      ],
      text: (d.icd ?? d.snomed)?.display ?? '',
    },
    subject: { reference: `Patient/${PATIENT_ID}` },
    onsetDateTime: d.onsetDaysBefore === undefined ? onset : addDays(sd, -d.onsetDaysBefore),
    recordedDate: d.onsetDaysBefore === undefined ? onset : addDays(sd, -d.onsetDaysBefore),
  }));

  const obs: Observation[] = [];
  const vitalsDate = addDays(sd, -3);
  const labDate = addDays(sd, -40);
  if (c.weight) {
    obs.push(observation('obs-weight', 'vital-signs', { code: '29463-7', display: 'Body weight' }, vitalsDate, {
      valueQuantity: ucum(c.weight.value, c.weight.unit === 'kg' ? 'kg' : 'lb', c.weight.unit),
    }));
  }
  if (c.height) {
    obs.push(observation('obs-height', 'vital-signs', { code: '8302-2', display: 'Body height' }, vitalsDate, {
      valueQuantity: ucum(c.height.value, c.height.unit === 'cm' ? 'cm' : 'in', c.height.unit),
    }));
  }
  if (c.bsa !== undefined) {
    obs.push(observation('obs-bsa', 'vital-signs', { code: '8277-6', display: 'Body surface area' }, vitalsDate, {
      valueQuantity: ucum(c.bsa, 'm2', 'm2'),
    }));
  }
  const marker = (id: string, code: string, display: string, v: Pos | undefined): void => {
    if (v) obs.push(observation(id, 'laboratory', { code, display }, labDate, { valueCodeableConcept: POS[v] }));
  };
  marker('obs-her2', '48676-1', 'HER2 [Interpretation] in Tissue', c.her2);
  marker('obs-er', '16112-5', 'Estrogen receptor [Interpretation] in Tissue', c.er);
  marker('obs-pr', '16113-3', 'Progesterone receptor [Interpretation] in Tissue', c.pr);
  if (c.gbrca) {
    obs.push(gbrcaObservation('BRCA1', false, labDate));
    obs.push(gbrcaObservation('BRCA2', c.gbrca === 'present', labDate));
  }
  if (c.pdl1Cps !== undefined) {
    obs.push(observation('obs-pdl1-cps', 'laboratory', { code: '85147-7', display: 'PD-L1 by clone 22C3 [Interpretation] in Tissue' }, labDate, {
      valueQuantity: { value: c.pdl1Cps, unit: 'CPS', system: UCUM, code: '{score}' },
    }, { note: [{ text: `Combined positive score (CPS) ${c.pdl1Cps}` }] }));
  }
  if (c.stage) {
    const iv = c.stage === 'IV';
    obs.push(observation('obs-stage-group', 'exam', { code: '21908-9', display: 'Stage group.clinical Cancer' }, labDate, {
      valueCodeableConcept: iv
        ? { coding: [{ system: SNOMED, code: '1222837003', display: 'AJCC stage group IV' }], text: 'IV' }
        : { text: c.stage },
    }, { focus: [{ reference: `Condition/${c.dx[0]?.id ?? 'dx-breast'}` }] }));
  }
  if (c.m) {
    const m1 = c.m === 'M1';
    obs.push(observation('obs-m-category', 'exam', { code: '21907-1', display: 'Distant metastases.clinical [Class] Cancer' }, labDate, {
      valueCodeableConcept: {
        coding: [{ system: SNOMED, code: m1 ? '1229903009' : '1229901006', display: m1 ? 'American Joint Committee on Cancer cM1' : 'American Joint Committee on Cancer cM0' }],
        text: m1 ? 'cM1' : 'cM0',
      },
    }));
  }
  if (c.diseaseStatus) {
    const st = DISEASE_STATUS[c.diseaseStatus];
    obs.push(observation('obs-disease-status', 'exam', { code: '97509-4', display: 'Cancer disease status' }, addDays(sd, -10), {
      valueCodeableConcept: { coding: [{ system: SNOMED, code: st.code, display: st.display }], text: st.display },
    }, {
      meta: { profile: ['http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status'] },
      focus: [{ reference: `Condition/${c.dx[0]?.id ?? 'dx-breast'}` }],
    }));
  }

  for (const [i, daysBefore] of (c.progressionsDaysBefore ?? []).entries()) {
    const st = DISEASE_STATUS.worsened;
    obs.push(observation(`obs-progression-${i + 1}`, 'exam', { code: '97509-4', display: 'Cancer disease status' }, addDays(sd, -daysBefore), {
      valueCodeableConcept: { coding: [{ system: SNOMED, code: st.code, display: st.display }], text: st.display },
    }, {
      meta: { profile: ['http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-disease-status'] },
      focus: [{ reference: `Condition/${c.dx[0]?.id ?? 'dx-breast'}` }],
    }));
  }

  const history: MedicationRequest[] = c.prior.flatMap((line, li) =>
    line.drugs.map((d, di) => {
      const start = addDays(sd, -line.daysBefore);
      return medRequest(`prior-${li + 1}-${di + 1}-${slug(d.display).slice(0, 24)}`, d, 'completed', start, addDays(start, line.days ?? 90));
    }),
  );

  const claimResponses: ClaimResponse[] = [];
  if (c.pa) {
    const start = addDays(sd, -c.pa.startDaysBefore);
    const isIxa = c.pa.drug === 'ixabepilone';
    claimResponses.push({
      resourceType: 'ClaimResponse',
      id: 'pa-1',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'preauthorization',
      patient: { reference: `Patient/${PATIENT_ID}` },
      created: start,
      insurer: { identifier: { system: PAYER, value: payer }, display: PAYER_NAME[payer] },
      outcome: 'complete',
      disposition: 'Approved',
      preAuthRef: `PA-${start.replace(/-/g, '')}-${isIxa ? '0207' : '0355'}`,
      preAuthPeriod: { start, end: addDays(sd, c.pa.endDaysAfter) },
      addItem: [
        {
          productOrService: {
            coding: isIxa
              ? [{ system: HCPCS, code: 'J9207', display: 'Injection, ixabepilone, 1 mg' }]
              : [{ system: HCPCS, code: 'J9355', display: 'Injection, trastuzumab, excludes biosimilar, 10 mg' }],
          },
          adjudication: [{ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'eligible' }] } }],
        },
      ],
    });
  }

  const draft = draftOrder(c, sc.name);
  const partners = c.draftPartners.map((d, i) => medRequest(`draft-partner-${i + 1}`, d, 'draft', sd));
  const draftEntries = [draft, ...partners].map((resource) => ({ fullUrl: `urn:uuid:${uuid(`${sc.policy}/${sc.name}/${resource.id}`)}`, resource }));
  return {
    hook: 'order-sign',
    hookInstance: uuid(`${sc.policy}/${sc.name}`),
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

writeScenarios(scenarios.map((sc) => ({ policy: sc.policy, name: sc.name, request: buildRequest(sc), expect: sc.expect })));
console.log(
  `wrote ${scenarios.length} scenarios (${scenarios.filter((x) => x.policy === BSC).length} ${BSC}, ${scenarios.filter((x) => x.policy === UM).length} ${UM})`,
);
