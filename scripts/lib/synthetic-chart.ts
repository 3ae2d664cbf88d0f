/**
 * A realistic, synthetic oncology chart of any size, for the benchmark and the fuzz tests:
 * one metastatic HER2-negative / HR-positive breast-cancer patient covered by Blue Shield of California,
 * an ixabepilone draft order, and `size` resources of history (years of labs, vitals, medications, conditions).
 * No real patient data.
 */
import type {
  Bundle,
  BundleEntry,
  Condition,
  Coverage,
  FhirResource,
  MedicationAdministration,
  MedicationRequest,
  Observation,
  Patient,
  Practitioner,
  PractitionerRole,
} from 'fhir/r4.js';

const LOINC = 'http://loinc.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';

export interface SyntheticChart {
  request: Record<string, unknown>;
  /** every resource of the chart, for seeding a FHIR server */
  resources: FhirResource[];
}

function searchset(resources: FhirResource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource): BundleEntry => ({ fullUrl: `urn:uuid:${resource.resourceType}-${resource.id}`, resource })),
  };
}

function day(offsetDays: number): string {
  return new Date(Date.UTC(2026, 11, 1) + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function quantityObservation(id: string, code: string, display: string, value: number, unit: string, date: string): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: LOINC, code, display }] },
    subject: { reference: 'Patient/bench-1' },
    effectiveDateTime: date,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  };
}

function codedObservation(id: string, code: string, display: string, valueCode: string, valueDisplay: string, date: string): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: LOINC, code, display }] },
    subject: { reference: 'Patient/bench-1' },
    effectiveDateTime: date,
    valueCodeableConcept: { coding: [{ system: LOINC, code: valueCode, display: valueDisplay }] },
  };
}

/** Builds the chart; `size` is the number of history resources beyond the core facts. */
export interface SyntheticChartOptions {
  /** false: no prefetch at all */
  prefetch?: boolean;
  fhirServer?: string;
  /**
   * The codes the service's Observation template asks for (`code=`): the prefetched Observations are then those an
   * EHR's server returns for it. Omitted: every Observation of the chart is prefetched (an EHR that ignores `code`).
   */
  observationCodes?: readonly string[];
}

export function syntheticChart(size: number, options: SyntheticChartOptions = {}): SyntheticChart {
  const patient: Patient = { resourceType: 'Patient', id: 'bench-1', birthDate: '1968-04-12', gender: 'female' };
  const coverage: Coverage = {
    resourceType: 'Coverage',
    id: 'bench-cov',
    status: 'active',
    beneficiary: { reference: 'Patient/bench-1' },
    payor: [{ identifier: { system: 'urn:oncology-pa:payer', value: 'blue-shield-ca' }, display: 'Blue Shield of California' }],
    type: { text: 'Commercial PPO' },
  };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: 'bench-onc',
    practitioner: { reference: 'Practitioner/bench-dr' },
    specialty: [{ coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '207RX0202X', display: 'Medical Oncology' }] }],
  };
  const practitioner: Practitioner = { resourceType: 'Practitioner', id: 'bench-dr', name: [{ family: 'Bench', given: ['Dana'] }] };
  const conditions: Condition[] = [
    {
      resourceType: 'Condition',
      id: 'bench-bc',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: ICD10, code: 'C50.911', display: 'Malignant neoplasm of unspecified site of right female breast' }] },
      subject: { reference: 'Patient/bench-1' },
      onsetDateTime: '2022-03-01',
    },
    {
      resourceType: 'Condition',
      id: 'bench-met',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: ICD10, code: 'C78.00', display: 'Secondary malignant neoplasm of unspecified lung' }] },
      subject: { reference: 'Patient/bench-1' },
      onsetDateTime: '2025-06-01',
    },
  ];
  const observations: Observation[] = [
    quantityObservation('bench-wt', '29463-7', 'Body weight', 70, 'kg', day(-3)),
    quantityObservation('bench-ht', '8302-2', 'Body height', 165, 'cm', day(-3)),
    codedObservation('bench-her2', '48676-1', 'HER2', 'LA6577-6', 'Negative', '2022-03-10'),
    codedObservation('bench-er', '16112-5', 'Estrogen receptor', 'LA6576-8', 'Positive', '2022-03-10'),
    codedObservation('bench-pr', '16113-3', 'Progesterone receptor', 'LA6576-8', 'Positive', '2022-03-10'),
  ];
  const history: MedicationRequest[] = [];
  // Years of routine labs and vitals, a few past medications and resolved conditions.
  for (let i = 0; i < size; i += 1) {
    const kind = i % 10;
    if (kind < 7) {
      observations.push(quantityObservation(`bench-lab-${i}`, '718-7', 'Hemoglobin', 11 + (i % 30) / 10, 'g/dL', day(-40 - i)));
    } else if (kind < 9) {
      history.push({
        resourceType: 'MedicationRequest',
        id: `bench-med-${i}`,
        status: 'completed',
        intent: 'order',
        subject: { reference: 'Patient/bench-1' },
        authoredOn: day(-400 - i),
        medicationCodeableConcept: { coding: [{ system: RXNORM, code: '197582', display: 'dexamethasone 4 MG Oral Tablet' }] },
      });
    } else {
      conditions.push({
        resourceType: 'Condition',
        id: `bench-cond-${i}`,
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] },
        code: { coding: [{ system: ICD10, code: 'J06.9', display: 'Acute upper respiratory infection' }] },
        subject: { reference: 'Patient/bench-1' },
        onsetDateTime: day(-500 - i),
      });
    }
  }
  // Two earlier lines of therapy, so the order is third line.
  history.push(
    {
      resourceType: 'MedicationRequest',
      id: 'bench-line1',
      status: 'completed',
      intent: 'order',
      subject: { reference: 'Patient/bench-1' },
      authoredOn: '2025-07-01',
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: '200328', display: 'capecitabine 500 MG Oral Tablet' }] },
    },
    {
      resourceType: 'MedicationRequest',
      id: 'bench-line2',
      status: 'completed',
      intent: 'order',
      subject: { reference: 'Patient/bench-1' },
      authoredOn: '2026-02-01',
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1045456', display: 'eribulin mesylate 0.5 MG/ML Injection' }] },
    },
  );
  const draft: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id: 'bench-draft',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/bench-1' },
    requester: { reference: 'PractitionerRole/bench-onc' },
    authoredOn: day(0),
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1726276', display: 'ixabepilone 15 MG Injection' }] },
    dosageInstruction: [
      {
        timing: { repeat: { frequency: 1, period: 21, periodUnit: 'd', boundsPeriod: { start: day(0) } } },
        doseAndRate: [{ doseQuantity: { value: 90, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
      },
    ],
  };
  // The eribulin infusions of the second line, charted as administrations (days 1 and 8 of two 21-day cycles).
  const administrations: MedicationAdministration[] = ['2026-02-02', '2026-02-09', '2026-02-23', '2026-03-02'].map((date, i) => ({
    resourceType: 'MedicationAdministration',
    id: `bench-line2-given-${i + 1}`,
    status: 'completed',
    subject: { reference: 'Patient/bench-1' },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1045456', display: 'eribulin mesylate 0.5 MG/ML Injection' }] },
    effectiveDateTime: `${date}T10:00:00Z`,
    request: { reference: 'MedicationRequest/bench-line2' },
  }));
  const request: Record<string, unknown> = {
    hook: 'order-sign',
    hookInstance: '0b7b1a76-3c2f-4d6f-9b67-0d3f0e8c1a11',
    fhirServer: options.fhirServer ?? 'http://127.0.0.1:9/fhir',
    fhirAuthorization: { access_token: 'bench-token', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'bench' },
    context: {
      userId: 'PractitionerRole/bench-onc',
      patientId: 'bench-1',
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
    },
  };
  if (options.prefetch !== false) {
    request.prefetch = {
      patient,
      coverage: searchset([coverage]),
      conditions: searchset(conditions),
      observations: searchset(options.observationCodes === undefined ? observations : observations.filter((o) => (o.code.coding ?? []).some((c) => c.code !== undefined && options.observationCodes?.includes(c.code)))),
      medicationRequests: searchset(history),
      medicationAdministrations: searchset(administrations),
      claimResponses: searchset([]),
      // The template is a search (PractitionerRole?_id=…), so the EHR sends a searchset Bundle.
      practitionerRole: searchset([role]),
      // Practitioner?_id={{userPractitionerId}}: the role's Practitioner, so the service need not read it.
      practitioner: searchset([practitioner]),
    };
  }
  return { request, resources: [patient, coverage, role, practitioner, ...conditions, ...observations, ...history, ...administrations] };
}
