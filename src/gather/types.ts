/** What the gathering step hands to the facts step: the chart, already checked and typed. */
import type {
  Claim,
  ClaimResponse,
  Condition,
  Coverage,
  Medication,
  MedicationAdministration,
  MedicationRequest,
  Observation,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
} from 'fhir/r4.js';
import type { Unreadable } from './normalise.js';

export type { Unreadable } from './normalise.js';

export interface Unavailable {
  /** what could not be checked, in the clinician's words: "Observations (labs, vitals, biomarkers)" */
  what: string;
  /** prefetch key or query */
  key: string;
  reason: 'timeout' | 'error' | 'refused' | 'operation-outcome';
}

export interface GatheredChart {
  patientId: string;
  patient?: Patient;
  coverages: Coverage[];
  conditions: Condition[];
  observations: Observation[];
  /** the patient's MedicationRequests from the EHR (history and active); draft orders are separate */
  medicationRequests: MedicationRequest[];
  /** the patient's MedicationAdministrations: when each drug was given (dates the history's episodes when present) */
  medicationAdministrations: MedicationAdministration[];
  claimResponses: ClaimResponse[];
  claims: Claim[];
  practitionerRoles: PractitionerRole[];
  practitioners: Practitioner[];
  medications: Medication[];
  organizations: Organization[];
  /** the MedicationRequests in context.draftOrders (trusted as the orders being signed) */
  draftOrders: MedicationRequest[];
  /** order-select: references of the selected orders; order-sign: all draft orders */
  focusOrders: string[];
  userId: string;
  unavailable: Unavailable[];
  /** resources (or parts of them) the normaliser could not read, by reference and why: named in the answer */
  unreadable: Unreadable[];
}
