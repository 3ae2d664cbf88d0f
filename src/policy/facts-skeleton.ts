/**
 * A reference ClinicalFacts with every fact unknown. The loader checks each
 * policy leaf's JSONPath against it, so a path that names no fact (a typo,
 * a renamed field) fails at start-up instead of silently reading "unknown".
 */
import type { AuthorizationFact, ClinicalFacts, Fact } from '../facts/types.js';

export function unknownFact<T>(unknownReason?: string): Fact<T> {
  return unknownReason === undefined ? { value: null, evidence: [] } : { value: null, evidence: [], unknownReason };
}

/** Complete ClinicalFacts with every fact unknown (value null, no evidence). */
export function emptyFacts(serviceDate = '1970-01-01'): ClinicalFacts {
  const u = unknownFact;
  return {
    serviceDate,
    patient: { reference: 'Patient/unknown', age: u(), ageMonths: u(), ageAtDiagnosisMonths: u() },
    body: { weightKg: u(), heightCm: u(), bodySurfaceArea: u() },
    diagnoses: { icd10: u(), snomed: u(), diseases: u() },
    disease: {
      leukaemiaState: u(),
      lineage: u(),
      diagnosisDate: u(),
      metastatic: u(),
      locallyAdvanced: u(),
      recurrent: u(),
      relapsedOrRefractory: u(),
      unresectable: u(),
      inflammatory: u(),
      tripleNegative: u(),
      response: u(),
      noResponse: u(),
      respondingToTherapy: u(),
      progression: u(),
      progressionWithin60DaysOfLastTherapy: u(),
    },
    biomarkers: {
      her2: u(),
      er: u(),
      pr: u(),
      hormoneReceptor: u(),
      germlineBrca: u(),
      pdl1Cps: u(),
      philadelphiaChromosome: u(),
      t11_14: u(),
    },
    labs: { anc: u(), platelets: u(), creatinineClearance: u(), bilirubin: u(), qtc: u() },
    response: { category: u(), mrd: u() },
    therapy: { priorLines: u(), lineOfTherapy: u(), priorDrugs: u(), priorDrugClasses: u(), activeMedications: u(), refractoryTo: u(), priorRegimens: u(), inductionRegimen: u(), inductionToRelapseMonths: u(), lastTherapy: { drugs: u(), start: u(), end: u(), endedBy: u(), progressionWithin60Days: u() } },
    prescriber: { reference: null, specialties: u(), specialtyGroups: u() },
    coverage: { reference: null, payerId: u(), payerName: u(), lineOfBusiness: u() },
    order: {
      reference: 'MedicationRequest/unknown',
      drug: null,
      drugCodes: [],
      serviceDate,
      amount: u(),
      doseLines: u(),
      schedule: u(),
      dosesGiven: u(),
      partners: u(),
      partnerClasses: u(),
      singleAgent: u(),
      phase: u(),
      cycleNumber: u(),
      cycleNumberStated: u(),
      cycleDayStart: u(),
      cycleDayEnd: u(),
      treatmentFreeDaysBefore: u(),
      attestations: u(),
      daysOnThisDrug: u(),
      regimen: u(),
      requestedDurationDays: u(),
    },
    authorizations: [],
    authorizationLookupFailed: false,
  };
}

/** The skeleton paths are checked against: emptyFacts plus one authorization, so `$.authorizations[*].x` resolves. */
export function referenceFacts(): ClinicalFacts {
  const sample: AuthorizationFact = {
    reference: 'ClaimResponse/sample',
    preAuthRef: 'sample',
    drug: null,
    periodStart: '1970-01-01',
    periodEnd: '1970-01-01',
    appliesToOrder: false,
    whyNot: 'sample',
  };
  return { ...emptyFacts(), authorizations: [sample] };
}
