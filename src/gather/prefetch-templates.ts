/**
 * Prefetch templates the services advertise in discovery, and the same queries for when the EHR did not prefetch.
 * Only CDS Hooks 2.0 tokens ({{context.patientId}}, {{userPractitionerRoleId}}) so any EHR and the sandbox can fill them.
 */
export type PrefetchKey =
  | 'patient'
  | 'coverage'
  | 'conditions'
  | 'observations'
  | 'medicationRequests'
  | 'medicationAdministrations'
  | 'claimResponses'
  | 'practitionerRole'
  | 'practitioner';

export const PREFETCH_TEMPLATES: Readonly<Record<PrefetchKey, string>> = Object.freeze({
  patient: 'Patient/{{context.patientId}}',
  // `_include`: what the next step reads (the payer Organization, the history's Medications, the authorization's
  // Claim) comes in the same answer, so a signing without prefetch costs one round trip to the FHIR server.
  coverage: 'Coverage?patient={{context.patientId}}&status=active&_include=Coverage:payor',
  // _count: servers page at 20 or so by default, and every page is a sequential round trip; ask for large pages.
  conditions: 'Condition?patient={{context.patientId}}&_count=100',
  // No category filter: weight/height/BSA are vital-signs, HER2/ER/PR and BRCA are laboratory, TNM stage and
  // mCODE disease status come as survey/exam or with no category at all, so any category list would lose some.
  // The service narrows this by code (prefetchTemplates); _count asks for large pages, and the fallback follows
  // `next` links (bounded) for the rest.
  observations: 'Observation?patient={{context.patientId}}&_count=100',
  // History and active alike: prior lines of therapy and combination partners both come from here.
  medicationRequests: 'MedicationRequest?patient={{context.patientId}}&_count=100&_include=MedicationRequest:medication',
  // When each drug was actually given (infusions in clinic): the dates of the history's episodes come from here first.
  // Not a needed key: without it the orders' own periods date the history, and the evidence says which source dated it.
  medicationAdministrations: 'MedicationAdministration?patient={{context.patientId}}&_count=100&_include=MedicationAdministration:medication',
  claimResponses: 'ClaimResponse?patient={{context.patientId}}&use=preauthorization&_include=ClaimResponse:request',
  // A search rather than a read: when the user is not a PractitionerRole the EHR gets an empty Bundle, not an error.
  // `_include` brings the role's Practitioner (qualifications) in the same answer where the server supports it.
  practitionerRole: 'PractitionerRole?_id={{userPractitionerRoleId}}&_include=PractitionerRole:practitioner',
  // The Practitioner behind the user (its qualifications): prefetched, it saves a read on every signing.
  practitioner: 'Practitioner?_id={{userPractitionerId}}',
});

export const PREFETCH_KEYS: readonly PrefetchKey[] = Object.keys(PREFETCH_TEMPLATES) as PrefetchKey[];

/**
 * The templates with the Observation search narrowed to the codes the policies can read (the catalog's fact lists):
 * an EHR then sends the few weights, heights, stages and biomarkers instead of years of routine labs, and a server
 * that pages answers in one page instead of several. Bare codes, not `system|code`: a server that stores a LOINC
 * code under a variant system URL still finds it, and the service checks the system itself. No codes → unnarrowed.
 */
export function prefetchTemplates(observationCodes: readonly string[] = []): Readonly<Record<PrefetchKey, string>> {
  const codes = [...new Set(observationCodes.map((c) => c.trim()).filter((c) => /^[A-Za-z0-9.\-]+$/.test(c)))].sort();
  if (codes.length === 0) return PREFETCH_TEMPLATES;
  return Object.freeze({
    ...PREFETCH_TEMPLATES,
    observations: `Observation?patient={{context.patientId}}&code=${codes.join(',')}&_count=100`,
  });
}

/**
 * Keys without which no policy can be judged: who the patient is, who pays, what the disease is, the measurements
 * and biomarkers, and the treatment history. Missing and not fetchable → DataUnavailableError (412).
 * Authorizations on file and the user's role only refine the answer, so they degrade to "could not be checked".
 */
export const NEEDED_KEYS: readonly PrefetchKey[] = ['patient', 'coverage', 'conditions', 'observations', 'medicationRequests'];

/** What each key holds, in the clinician's words, for "could not be checked" cards. */
export const PREFETCH_DESCRIPTIONS: Readonly<Record<PrefetchKey, string>> = Object.freeze({
  patient: 'Patient demographics (age)',
  coverage: 'Active insurance coverage (payer, plan)',
  conditions: 'Diagnoses (cancer type, metastatic status)',
  observations: 'Observations (vitals, labs, biomarkers, stage, disease status)',
  medicationRequests: 'Medication history (prior lines of therapy)',
  medicationAdministrations: 'Medication administrations (when each drug was given)',
  claimResponses: 'Prior authorizations on file',
  practitionerRole: "Ordering clinician's specialty",
  practitioner: "Ordering clinician's qualifications",
});

/** The resource type each key must hold; anything else in its Bundle is ignored. */
export const PREFETCH_RESOURCE_TYPES = Object.freeze({
  patient: 'Patient',
  coverage: 'Coverage',
  conditions: 'Condition',
  observations: 'Observation',
  medicationRequests: 'MedicationRequest',
  medicationAdministrations: 'MedicationAdministration',
  claimResponses: 'ClaimResponse',
  practitionerRole: 'PractitionerRole',
  practitioner: 'Practitioner',
} as const satisfies Record<PrefetchKey, string>);
