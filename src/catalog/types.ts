/**
 * Shapes of the catalog data files (`catalog/*.json`) and of the loaded,
 * indexed Catalog. The files hold every code; TypeScript holds none.
 */
import type { LineOfBusiness } from '../facts/types.js';

export type MassUnit = 'mg' | 'ug';

/** How a product can be given: round down to a step, or to one available strength. */
export type DoseRounding =
  | { step: number; unit: MassUnit; per?: 'day' }
  | { strengths: number[]; unit: MassUnit };

export interface HcpcsCode {
  code: string;
  /** size of one billing unit, e.g. J9229 = 0.1 mg */
  unitAmount: number;
  unit: MassUnit;
}

export interface NdcCode {
  /** 5-4-2 without hyphens */
  ndc11: string;
  /** as printed on the package: 4-4-2, 5-3-2 or 5-4-1 with hyphens */
  ndc10: string;
}

export interface RxNormCodes {
  ingredient?: string[];
  preciseIngredient?: string[];
  brand?: string[];
  clinical?: string[];
  branded?: string[];
}

export interface DrugEntry {
  id: string;
  generic: string;
  brands: string[];
  synonyms: string[];
  classes: string[];
  policyDrug?: boolean;
  rxnorm: RxNormCodes;
  /** where the RxNorm codes were checked (a public source naming each code with this drug), when recorded */
  rxnormSource?: string;
  hcpcs?: HcpcsCode[];
  ndc?: NdcCode[];
  rounding?: DoseRounding;
  /** What one unit of a solid oral product holds (one capsule), by its RxNorm SCD/SBD: turns "1 {pill}" into mg. */
  unitStrengths?: Record<string, UnitStrength>;
  /** Continuous-infusion cycles (FDA label): the order's cycle is read from earlier runs when the order does not state it. */
  cyclePattern?: CyclePattern;
  /**
   * A fixed-dose combination product's antineoplastic ingredients, as catalog ids (Phesgo: pertuzumab and
   * trastuzumab): the history and the partners read it as each of them given. An antibody-drug conjugate is not one:
   * it is its own drug.
   */
  ingredients?: string[];
}

export interface CyclePattern {
  /** days of continuous infusion in one cycle */
  infusionDays: number;
  /** the treatment-free intervals the label allows between runs (e.g. 14 in induction/consolidation, 56 in continued therapy) */
  treatmentFreeDays: number[];
  /**
   * the longest stretch without a charted infusion that still continues the same run (the label's interruption that
   * continues the cycle); bags charted by their start only (every 2–4 days) leave such stretches. Absent: 0.
   */
  sameCycleInterruptionDays?: number;
  source: string;
}

export interface UnitStrength {
  amount: number;
  unit: 'mg' | 'ug';
  /** the product, as RxNorm names it ("ixazomib 4 MG Oral Capsule") */
  name: string;
}

export interface PayerEntry {
  id: string;
  name: string;
  aliases: string[];
  identifiers: Array<{ system: string; value: string }>;
}

export interface LineOfBusinessCodeRule {
  system?: string;
  systemContains?: string;
  codes?: string[];
  prefixes?: string[];
}

export interface LineOfBusinessRule {
  lineOfBusiness: LineOfBusiness;
  codes: LineOfBusinessCodeRule[];
  words: string[];
}

export interface AttestationEntry {
  id: string;
  phrases: string[];
}

export interface PhaseEntry {
  phase: string;
  phrases: string[];
}

export interface CodeList {
  loinc?: string[];
  snomed?: string[];
}

export interface ValueSet {
  codes: string[];
  texts?: string[];
  textPrefixes?: string[];
  /** textPrefixes must match the whole (normalised) text */
  exact?: boolean;
}

export type ObservationFactKey =
  | 'bodyWeight'
  | 'bodyHeight'
  | 'bodySurfaceArea'
  | 'her2Interpretation'
  | 'her2Ihc'
  | 'her2Ish'
  | 'er'
  | 'pr'
  | 'geneticVariantAssessment'
  | 'geneStudied'
  | 'genomicSourceClass'
  | 'brcaTest'
  | 'pdl1'
  | 'philadelphiaChromosome'
  | 't11_14'
  | 'mCategory'
  | 'tCategory'
  | 'stageGroup'
  | 'diseaseStatus'
  | LabKey
  | 'responseAssessment'
  | 'immunophenotype';

/** A coded answer the catalog reads, with where it was checked (observation-codes.json `responseCategories`). */
export interface SourcedCode {
  system: 'loinc' | 'snomed';
  code: string;
  display: string;
  source: string;
}

/** Response categories and MRD, recognised from codes, then words (observation-codes.json `responseCategories`). */
export interface ResponseCategories {
  categories: Array<{ category: string; texts: string[]; codes?: SourcedCode[]; refines?: string }>;
  /** trend codes (improved, stable): the earlier category they keep, and the category when there is none */
  trends?: Array<{ trend: string; codes: SourcedCode[]; keeps: string[]; otherwise?: string; reading: string }>;
  mrd: { negative: string[]; positive: string[] };
}

/** Laboratory facts read as numbers with their date ($.labs.*). */
export type LabKey = 'anc' | 'platelets' | 'creatinineClearance' | 'bilirubin' | 'qtc';

/** The unit a laboratory fact is expressed in, and the factor from each unit a result may carry to it. */
export interface LabUnit {
  unit: string;
  from: Record<string, number>;
}

export type ValueKey =
  | 'positive'
  | 'negative'
  | 'detected'
  | 'notDetected'
  | 'equivocal'
  | 'variantPresent'
  | 'variantAbsent'
  | 'germline'
  | 'brca1'
  | 'brca2'
  | 'm1'
  | 'm0'
  | 't4d'
  | 'stageIV'
  | 'stageIII'
  | 'stageEarly'
  | 'improved'
  | 'stable'
  | 'worsened';

export interface ObservationCodes {
  systems: { loinc: string; snomed: string; hgnc: string[] };
  facts: Record<ObservationFactKey, CodeList>;
  values: Record<ValueKey, ValueSet>;
  pdl1: { cpsTexts: string[]; tpsTexts: string[] };
  labUnits: Record<LabKey, LabUnit>;
  responseCategories: ResponseCategories;
}

export interface SnomedList {
  snomed: string[];
}

export interface DiagnosisCodes {
  systems: { icd10cm: string[]; snomed: string };
  /** distant sites (C78–C79) */
  metastatic: { icd10Prefixes: string[]; snomed: string[] };
  /** lymph-node involvement (C77): regional or distant by the primary, decided by stage / M category */
  nodal: { icd10Prefixes: string[] };
  inflammatoryBreast: SnomedList & { icd10Prefixes: string[] };
  leukaemiaState: LeukaemiaStateCodes;
  lineage: LineageCodes;
  diseases: { groups: DiseaseGroup[] };
  tripleNegative: SnomedList;
  recurrent: SnomedList;
  inRelapsePattern: string;
  her2Positive: SnomedList;
  her2Negative: SnomedList;
  erPositive: SnomedList;
  erNegative: SnomedList;
  prPositive: SnomedList;
  prNegative: SnomedList;
  gbrcaPresent: SnomedList;
  gbrcaAbsent: SnomedList;
}

/** A named regimen (catalog/regimens.json): recognised when one of its `recognisedBy` drug sets is present whole. */
export interface Regimen {
  id: string;
  /** as clinicians write it: "VRd", "hyper-CVAD" */
  name: string;
  /** other names it goes by ("CyBorD", "RVD") */
  aliases?: string[];
  /** catalog/drugs.json ids, corticosteroids included when the regimen pairs them */
  components: string[];
  /** drug sets any one of which, present whole, shows the regimen */
  recognisedBy: string[][];
  /**
   * antineoplastics whose presence shows another regimen sharing these drugs: cyclophosphamide and vincristine with
   * doxorubicin are hyper-CVAD course A, not mini-hyper-CVD (which omits the anthracycline)
   */
  notWith?: string[];
  /** the public source naming the regimen and its drugs (FDA label, NCCN regimen name, the policy text) */
  source: string;
  reading?: string;
}

export interface SpecialtyGroup {
  group: string;
  nucc: string[];
}

export type LeukaemiaState = 'not-in-remission' | 'remission' | 'relapse' | 'refractory';

export interface LeukaemiaStateCodes {
  icd10Pattern: string;
  fifthCharacter: Record<string, LeukaemiaState>;
  clinicalStatus: Record<string, LeukaemiaState>;
  snomed: Record<string, LeukaemiaState>;
  phrases: Array<{ phrase: string; state: LeukaemiaState }>;
}

export type Lineage = 'b-precursor' | 't-cell';

/** Where a lineage reading comes from, in catalog order of precedence (diagnosis-codes.json lineage.precedence). */
export type LineageSource = 'coded' | 'immunophenotype' | 'text';

/** One flow-cytometry marker that bears on ALL lineage: its CD number, the lineage it points to, its own LOINC codes. */
export interface ImmunophenotypeMarker {
  marker: string;
  /** the CD designation without "CD" ("19", "79a", "3"): how narrative results name it (CD19+, cCD79a, cyCD3) */
  cd: string;
  lineage: Lineage;
  /** defining markers settle lineage; an associated one (CD7) only where every B marker tested is negative */
  role: 'defining' | 'associated';
  /** where the antigen is read (cytoplasmic CD3): a negative result stated for the other compartment is not its result */
  compartment?: 'cytoplasmic' | 'surface';
  /** the marker's own result codes; percentPositiveAt: a blast-gated percentage at or above it is positive */
  loinc: Array<{ code: string; percentPositiveAt?: number }>;
}

export interface ImmunophenotypeCodes {
  /** narrative panel codes: the text states markers positive or negative */
  panels: string[];
  markers: ImmunophenotypeMarker[];
  interpretation: { system: string; positive: string[]; negative: string[] };
}

export interface LineageCodes {
  precedence: LineageSource[];
  icdO3Systems: string[];
  values: Array<{ lineage: Lineage; icdO3: string[]; snomed: string[]; phrases: string[] }>;
  immunophenotype: ImmunophenotypeCodes;
}

export interface DiseaseGroup {
  disease: string;
  icd10Prefixes: string[];
  snomed: string[];
  phrases: string[];
  /** ICD-10-CM prefixes that name the disease only together with one of its phrases in the Condition's text */
  icd10PrefixesWithPhrase?: string[];
}

/** A code that names a drug, and how specific it is (a clinical drug beats an ingredient). */
export interface DrugCodeMatch {
  drug: string;
  /** 3 product (SCD, SBD, NDC, HCPCS), 2 precise ingredient, 1 ingredient or brand name */
  specificity: number;
  hcpcs?: HcpcsCode;
}

export interface Catalog {
  drugs: Map<string, DrugEntry>;
  payers: Map<string, PayerEntry>;
  payerSystem: string;
  /** `normalisedSystem|code` → drug (see `codeKey`) */
  drugByCode: Map<string, DrugCodeMatch>;
  /** normalised name (generic, brand, synonym) → drug id */
  drugByName: Map<string, string>;
  /** the same names, longest first, for finding a name inside free text */
  drugNamesLongestFirst: Array<{ name: string; drug: string }>;
  /** `normalisedSystem|value` → payer id */
  payerByIdentifier: Map<string, string>;
  /** normalised aliases, longest first */
  payerAliasesLongestFirst: Array<{ alias: string; payer: string }>;
  linesOfBusiness: LineOfBusinessRule[];
  attestations: AttestationEntry[];
  negations: Set<string>;
  phases: PhaseEntry[];
  observations: ObservationCodes;
  diagnoses: DiagnosisCodes;
  /** prescriber specialty groups by NUCC code (catalog/specialties.json) */
  specialtyGroups: SpecialtyGroup[];
  /** named regimens the policies ask for as partners (catalog/regimens.json) */
  regimens: Regimen[];
  inRelapse: RegExp;
  /** ICD-10-CM leukaemia / myeloma code whose group 1 is the remission character */
  leukaemiaStatePattern: RegExp;
  /** what ended a treatment episode (catalog/therapy-end-reasons.json) */
  therapyEndReasons: TherapyEndReasons;
}

// ---- what ended a treatment episode (catalog/therapy-end-reasons.json), lane 14-episodes

export type TherapyEndReason = 'intolerance' | 'completion';

export interface TherapyEndReasonEntry {
  reason: TherapyEndReason;
  /** codes of `statusReasonSystem` that mean this reason */
  codes: string[];
  /** what each code means, for the evidence */
  codeMeanings: Record<string, string>;
  /** words in statusReason.text / coding.display that mean it (a negated phrase does not count) */
  phrases: string[];
  /** MedicationRequest.status values that mean it without a reason (completed) */
  statuses?: string[];
}

export interface TherapyEndReasons {
  statusReasonSystem: string;
  /** in order of precedence: the first that matches is the reason */
  reasons: TherapyEndReasonEntry[];
}
