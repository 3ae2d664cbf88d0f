/**
 * The facts model: one entry per fact of ClinicalFacts (src/facts/types.ts) saying what a policy may compare it
 * with — its type, unit, allowed values, where in FHIR it comes from and an example. From this one source follow:
 *  - the policy checker's type, operator, value and vocabulary checks (src/policy/semantics.ts);
 *  - the fact list of schemas/policy.schema.json (`$defs.factPath.examples`) and docs/facts.md
 *    (`npm run facts:doc` writes both; a test fails when either is stale).
 * `FactModel` is derived from `ClinicalFacts`, so adding a field to types.ts without an entry here (or with an entry
 * of the wrong type) does not compile.
 */
import type { ClinicalFacts, Fact } from './types.js';

/** Catalog lists a value must come from; the checker reads them from catalog/*.json. */
export type Vocabulary =
  | 'drugs'
  | 'drugClasses'
  | 'drugsOrClasses'
  | 'attestations'
  | 'phases'
  | 'payers'
  | 'linesOfBusiness'
  | 'responseCategories'
  | 'diseases'
  | 'specialtyGroups'
  | 'regimens';

interface Described {
  /** what the fact means, for analysts */
  description: string;
  /** where in FHIR (or the project's conventions) it comes from */
  fhir: string;
  /** a value as a policy leaf would compare it */
  example: string;
}

export interface NumberSpec extends Described {
  type: 'number';
  /** the unit the value is in (a policy value must be in it too) */
  unit?: string;
  integer?: boolean;
}
export interface BooleanSpec extends Described {
  type: 'boolean';
}
export interface DateSpec extends Described {
  type: 'date';
}
/** A single text value: a closed set of `values`, or codes from a catalog `vocabulary`, or free (`pattern`). */
export interface TextSpec<V extends string = string> extends Described {
  type: 'text';
  values?: readonly V[];
  vocabulary?: Vocabulary;
  /** regular expression every value must match (e.g. ICD-10-CM with its dot) */
  pattern?: string;
  patternText?: string;
}
/** A list of text values; operators hold when some element matches. */
export interface ListSpec extends Described {
  type: 'list';
  values?: readonly string[];
  vocabulary?: Vocabulary;
  pattern?: string;
  patternText?: string;
}
/** A structured value (a dose, a schedule) that leaves can only test for presence; dose limits read it. */
export interface ObjectSpec extends Described {
  type: 'object';
}
export type FactSpec = NumberSpec | BooleanSpec | DateSpec | TextSpec | ListSpec | ObjectSpec;

/** The spec a value type calls for ([V] avoids distributing `boolean` into true | false). */
type SpecFor<V> = [V] extends [number]
  ? NumberSpec
  : [V] extends [boolean]
    ? BooleanSpec
    : [V] extends [readonly string[]]
      ? ListSpec
      : [V] extends [string]
        ? TextSpec<V> | DateSpec
        : ObjectSpec;

type NodeFor<T> =
  T extends Fact<infer V>
    ? SpecFor<V>
    : T extends ReadonlyArray<infer E>
      ? E extends object
        ? { items: ModelOf<E> }
        : SpecFor<T>
      : T extends object
        ? ModelOf<T>
        : SpecFor<T>;

/** One entry per member of T, recursively: a Fact (or a plain value) gets a spec, a group gets its members. */
export type ModelOf<T> = { [K in keyof T]-?: NodeFor<NonNullable<T[K]>> };
export type FactModel = ModelOf<ClinicalFacts>;

const POSITIVITY = ['positive', 'negative', 'equivocal'] as const;
const ICD10 = { pattern: '^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$', patternText: 'an ICD-10-CM code in upper case with its dot, e.g. C50.911' };
const ICD10_PREFIX = { pattern: '^[A-Z][0-9A-Z.]*$', patternText: 'the start of an ICD-10-CM code in upper case, e.g. C50' };
const SNOMED = { pattern: '^[0-9]{6,18}$', patternText: 'a SNOMED CT concept id (digits only)' };

export const FACT_MODEL: FactModel = {
  serviceDate: { type: 'date', description: "The order's service date (YYYY-MM-DD); every 'current' fact is judged on it.", fhir: 'MedicationRequest.dispenseRequest.validityPeriod.start, else authoredOn, else today', example: '2025-03-01' },
  patient: {
    reference: { type: 'text', description: 'The patient, as a relative reference.', fhir: 'context.patientId', example: 'Patient/pat-1' },
    age: { type: 'number', unit: 'years', integer: true, description: 'Age in whole years on the service date.', fhir: 'Patient.birthDate', example: '42' },
    ageMonths: { type: 'number', unit: 'months', integer: true, description: 'Age in whole months on the service date (infant rules).', fhir: 'Patient.birthDate', example: '8' },
    ageAtDiagnosisMonths: { type: 'number', unit: 'months', integer: true, description: 'Age in whole months on the date of diagnosis (infant ALL is defined by age at diagnosis).', fhir: 'Patient.birthDate and the diagnosis date (Condition.onset[x], else recordedDate)', example: '8' },
  },
  body: {
    weightKg: { type: 'number', unit: 'kg', description: 'Latest body weight.', fhir: 'Observation LOINC 29463-7 (and catalog bodyWeight codes), lb converted', example: '68' },
    heightCm: { type: 'number', unit: 'cm', description: 'Latest body height.', fhir: 'Observation LOINC 8302-2 (catalog bodyHeight codes), in converted', example: '165' },
    bodySurfaceArea: { type: 'number', unit: 'm2', description: 'Body surface area: measured if documented, else Mosteller from height and weight (unrounded; rounded to 2 decimals only for display).', fhir: 'Observation LOINC 8277-6, else computed', example: '1.8' },
  },
  diagnoses: {
    icd10: { type: 'list', ...ICD10, description: "Current ICD-10-CM diagnoses, the order's reason first.", fhir: 'MedicationRequest.reasonCode / reasonReference, Condition.code (active, recurrence, relapse, remission)', example: '["C50.911"]' },
    snomed: { type: 'list', ...SNOMED, description: 'Current diagnoses as SNOMED CT concept ids.', fhir: 'Condition.code (SNOMED CT)', example: '["254837009"]' },
    diseases: { type: 'list', vocabulary: 'diseases', description: 'Catalog disease groups of the current diagnoses, for criteria that name a disease without a code list; empty when every diagnosis is read and none is in a group (not met), unknown when one cannot be read.', fhir: 'Condition.code (ICD-10-CM prefixes, SNOMED CT concepts, text phrases of catalog/diagnosis-codes.json "diseases")', example: '["breast-cancer"]' },
  },
  disease: {
    leukaemiaState: { type: 'text', values: ['not-in-remission', 'remission', 'relapse', 'refractory'], description: 'Current state of the leukaemia.', fhir: 'ICD-10-CM 5th character (C91.0x: 0 / 1 / 2), Condition.clinicalStatus, SNOMED CT leukaemia-in-remission concepts, condition text (catalog leukaemiaState)', example: '"relapse"' },
    lineage: { type: 'text', values: ['b-precursor', 't-cell'], description: 'ALL lineage; unknown when the chart does not state it (C91.0- covers both) or the immunophenotype is mixed. Precedence: coded concept, immunophenotype, text.', fhir: 'Condition SNOMED CT / ICD-O-3 morphology; flow-cytometry Observations (LOINC 101119-6 narrative, 52993-3, 51137-8, 35641-0); Condition text / coding display (catalog lineage)', example: '"b-precursor"' },
    diagnosisDate: { type: 'date', description: 'Date of diagnosis of the disease the order treats.', fhir: 'Condition.onset[x], else Condition.recordedDate', example: '2024-05-02' },
    respondingToTherapy: { type: 'boolean', description: 'Responding to continued therapy: improved, or stable after a documented improvement (false when worsened; unknown when stable with no documented improvement).', fhir: 'Observation mCODE CancerDiseaseStatus (LOINC 97509-4) over time', example: 'true' },
    metastatic: { type: 'boolean', description: 'Metastatic disease documented.', fhir: 'Condition (secondary-site ICD-10 / SNOMED), Observation M category M1, stage IV', example: 'true' },
    locallyAdvanced: { type: 'boolean', description: 'Locally advanced disease documented.', fhir: 'Observation stage group III, T4 category', example: 'true' },
    recurrent: { type: 'boolean', description: 'Recurrent disease documented.', fhir: 'Condition.clinicalStatus recurrence, SNOMED recurrent codes', example: 'true' },
    relapsedOrRefractory: { type: 'boolean', description: 'Relapsed or refractory disease.', fhir: 'Condition.clinicalStatus relapse/recurrence, ICD-10 "in relapse", or stated on the order', example: 'true' },
    unresectable: { type: 'boolean', description: 'Unresectable disease documented.', fhir: 'Condition / stated on the order', example: 'true' },
    inflammatory: { type: 'boolean', description: 'Inflammatory breast cancer.', fhir: 'Condition SNOMED (catalog inflammatoryBreast), T4d', example: 'true' },
    tripleNegative: { type: 'boolean', description: 'HER2, ER and PR all negative, or coded triple-negative.', fhir: 'biomarker Observations, Condition SNOMED', example: 'true' },
    response: { type: 'text', values: ['improved', 'stable', 'worsened'], description: 'Last documented disease status.', fhir: 'Observation mCODE CancerDiseaseStatus (LOINC 97509-4) valueCodeableConcept', example: '"stable"' },
    noResponse: { type: 'boolean', description: '"No response": last disease status stable or worsened.', fhir: 'Observation mCODE CancerDiseaseStatus', example: 'true' },
    progression: { type: 'boolean', description: 'Progression documented.', fhir: 'Observation mCODE CancerDiseaseStatus worsened', example: 'true' },
    progressionWithin60DaysOfLastTherapy: { type: 'boolean', description: 'Progression on, or within 60 days of the end of, the last systemic therapy.', fhir: 'CancerDiseaseStatus date vs MedicationRequest / MedicationAdministration history', example: 'true' },
  },
  biomarkers: {
    her2: { type: 'text', values: POSITIVITY, description: 'HER2 status (IHC 3+ or ISH amplified = positive).', fhir: 'Observation HER2 interpretation / IHC / ISH (catalog codes), Condition SNOMED', example: '"negative"' },
    er: { type: 'text', values: POSITIVITY, description: 'Estrogen receptor status.', fhir: 'Observation ER (catalog codes), Condition SNOMED', example: '"positive"' },
    pr: { type: 'text', values: POSITIVITY, description: 'Progesterone receptor status.', fhir: 'Observation PR (catalog codes), Condition SNOMED', example: '"positive"' },
    hormoneReceptor: { type: 'text', values: POSITIVITY, description: 'Positive when ER or PR is positive, negative when both are negative.', fhir: 'derived from er and pr', example: '"positive"' },
    germlineBrca: { type: 'text', values: ['present', 'absent'], description: 'Germline BRCA1/2 pathogenic variant.', fhir: 'Observation genetic variant assessment (germline, BRCA1/2), Condition SNOMED', example: '"absent"' },
    pdl1Cps: { type: 'number', unit: 'CPS', description: 'PD-L1 combined positive score.', fhir: 'Observation PD-L1 (catalog codes) valueQuantity / text "CPS n"', example: '10' },
    philadelphiaChromosome: { type: 'text', values: POSITIVITY, description: 'Philadelphia chromosome / BCR-ABL1.', fhir: 'Observation (catalog philadelphiaChromosome codes)', example: '"negative"' },
    t11_14: { type: 'text', values: POSITIVITY, description: 't(11;14) translocation.', fhir: 'Observation (catalog t11_14 codes)', example: '"positive"' },
  },
  labs: {
    anc: { type: 'number', unit: '10*3/uL', description: 'Absolute neutrophil count, latest result on or before the service date (use `withinDays` for recency).', fhir: 'Observation LOINC 751-8, 753-4, 26499-4 valueQuantity (catalog/observation-codes.json labUnits converts /uL, 10*9/L)', example: '1.5' },
    platelets: { type: 'number', unit: '10*3/uL', description: 'Platelet count, latest result on or before the service date.', fhir: 'Observation LOINC 777-3, 26515-7, 778-1 valueQuantity', example: '100' },
    creatinineClearance: { type: 'number', unit: 'mL/min', description: 'Creatinine clearance, latest result on or before the service date.', fhir: 'Observation LOINC 2164-2, 35591-7, 13449-9 valueQuantity', example: '60' },
    bilirubin: { type: 'number', unit: 'mg/dL', description: 'Total bilirubin, latest result on or before the service date.', fhir: 'Observation LOINC 1975-2, 42719-5, 14631-6 valueQuantity (umol/L converted)', example: '1.2' },
    qtc: { type: 'number', unit: 'ms', description: 'Corrected QT interval (ECG), latest result on or before the service date.', fhir: 'Observation LOINC 8636-3, 60955-2 valueQuantity', example: '450' },
  },
  response: {
    category: { type: 'text', vocabulary: 'responseCategories', description: 'Response category of the latest response assessment on or before the service date (CR, CRi, CRh, PR, SD, PD).', fhir: 'Observation LOINC 97509-4 or 88040-1: valueCodeableConcept coded (SNOMED CT 103338009 / 550991000124107 in full remission = CR, 103337004 / 551001000124108 in partial remission = PR, 271299001 worsened = PD; LOINC answers LA28366-5 CR, LA28369-9 PR, LA28370-7 PD; 359746009 stable and 268910001 improved keep an earlier response, stable alone = SD), else its text/display or valueString (catalog responseCategories lists each code with its source)', example: '"CRi"' },
    mrd: { type: 'text', values: ['positive', 'negative'], description: 'Measurable residual disease of the latest assessment that states it.', fhir: 'the same Observations: "MRD negative", "MRD detected" (catalog responseCategories.mrd)', example: '"negative"' },
  },
  therapy: {
    priorLines: { type: 'number', unit: 'lines', integer: true, description: 'Prior lines of systemic antineoplastic therapy before the service date, in the advanced setting when the chart dates metastatic disease (curative-intent therapy before it is not a line unless relapse came within 12 months); retreatment after progression is a new line; not documented when an unrecognised medication may be another line.', fhir: 'MedicationRequest / MedicationStatement history of catalog antineoplastics', example: '2' },
    lineOfTherapy: { type: 'number', unit: 'lines', integer: true, description: "The order's line: prior lines + 1. A line still running on the service date with no progression since it started is the order's own line (the order joins it), not a prior one.", fhir: 'derived from priorLines', example: '3' },
    priorDrugs: { type: 'list', vocabulary: 'drugs', description: "Catalog ids of drugs given in prior lines (not the running line the order joins: its drugs are partners).", fhir: 'MedicationRequest / MedicationStatement history (catalog/drugs.json codes)', example: '["doxorubicin", "paclitaxel"]' },
    priorDrugClasses: { type: 'list', vocabulary: 'drugClasses', description: 'Catalog classes of those drugs.', fhir: 'catalog/drugs.json classes of priorDrugs', example: '["anthracycline", "taxane"]' },
    activeMedications: { type: 'list', vocabulary: 'drugs', description: 'Catalog ids of medications active on the service date.', fhir: 'MedicationRequest / MedicationStatement active on the service date', example: '["lenalidomide"]' },
    refractoryTo: { type: 'list', vocabulary: 'drugsOrClasses', description: 'Catalog ids (and classes) of drugs the disease is refractory to: progression while on the drug or within 60 days of its last dose.', fhir: 'CancerDiseaseStatus worsened dates vs MedicationRequest history', example: '["lenalidomide"]' },
    // ---- regimen recognition (src/facts/regimens.ts)
    priorRegimens: { type: 'list', vocabulary: 'regimens', description: 'Catalog regimens (catalog/regimens.json ids) of the lines before the service date, every setting. A line is a regimen when all its antineoplastics are components and one recognising set is there whole; a corticosteroid started with the line counts only when the regimen lists it (lenalidomide + dexamethasone = Rd; inotuzumab with its dexamethasone premedication is no regimen). When a line would be a regimen but for a corticosteroid the chart does not show, a criterion the list fails is not documented rather than not met.', fhir: 'MedicationRequest history grouped into lines (catalog/regimens.json)', example: '["vrd", "dkd"]' },
    inductionRegimen: { type: 'text', vocabulary: 'regimens', description: "The first line's regimen (primary induction): a catalog regimen id, else the line's drugs joined by \" + \" (a value no policy names). Evidence: the line's dates and drugs. Not documented when the history shows no line.", fhir: 'MedicationRequest history, first line (catalog/regimens.json)', example: '"vrd"' },
    inductionToRelapseMonths: { type: 'number', unit: 'months', integer: true, description: 'Whole calendar months from the end of the induction (the first line\'s last administration, leaving out a maintenance phase: when the line ran on with only some of its drugs for more than 28 days after another it started with ended, the induction ended with that drug) to the first progression documented after the line started; 0 when the progression came during the induction. Not documented without a line or a progression after it.', fhir: 'first line of the MedicationRequest history; mCODE CancerDiseaseStatus (LOINC 97509-4) worsened', example: '6' },
    lastTherapy: {
      drugs: { type: 'list', vocabulary: 'drugs', description: 'Catalog ids of the drugs of the last therapy: the most recent prior line (any setting), the one started last (a newer line replaces the one before, even when an order of that one was left active). A line still running on the service date with no progression since it started is the order\'s own line, not its last therapy. A dexamethasone re-order or premedication is never it.', fhir: 'MedicationAdministration, else MedicationRequest periods (lines of therapy)', example: '["carfilzomib", "dexamethasone"]' },
      start: { type: 'date', description: 'When the last therapy started (its first drug).', fhir: 'first MedicationAdministration, else boundsPeriod / validityPeriod / authoredOn', example: '2026-03-20' },
      end: { type: 'date', description: 'The last therapy\'s last administration (else the end of its orders\' periods).', fhir: 'last MedicationAdministration, else boundsPeriod.end / validityPeriod.end / authoredOn + supply × (refills + 1)', example: '2026-10-30' },
      endedBy: { type: 'text', values: ['progression', 'intolerance', 'completion'], description: 'What ended the last therapy, when the chart says: progression on it or within 60 days; else a drug stopped for intolerance (catalog/therapy-end-reasons.json); else completion. Unknown when the chart does not say (or it is still running).', fhir: 'CancerDiseaseStatus worsened; MedicationRequest.statusReason (medicationrequest-status-reason sintol, salg, or text), status completed', example: '"progression"' },
      progressionWithin60Days: { type: 'boolean', description: 'Progression documented on the last therapy or within 60 days of its last administration. Same value as $.disease.progressionWithin60DaysOfLastTherapy.', fhir: 'CancerDiseaseStatus (LOINC 97509-4) worsened dates vs the last line', example: 'true' },
    },
  },
  prescriber: {
    reference: { type: 'text', description: 'The ordering practitioner (role), as a relative reference.', fhir: 'MedicationRequest.requester', example: 'PractitionerRole/role-onc-1' },
    specialties: { type: 'list', description: 'NUCC taxonomy codes of the prescriber (e.g. 207RX0202X).', fhir: 'PractitionerRole.specialty, Practitioner.qualification', example: '["207RX0202X"]' },
    specialtyGroups: { type: 'list', vocabulary: 'specialtyGroups', description: 'Specialty groups of the prescriber (catalog/specialties.json: oncology, hematology) from the NUCC codes.', fhir: 'PractitionerRole.specialty, Practitioner.qualification (NUCC)', example: '["oncology"]' },
  },
  coverage: {
    reference: { type: 'text', description: 'The Coverage the payer was read from.', fhir: 'Coverage (active)', example: 'Coverage/cov-1' },
    payerId: { type: 'text', vocabulary: 'payers', description: 'Catalog payer id.', fhir: 'Coverage.payor identifier or name (catalog/payers.json)', example: '"blue-shield-ca"' },
    payerName: { type: 'text', description: 'Payer name as on the Coverage.', fhir: 'Coverage.payor display / Organization.name', example: '"Blue Shield of California"' },
    lineOfBusiness: { type: 'text', vocabulary: 'linesOfBusiness', description: 'Line of business (catalog/lines-of-business.json).', fhir: 'Coverage.type, Coverage.class', example: '"commercial"' },
  },
  order: {
    reference: { type: 'text', description: 'The draft order, as a relative reference.', fhir: 'context.draftOrders', example: 'MedicationRequest/draft-1' },
    drug: { type: 'text', vocabulary: 'drugs', description: 'Catalog id of the ordered drug (null if not recognised).', fhir: 'MedicationRequest.medication[x] (RxNorm, NDC, HCPCS, name)', example: '"ixabepilone"' },
    drugCodes: { type: 'list', description: 'Codes that identified the drug, as system|code.', fhir: 'MedicationRequest.medication[x].coding', example: '["http://www.nlm.nih.gov/research/umls/rxnorm|1601374"]' },
    serviceDate: { type: 'date', description: "The order's service date.", fhir: 'as $.serviceDate', example: '2025-03-01' },
    amount: { type: 'object', description: 'Dose per administration (or per day for a continuous infusion) as ordered (the largest of several dose lines): value, unit mg|ug, basis absolute|per-m2|per-kg, per administration|day. Read by dose limits.', fhir: 'MedicationRequest.dosageInstruction.doseAndRate.dose / rate', example: '{"value": 90, "unit": "mg", "basis": "absolute", "per": "administration"}' },
    doseLines: { type: 'object', description: 'Every dose line of the order (one per dosageInstruction; day-specific doses are several lines): each an amount as in `amount` and how many times the order gives it. `amount` is the largest line. Read by dose limits (`cumulative` per cycle).', fhir: 'MedicationRequest.dosageInstruction[*].doseAndRate.dose, timing.repeat.count / timing.event / timing.repeat over boundsDuration', example: '[{"amount": {"value": 0.8, "unit": "mg", "basis": "per-m2", "per": "administration"}, "administrations": 1}, {"amount": {"value": 0.5, "unit": "mg", "basis": "per-m2", "per": "administration"}, "administrations": 2}]' },
    schedule: { type: 'object', description: 'Administrations per period in days, and course length. Read by dose limits.', fhir: 'MedicationRequest.dosageInstruction.timing.repeat', example: '{"administrations": 1, "periodDays": 21}' },
    dosesGiven: { type: 'object', description: 'Doses of the ordered drug given before the service date, each with its date and amount: the recorded administrations of an earlier order, else the doses its timing implies (repeat.count, event dates or its bounds; a frequency over a period is spread evenly over it), up to the service date; earlier orders or administrations that cannot be read are listed with the reason. Read by dose limits (`cumulative` per course): the course is every dose reached walking back from the service date with no pause longer than the limit\'s `courseGapDays`; an unreadable order in it leaves the total not documented.', fhir: 'MedicationAdministration (status completed) dosage.dose, effective[x], request; else earlier MedicationRequests of the drug (active, completed, stopped): dosageInstruction dose × timing', example: '{"doses": [{"date": "2026-09-01", "amount": {"value": 0.8, "unit": "mg", "basis": "per-m2", "per": "administration"}, "reference": "MedicationRequest/ino-c1", "source": "order"}], "unreadable": []}' },
    partners: { type: 'list', vocabulary: 'drugs', description: 'Catalog ids of the other drugs in the regimen: other draft orders and active medications.', fhir: 'context.draftOrders, active MedicationRequest / MedicationStatement', example: '["capecitabine"]' },
    partnerClasses: { type: 'list', vocabulary: 'drugClasses', description: 'Catalog classes (and regimens) of those partners.', fhir: 'catalog/drugs.json classes of partners', example: '["tki"]' },
    singleAgent: { type: 'boolean', description: 'No other antineoplastic among the draft orders or active medications.', fhir: 'derived from partners', example: 'true' },
    phase: { type: 'text', vocabulary: 'phases', description: 'Treatment phase stated on the order.', fhir: 'MedicationRequest extension treatment-phase, else words in note / reasonCode.text / dosageInstruction.text (catalog phases)', example: '"consolidation"' },
    cycleNumber: { type: 'number', unit: 'cycle', integer: true, description: 'Cycle number stated on the order; else, for a drug with a catalog cyclePattern, counted from the earlier infusion runs of that drug (none = cycle 1; a run still going = its cycle; else the next).', fhir: 'MedicationRequest extension treatment-cycle, else "cycle 2" / "C2D8" in the order text, else earlier MedicationRequests of the drug (boundsPeriod / boundsDuration / supply)', example: '2' },
    cycleNumberStated: { type: 'number', unit: 'cycle', integer: true, description: 'Cycle number as the order states it, never derived from history (a maintenance schedule numbers cycles of other drugs too).', fhir: 'MedicationRequest extension treatment-cycle, else "cycle 2" / "C2D8" in the order text', example: '4' },
    cycleDayStart: { type: 'number', unit: 'day', integer: true, description: 'First day within the cycle that this order covers; else, for a cycled drug, day 1 of a new run or the day reached in a run still going.', fhir: 'MedicationRequest extension treatment-cycle-day, else "day 8" in the order text, else earlier MedicationRequests of the drug', example: '8' },
    cycleDayEnd: { type: 'number', unit: 'day', integer: true, description: 'Last cycle day this order covers: cycleDayStart + infusion days − 1 (drugs with a catalog cyclePattern).', fhir: 'MedicationRequest.dosageInstruction.timing.repeat.boundsDuration / boundsPeriod', example: '28' },
    treatmentFreeDaysBefore: { type: 'number', unit: 'days', integer: true, description: 'Days without the drug between the end of its previous infusion run and this order (drugs with a catalog cyclePattern).', fhir: 'earlier MedicationRequests of the drug', example: '14' },
    attestations: { type: 'list', vocabulary: 'attestations', description: "Statements made on the order (catalog/attestations.json ids); negated phrases don't count. Use `mentions`.", fhir: 'MedicationRequest.note, reasonCode.text, dosageInstruction.text', example: '["unresectable"]' },
    daysOnThisDrug: { type: 'number', unit: 'days', integer: true, description: 'Days the patient has already received this drug before the service date.', fhir: 'MedicationRequest / MedicationAdministration history of the same drug', example: '45' },
    // ---- regimen recognition (src/facts/regimens.ts)
    regimen: { type: 'text', vocabulary: 'regimens', description: 'The regimen requested: the ordered drug with its partners (other draft orders, active medications) as a catalog regimen id, recognised as for lines (a corticosteroid counts only when the regimen lists it); else the drugs joined by " + ". As for lines, a missing corticosteroid a regimen needs leaves a failed criterion not documented.', fhir: 'context.draftOrders, active MedicationRequest (catalog/regimens.json)', example: '"ird"' },
    requestedDurationDays: { type: 'number', unit: 'days', integer: true, description: 'Requested duration, when stated.', fhir: 'MedicationRequest.dispenseRequest.expectedSupplyDuration / validityPeriod', example: '180' },
  },
  authorizations: {
    items: {
      reference: { type: 'text', description: 'The ClaimResponse.', fhir: 'ClaimResponse (use preauthorization)', example: 'ClaimResponse/pa-1' },
      preAuthRef: { type: 'text', description: 'Authorization number.', fhir: 'ClaimResponse.preAuthRef', example: '"PA-123"' },
      drug: { type: 'text', vocabulary: 'drugs', description: 'Catalog drug id the authorization covers.', fhir: 'ClaimResponse.addItem.productOrService / item', example: '"inotuzumab-ozogamicin"' },
      periodStart: { type: 'date', description: 'Start of the authorized period.', fhir: 'ClaimResponse.preAuthPeriod.start', example: '2025-01-01' },
      periodEnd: { type: 'date', description: 'End of the authorized period.', fhir: 'ClaimResponse.preAuthPeriod.end', example: '2025-06-30' },
      appliesToOrder: { type: 'boolean', description: "True when active, approved, in period and for this order's drug.", fhir: 'derived', example: 'true' },
      whyNot: { type: 'text', description: 'Why it does not apply.', fhir: 'derived', example: '"expired 2025-01-31"' },
    },
  },
  authorizationLookupFailed: { type: 'boolean', description: 'True when the look-up of authorizations on file failed (error outcome, error, timeout): none found is then not none on file, and pa-needed is not asserted as checked.', fhir: 'the ClaimResponse prefetch / query', example: 'true' },
};

function isSpec(node: object): node is FactSpec {
  return 'type' in node && 'description' in node;
}

/** Every fact as `[JSONPath, spec]`, in model order (`$.authorizations[*].drug` for list items). */
export function factEntries(model: object = FACT_MODEL, prefix = '$'): Array<[string, FactSpec]> {
  const out: Array<[string, FactSpec]> = [];
  for (const [key, node] of Object.entries(model) as Array<[string, object]>) {
    if (isSpec(node)) out.push([`${prefix}.${key}`, node]);
    else if ('items' in node && typeof node.items === 'object' && node.items !== null) out.push(...factEntries(node.items, `${prefix}.${key}[*]`));
    else out.push(...factEntries(node, `${prefix}.${key}`));
  }
  return out;
}

let byPath: Map<string, FactSpec> | undefined;

/** The spec of a plain path (`$.a.b`, `$['a']['b']`, `$.list[*].x`, `$.list[0].x`); undefined for other shapes. */
export function factSpec(path: string): FactSpec | undefined {
  byPath ??= new Map(factEntries());
  const normal = path
    .trim()
    .replace(/\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\]/g, '.$1')
    .replace(/\[\d+\]/g, '[*]');
  return byPath.get(normal);
}
