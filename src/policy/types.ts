/**
 * The shape of a policy file (`policies/*.json`), mirrored by
 * `schemas/policy.schema.json`, and of the engine's results.
 * Policies are data: nothing here names a drug, a payer or a code.
 */
import type { Evidence, LineOfBusiness } from '../facts/types.js';
import type { DoseUnit, MassUnit, UcumQuantity } from '../units.js';

export type { DoseUnit } from '../units.js';

/** Every rule names its place in the source document, e.g. "000 §2 Breast cancer 1". */
export interface Sourced {
  id: string;
  /** Short clinician-facing label, e.g. "HER2-positive, with trastuzumab, 4th line or later". */
  label: string;
  source: string;
}

/** Effective window of a branch, judged on the order's service date (inclusive dates, YYYY-MM-DD). */
export interface Effective {
  effectiveFrom?: string;
  effectiveTo?: string;
}

export type Operator =
  | 'equals'
  | 'notEquals'
  | 'in'
  | 'notIn'
  | 'atLeast'
  | 'atMost'
  | 'greaterThan'
  | 'lessThan'
  | 'exists'
  | 'isTrue'
  | 'isFalse'
  | 'startsWith'
  /** array fact shares at least one element with `value` */
  | 'includesAny'
  /** array fact contains every element of `value` */
  | 'includesAll'
  /** some element of an array fact starts with one of `value` */
  | 'anyStartsWith'
  | 'isEmpty'
  | 'notEmpty'
  /** array fact contains `value` → met; otherwise not documented (statements in free text can only confirm) */
  | 'mentions';

export interface Leaf extends Sourced, Effective {
  /** JSONPath into ClinicalFacts, pointing at a Fact (e.g. `$.biomarkers.her2`). */
  fact: string;
  op: Operator;
  value?: string | number | boolean | Array<string | number>;
  /** The unit `value` is written in, when the analyst states it; must be the fact's unit (docs/facts.md). */
  unit?: string;
  /** The fact must be documented within this many days before the service date (its newest evidence date);
   * an older or undated result leaves the leaf not documented ("ANC within 14 days"). */
  withinDays?: number;
  /** When the chart shows the criterion false but the document allows another way to meet it
   * (e.g. "in consultation with an oncologist"), report not documented rather than not met. */
  ifNotMet?: 'not-documented';
  /** When the chart is silent and the document accepts that silence (e.g. lineage unstated: the policy's own code
   * list is accepted), report met; a fact the chart states still decides. */
  ifNotDocumented?: 'met';
  /** What documentation would settle it, for the card's checklist. */
  documentation?: string;
  /** Why this reading was chosen, when the document is ambiguous. */
  reading?: string;
}

export interface AllOf extends Partial<Sourced>, Effective { all: Criterion[]; reading?: string }
export interface AnyOf extends Partial<Sourced>, Effective { any: Criterion[]; reading?: string }
export interface NotOf extends Partial<Sourced>, Effective { not: Criterion; reading?: string }
export type Criterion = AllOf | AnyOf | NotOf | Leaf;

export interface DoseCap {
  max: number;
  unit: DoseUnit;
}

export interface DoseAlternative extends Sourced {
  /** When this alternative applies (weight band, phase, cycle); absent = always. */
  when?: Criterion;
  /** Maximum per administration (or per day for /d units), with an optional absolute "not to exceed" cap. */
  dose?: DoseCap & { notToExceed?: DoseCap };
  /** At most `maxAdministrations` in any `periodDays` days. */
  schedule?: { maxAdministrations: number; periodDays: number };
  /** Total of every dose line of the order, per cycle (the order is read as one cycle): 1.8 mg/m² per cycle. */
  cumulative?: CumulativeCap;
}

/** A total over doses; per-administration units only (mg, mg/m2, mg/kg, ug). */
export interface CumulativeCap {
  max: number;
  unit: Extract<DoseUnit, 'mg' | 'mg/m2' | 'mg/kg' | 'ug'>;
  /** cycle: the order's own dose lines (the order is one cycle); course: the doses already given in the current course plus the order's */
  per: 'cycle' | 'course';
  /** per course: a pause of more than this many days between two doses (or before the order) starts a new course */
  courseGapDays?: number;
}

export interface DoseLimitSet extends Sourced {
  /** When this set applies at all (e.g. only for the consolidation indication); absent = always. */
  when?: Criterion;
  /** The order meets the set when it meets one applicable alternative. */
  alternatives: DoseAlternative[];
}

export interface Duration {
  /** null = indefinitely */
  months: number | null;
  /** "or duration of request, whichever is less" */
  orDurationOfRequest?: boolean;
  /** Lines of business this duration is for; absent = all. */
  linesOfBusiness?: LineOfBusiness[];
  source: string;
}

export interface Indication extends Sourced {
  criteria: Criterion;
  /** Dose limits that apply when this indication is the one met. */
  doseLimits?: DoseLimitSet[];
  approvalDuration?: Duration[];
  /** Coverage period and cycle counts (e.g. "One year for up to 4 treatment cycles"). */
  coveragePeriod?: { months: number | null; maxCycles?: number; source: string };
  /** Continued-therapy (renewal) criteria rather than initial approval. */
  continuation?: boolean;
}

/** A use the document names as investigational / not medically necessary: when met, the order is not covered. */
export interface Exclusion extends Sourced {
  criteria: Criterion;
}

export interface DrugCode {
  system: string;
  code: string;
  display?: string;
}

export interface Policy {
  id: string;
  version: string;
  title: string;
  document: {
    /** seed file name, e.g. 000_c668f97403d2ddc3.txt */
    file: string;
    reference?: string;
    lastReview?: string;
    nextReview?: string;
    /** public URL of the payer's text, when known; the service serves its own copy at /policies/{id} */
    url?: string;
  };
  payer: { id: string; name: string };
  linesOfBusiness?: LineOfBusiness[];
  /** catalog drug id (catalog/drugs.json) and the codes named by the document */
  drug: { id: string; name: string; codes: DrugCode[] };
  effective?: { from?: string; to?: string };
  priorAuthorization: { required: boolean; source: string; reading?: string };
  approvalDuration?: Duration[];
  indications: Indication[];
  exclusions?: Exclusion[];
  /** What to attach to an authorization request. */
  documentation?: string[];
  /** How ambiguous or contradictory passages were read. */
  readings?: Array<{ source: string; reading: string }>;
  /** How this policy counts prior lines of therapy ($.therapy.priorLines, lineOfTherapy); absent = the default reading. */
  lineCounting?: PolicyLineCounting;
}

/**
 * The policy's reading of "line of therapy" (lane 14-episodes): which setting's lines count, and how early relapse
 * after curative-intent (neo)adjuvant therapy is read. Default (absent): `advanced`, 12 months.
 */
export interface PolicyLineCounting {
  /** `advanced`: lines for advanced/metastatic disease only; `any`: every line, whatever its setting */
  setting: 'advanced' | 'any';
  /** with `advanced`: relapse within this many calendar months of the end of curative therapy counts it as a line (0 = never) */
  earlyRelapseMonths?: number;
  /** where in the document this reading comes from */
  source?: string;
}

// ---------------------------------------------------------------- results

export type Status = 'met' | 'not-met' | 'not-documented';

export interface CriterionResult {
  id?: string;
  label?: string;
  source?: string;
  kind: 'all' | 'any' | 'not' | 'leaf';
  status: Status;
  /** false when the branch is outside its effective window on the service date (then ignored). */
  inEffect: boolean;
  /** For leaves: the fact's value as read ("negative", 1.8, ["C50.911"]). */
  value?: unknown;
  evidence: Evidence[];
  documentation?: string;
  unknownReason?: string;
  children?: CriterionResult[];
}

/** A limit as numbers: the cap per administration or per day, and the schedule, of one dose alternative. */
export interface DoseLimitValue {
  dose?: DoseCap & { notToExceed?: DoseCap };
  schedule?: { maxAdministrations: number; periodDays: number };
  cumulative?: CumulativeCap;
}

/** The order as the engine compared it, in numbers with UCUM units (the cards layer words it). */
export interface OrderedDose {
  /** the order's amount, e.g. { 90, "mg" } or { 15, "ug/m2/d" } */
  amount?: UcumQuantity;
  /** the same amount in the limit's unit, when they differ: { 50, "mg/m2" } */
  inLimitUnit?: UcumQuantity;
  /** the body measure used for the conversion: { 1.8, "m2" } or { 50, "kg" } */
  scale?: UcumQuantity;
  /** administrations counted in the limit's period, when the schedule is what exceeds */
  schedule?: { administrations: number; periodDays: number };
  /** why the amount could not be read, as the facts layer said, when only the schedule was compared */
  amountUnreadable?: string;
  /** the order's total per cycle in the cumulative limit's unit, and its lines ({ 0.8, "mg/m2" } × 1, …) */
  cycleTotal?: { total: UcumQuantity; lines: Array<{ amount: UcumQuantity; administrations: number }>; scale?: UcumQuantity };
  /** the course's running total in the cumulative limit's unit: what was given (per order or administration) and what this order plans */
  courseTotal?: CourseTotal;
  /** how many dose lines the order has, when more than one */
  doseLines?: number;
}

/** A total per course, as numbers in the limit's unit (the cards layer words it). */
export interface CourseTotal {
  /** given in the course + this order's planned doses */
  total: UcumQuantity;
  /** date of the course's first dose (the service date when nothing was given in it) */
  since: string;
  /** the pause that ends a course, in days, as the policy states */
  gapDays: number;
  /** what was given in the course, per order or administration, oldest first */
  given: Array<{ reference: string; source: 'administration' | 'order' | 'signed-together'; from: string; to: string; doses: number; amount: UcumQuantity }>;
  /** this order's planned doses and their sum */
  planned: { amount: UcumQuantity; lines: Array<{ amount: UcumQuantity; administrations: number }> };
  /** what the course could still receive before this order (never below 0) */
  remaining: UcumQuantity;
  /** the body measure used to convert */
  scale?: UcumQuantity;
}

/** Which part of a limit an order exceeds: the amount per administration, the schedule, the total per cycle. */
export type DoseExceeds = 'dose' | 'schedule' | 'cumulative';

export interface DoseCheck {
  status: Status | 'not-applicable';
  limitSetId?: string;
  /** the alternative the order met, or the one the suggestion is built from */
  alternativeId?: string;
  /** which part exceeds */
  exceeds?: DoseExceeds[];
  ordered?: OrderedDose;
  /** the limit in effect (one; several when it is open which applies) */
  limits?: DoseLimitValue[];
  /** why this limit is the one for this patient: the met conditions of the set and alternative ("Body weight less than 45 kg") */
  limitFor?: Array<{ label: string; evidence: Evidence[] }>;
  /** The covered maximum for this patient, as the order should read. */
  covered?: {
    amount: { value: number; unit: MassUnit; per: 'administration' | 'day' };
    schedule?: { administrations: number; periodDays: number };
  };
  /** the ordered amount could not be read (a count of vials, an unknown unit): only the schedule was checked */
  amountUnknown?: true;
  /** facts that would settle a not-documented check: JSONPaths into ClinicalFacts ("$.body.bodySurfaceArea"), or the label of a policy condition without one */
  missing?: string[];
  /** why those facts are unknown, when the facts layer said (e.g. "Observation query timed out") */
  unknownReasons?: string[];
  evidence: Evidence[];
  source?: string;
}

export interface IndicationResult {
  id: string;
  label: string;
  source: string;
  status: Status;
  criteria: CriterionResult;
  dose: DoseCheck;
  continuation: boolean;
}

export type Covered = 'covered' | 'not-covered' | 'conditional';
export type PaNeeded = 'auth-needed' | 'satisfied' | 'no-auth';

export interface PolicyEvaluation {
  policy: { id: string; version: string; title: string; payerId: string; payerName: string; file: string; url?: string };
  orderReference: string;
  drug: string;
  serviceDate: string;
  indications: IndicationResult[];
  exclusions: CriterionResult[];
  /** the indication the decision rests on (met, else the closest not-documented one) */
  decidingIndication?: string;
  dose: DoseCheck;
  covered: Covered;
  paNeeded?: PaNeeded;
  satisfiedPaId?: string;
  docNeeded?: 'clinical' | 'admin' | 'both' | 'conditional';
  infoNeeded?: boolean;
  /** approval duration that applies (ISO 8601 duration like P12M, or "indefinite") */
  approvalDuration?: string;
  /** the same, as numbers for the wording layer */
  approval?: ApprovalDuration;
  /** pa-needed was judged without the authorizations on file: their look-up failed */
  authorizationUnchecked?: true;
  /** why facts the decision turned on are unknown, as the facts layer said ("Observation query timed out") */
  unchecked: string[];
  /** facts the chart leaves open (phase, lineage, Ph status) under whose every allowed value the answer is the same */
  settledOver?: Array<{ fact: string; values: string[] }>;
}

/** An approval duration as numbers (cards/ word it): months (null = indefinitely), or the requested days when fewer. */
export interface ApprovalDuration {
  iso: string;
  months: number | null;
  /** "or duration of request, whichever is less" */
  orDurationOfRequest?: boolean;
  /** the request's own length when it is the shorter one */
  requestedDays?: number;
  linesOfBusiness?: LineOfBusiness[];
  maxCycles?: number;
}
