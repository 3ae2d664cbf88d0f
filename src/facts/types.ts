/**
 * ClinicalFacts: the plain, typed record that the policy engine reads.
 * Everything FHIR-shaped stops at the facts layer; policies address these
 * facts by JSONPath (for example `$.biomarkers.her2`).
 *
 * Every fact is a `Fact<T>`: `value` null means *unknown* (not in the chart,
 * or not fetched in time) and is never read as false.
 */

/** Where a fact came from, so a card can cite the chart. */
export interface Evidence {
  /** Relative FHIR reference, e.g. `Observation/her2-ihc`. */
  reference: string;
  /** Clinically relevant date (effective, onset, authored), YYYY-MM-DD or FHIR dateTime. */
  date?: string;
  /** Short human text: "HER2 negative (IHC 1+)". No patient identifiers. */
  text?: string;
  /** Values of the fact this evidence supports (codes, drug ids); lets the engine cite only what matched. */
  supports?: string[];
}

export interface Fact<T> {
  value: T | null;
  evidence: Evidence[];
  /** Why the value is unknown when it is (e.g. "Observation query timed out"). */
  unknownReason?: string;
  /**
   * For an enumerated fact whose value is unknown: the values the chart still allows (phase, lineage, Ph status).
   * The engine evaluates the policy under each and gives the answer when they all agree.
   */
  possibleValues?: T[];
  /**
   * Set when the value lists only what could be read and some sources could not be (a Condition with no code the
   * catalog knows): a value that fails a criterion then leaves it *not documented*, never *not met*.
   */
  incomplete?: string;
  /**
   * An unknown number known to lie in this range (an age from a year of birth alone): a criterion that the whole
   * range meets, or the whole range fails, is settled by it.
   */
  bounds?: { min: number; max: number };
}

export type Positivity = 'positive' | 'negative' | 'equivocal';
export type DiseaseResponse = 'improved' | 'stable' | 'worsened';
/** A line of business named in catalog/lines-of-business.json (commercial, marketplace, medicaid, medicare, …). */
export type LineOfBusiness = string;
export type { LeukaemiaState, Lineage } from '../catalog/types.js';
import type { LeukaemiaState, Lineage } from '../catalog/types.js';

/** Dose per administration (or per day for continuous infusion), as ordered. */
export interface OrderedAmount {
  value: number;
  /** mass unit after normalisation: milligrams or micrograms */
  unit: 'mg' | 'ug';
  /** absolute, per m² of body surface area, or per kg of body weight */
  basis: 'absolute' | 'per-m2' | 'per-kg';
  /** per administration, or per day (continuous infusion rate) */
  per: 'administration' | 'day';
  /** what the order said, for cards: "90 mg", "15 mcg/m2/d" */
  asWritten: string;
}

/** Administrations per period, normalised to days. */
/** One dose line of the order (one dosageInstruction): day-specific doses are several lines. */
export interface OrderedDoseLine {
  amount: OrderedAmount;
  /** how many times the order gives this line (timing.repeat.count, else timing.event dates, else its schedule over its bounded duration); absent when the order does not say */
  administrations?: number;
}

/** One dose of the ordered drug given before the service date: recorded (an administration) or implied by an earlier order's timing. */
export interface GivenDose {
  /** YYYY-MM-DD */
  date: string;
  amount: OrderedAmount;
  /** `MedicationAdministration/…` or `MedicationRequest/…` */
  reference: string;
  /** signed-together: another draft order of the drug in this signing (days 8 and 15 ordered apart from day 1) */
  source: 'administration' | 'order' | 'signed-together';
  /** the body measures documented for that date (the 30 days before it), which a per-m² or per-kg total converts with */
  bsaM2?: number;
  weightKg?: number;
}

/** An earlier order or administration of the drug whose doses cannot be read: a total over a course it may fall in is unknown. */
export interface UnreadableDose {
  /** YYYY-MM-DD when known (a course that starts later leaves it out) */
  date?: string;
  reference: string;
  reason: string;
}

/** The ordered drug's dose history before the service date (a total per course reads it). */
export interface DoseHistory {
  doses: GivenDose[];
  unreadable: UnreadableDose[];
  /** the doses of the other draft orders of the drug signed with this one: part of the same course, whatever their date */
  signedTogether?: GivenDose[];
}

export interface OrderedSchedule {
  administrations: number;
  periodDays: number;
  /** total length of the course when bounded (boundsDuration), in days */
  durationDays?: number;
  asWritten: string;
}

export interface DraftOrderFacts {
  /** Relative reference of the draft order, e.g. `MedicationRequest/draft-1`. */
  reference: string;
  /** Catalog id of the ordered drug (`catalog/drugs.json`), null if not recognised. */
  drug: string | null;
  /** Codes that identified the drug, as `system|code`. */
  drugCodes: string[];
  serviceDate: string;
  amount: Fact<OrderedAmount>;
  /** every dose line of the order (several for day-specific doses); unknown when one line's amount cannot be read */
  doseLines: Fact<OrderedDoseLine[]>;
  schedule: Fact<OrderedSchedule>;
  /** Doses of this drug given before the service date: recorded administrations, else what earlier orders' timing implies */
  dosesGiven: Fact<DoseHistory>;
  /** Catalog ids of the other drugs in the regimen: other draft orders + active medications on the service date. */
  partners: Fact<string[]>;
  /** Catalog classes of those partners (e.g. `tki`, `immunomodulatory`). */
  partnerClasses: Fact<string[]>;
  /** True when no other antineoplastic is among the draft orders or active medications. */
  singleAgent: Fact<boolean>;
  /** Treatment phase stated on the order (project convention): consolidation, maintenance, relapsed-refractory, induction, infant. */
  phase: Fact<string>;
  /** Cycle number: stated on the order (project convention), else, for a drug with a cycle pattern, from earlier runs. */
  cycleNumber: Fact<number>;
  /** Cycle number as the order states it, never derived (a maintenance schedule's numbering counts other drugs' cycles). */
  cycleNumberStated: Fact<number>;
  /** First day within the cycle that this order covers (e.g. 1 or 8): stated, else from earlier runs. */
  cycleDayStart: Fact<number>;
  /** Last cycle day this order covers (cycle day + infusion days − 1), for a drug with a cycle pattern. */
  cycleDayEnd: Fact<number>;
  /** Treatment-free days between the previous run of this drug and this order, for a drug with a cycle pattern. */
  treatmentFreeDaysBefore: Fact<number>;
  /** Keywords stated in the order's note / reasonCode.text / dosageInstruction.text (catalog/attestations.json). */
  attestations: Fact<string[]>;
  /** Days the patient has already received this same drug before the service date (continued therapy). */
  daysOnThisDrug: Fact<number>;
  // ---- regimen recognition (src/facts/regimens.ts)
  /** The catalog regimen (catalog/regimens.json id) the ordered drug makes with its partners, else its drugs joined by " + ". */
  regimen: Fact<string>;
  /** Requested duration in days (dispenseRequest.expectedSupplyDuration / validityPeriod), when stated. */
  requestedDurationDays: Fact<number>;
}

export interface ClinicalFacts {
  /** YYYY-MM-DD; the order's service date. */
  serviceDate: string;
  patient: {
    reference: string;
    age: Fact<number>;
    ageMonths: Fact<number>;
    /** whole months of age on the date of diagnosis (infant ALL: < 12) */
    ageAtDiagnosisMonths: Fact<number>;
  };
  body: {
    weightKg: Fact<number>;
    heightCm: Fact<number>;
    /** m², measured if documented, else Mosteller from height and weight. */
    bodySurfaceArea: Fact<number>;
  };
  diagnoses: {
    /** ICD-10-CM codes, upper case, with the dot (C50.911). The order's reason first. */
    icd10: Fact<string[]>;
    /** SNOMED CT concept ids. */
    snomed: Fact<string[]>;
    /** catalog disease groups (catalog/diagnosis-codes.json `diseases`); empty when every diagnosis is read and none is listed */
    diseases: Fact<string[]>;
  };
  disease: {
    /** current leukaemia state: ICD-10-CM remission character, clinicalStatus, SNOMED qualifier or text */
    leukaemiaState: Fact<LeukaemiaState>;
    /** ALL lineage; unknown when the chart does not say (C91.0- covers both) */
    lineage: Fact<Lineage>;
    /** YYYY-MM-DD onset (else recorded date) of the diagnosis the order is for */
    diagnosisDate: Fact<string>;
    metastatic: Fact<boolean>;
    locallyAdvanced: Fact<boolean>;
    recurrent: Fact<boolean>;
    /** relapsed or refractory (clinicalStatus relapse/recurrence, ICD "in relapse", or stated) */
    relapsedOrRefractory: Fact<boolean>;
    unresectable: Fact<boolean>;
    inflammatory: Fact<boolean>;
    tripleNegative: Fact<boolean>;
    /** last documented disease status (mCODE CancerDiseaseStatus) */
    response: Fact<DiseaseResponse>;
    /** "no response" (to preoperative therapy) = stable or worsened after systemic therapy was given */
    noResponse: Fact<boolean>;
    /** "responding positively" (continued therapy) = improved, or stable after a documented improvement; worsened = false */
    respondingToTherapy: Fact<boolean>;
    progression: Fact<boolean>;
    /** progression documented on, or within 60 days of the end of, the last systemic therapy */
    progressionWithin60DaysOfLastTherapy: Fact<boolean>;
  };
  biomarkers: {
    her2: Fact<Positivity>;
    er: Fact<Positivity>;
    pr: Fact<Positivity>;
    /** positive when ER+ or PR+, negative when both negative */
    hormoneReceptor: Fact<Positivity>;
    germlineBrca: Fact<'present' | 'absent'>;
    pdl1Cps: Fact<number>;
    philadelphiaChromosome: Fact<Positivity>;
    t11_14: Fact<Positivity>;
  };
  /** Latest laboratory result on or before the service date, in the catalog's unit, with its date as evidence
   * (a policy leaf's `withinDays` says how recent it must be). */
  labs: {
    /** absolute neutrophil count, 10*3/uL */
    anc: Fact<number>;
    /** platelet count, 10*3/uL */
    platelets: Fact<number>;
    /** creatinine clearance, mL/min */
    creatinineClearance: Fact<number>;
    /** total bilirubin, mg/dL */
    bilirubin: Fact<number>;
    /** corrected QT interval, ms */
    qtc: Fact<number>;
  };
  /** Latest response assessment on or before the service date (catalog responseCategories). */
  response: {
    /** CR, CRi, CRh, PR, SD, PD (catalog categories) */
    category: Fact<string>;
    /** measurable residual disease */
    mrd: Fact<'positive' | 'negative'>;
  };
  therapy: {
    /** number of prior lines of systemic antineoplastic therapy before the service date */
    priorLines: Fact<number>;
    /** the order's line = prior lines + 1 */
    lineOfTherapy: Fact<number>;
    /** catalog ids of drugs given in prior lines */
    priorDrugs: Fact<string[]>;
    /** catalog classes of those drugs */
    priorDrugClasses: Fact<string[]>;
    /** catalog ids of active medications on the service date */
    activeMedications: Fact<string[]>;
    /** drugs (and their classes) the disease progressed on or within 60 days of their last dose (IMWG refractory) */
    refractoryTo: Fact<string[]>;
    // ---- regimen recognition (src/facts/regimens.ts)
    /** catalog regimen ids (catalog/regimens.json) of the lines before the service date */
    priorRegimens: Fact<string[]>;
    /** the first line's regimen (primary induction): a catalog regimen id, else its drugs joined by " + " */
    inductionRegimen: Fact<string>;
    /** whole calendar months from the end of the first line to the first progression after it started */
    inductionToRelapseMonths: Fact<number>;
    /** the most recent prior line (any setting), dated by its last administration (lane 14-episodes) */
    lastTherapy: LastTherapyFacts;
  };
  prescriber: {
    reference: string | null;
    /** NUCC taxonomy codes */
    specialties: Fact<string[]>;
    /** specialty groups of those codes (catalog/specialties.json): oncology, hematology */
    specialtyGroups: Fact<string[]>;
  };
  coverage: {
    reference: string | null;
    payerId: Fact<string>;
    payerName: Fact<string>;
    lineOfBusiness: Fact<LineOfBusiness>;
  };
  /** The draft order under evaluation. */
  order: DraftOrderFacts;
  /** Approved prior authorizations on file for this drug at the service date. */
  authorizations: AuthorizationFact[];
  /** Set when the look-up of authorizations on file failed (error outcome, error, timeout): none found is not none on file. */
  authorizationLookupFailed: boolean;
}

/** The most recent line of therapy before the service date: "last therapy" in the policies. */
export interface LastTherapyFacts {
  /** catalog ids of its drugs */
  drugs: Fact<string[]>;
  /** YYYY-MM-DD its first drug started */
  start: Fact<string>;
  /** YYYY-MM-DD its last administration (or planned end) */
  end: Fact<string>;
  /** what ended it, when the chart says */
  endedBy: Fact<'progression' | 'intolerance' | 'completion'>;
  /** progression documented on it or within 60 days of its last administration */
  progressionWithin60Days: Fact<boolean>;
}

export interface AuthorizationFact {
  reference: string;
  preAuthRef: string;
  /** catalog drug id the authorization covers */
  drug: string | null;
  periodStart?: string;
  periodEnd?: string;
  /** true when active, approved, in period and for this order's drug */
  appliesToOrder: boolean;
  /** why it does not apply, e.g. "expired 2025-01-31", "for another drug" */
  whyNot?: string;
}
