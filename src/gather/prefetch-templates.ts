/**
 * TEMPORARY stand-in so discovery compiles on the protocol branch; the gather branch owns the real file
 * and replaces this one at merge. CDS Hooks 2.0 prefetch tokens only.
 */
export const PREFETCH_TEMPLATES: Record<string, string> = {
  patient: 'Patient/{{context.patientId}}',
  coverage: 'Coverage?patient={{context.patientId}}&status=active',
  conditions: 'Condition?patient={{context.patientId}}',
  observations: 'Observation?patient={{context.patientId}}',
  medicationRequests: 'MedicationRequest?patient={{context.patientId}}',
  claimResponses: 'ClaimResponse?patient={{context.patientId}}&use=preauthorization',
  practitionerRole: 'PractitionerRole?practitioner={{userPractitionerId}}',
};
