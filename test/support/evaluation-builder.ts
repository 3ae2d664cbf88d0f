/** Hand-built engine results and draft orders for card tests (no engine, no chart). */
import type { MedicationRequest } from 'fhir/r4.js';
import type { Evidence } from '../../src/facts/types.js';
import type { CriterionResult, DoseCheck, IndicationResult, PolicyEvaluation, Status } from '../../src/policy/types.js';

export function evidence(reference: string, text: string, date?: string): Evidence {
  return date ? { reference, text, date } : { reference, text };
}

export function leaf(id: string, label: string, status: Status, extra: Partial<CriterionResult> = {}): CriterionResult {
  return { id, label, kind: 'leaf', status, inEffect: true, evidence: [], ...extra };
}

function combine(kind: 'all' | 'any', children: CriterionResult[], extra: Partial<CriterionResult>): CriterionResult {
  const statuses = children.filter((c) => c.inEffect).map((c) => c.status);
  const status: Status =
    kind === 'all'
      ? statuses.includes('not-met') ? 'not-met' : statuses.includes('not-documented') ? 'not-documented' : 'met'
      : statuses.includes('met') ? 'met' : statuses.includes('not-documented') ? 'not-documented' : 'not-met';
  return { kind, status, inEffect: true, evidence: [], children, ...extra };
}

export const allOf = (children: CriterionResult[], extra: Partial<CriterionResult> = {}) => combine('all', children, extra);
export const anyOf = (children: CriterionResult[], extra: Partial<CriterionResult> = {}) => combine('any', children, extra);

export const NOT_APPLICABLE: DoseCheck = { status: 'not-applicable', evidence: [] };

export function indication(id: string, label: string, criteria: CriterionResult, dose: DoseCheck = NOT_APPLICABLE): IndicationResult {
  return { id, label, source: `000 §1 ${label}`, status: criteria.status, criteria, dose, continuation: false };
}

/** The HER2-negative metastatic breast cancer indication of the ixabepilone policy, all met. */
export function breastCancerCriteria(her2: Status = 'met'): CriterionResult {
  return allOf([
    leaf('diagnosis', 'Metastatic or locally advanced breast cancer', 'met', {
      evidence: [evidence('Condition/bc', 'Malignant neoplasm of breast (C50.911)', '2026-09-01')],
    }),
    leaf('her2-negative', 'HER2-negative', her2, {
      evidence: her2 === 'not-documented' ? [] : [evidence('Observation/her2', 'HER2 negative (IHC 1+)', '2026-10-02T10:00:00Z')],
      documentation: 'HER2 test result (IHC or ISH)',
      ...(her2 === 'not-documented' ? { unknownReason: 'no HER2 result in the chart' } : {}),
    }),
    anyOf(
      [
        leaf('prior-anthracycline', 'Prior anthracycline', 'met', { evidence: [evidence('MedicationRequest/dox', 'doxorubicin', '2025-03-01')] }),
        leaf('prior-taxane', 'Prior taxane', 'not-met'),
      ],
      { label: 'Prior anthracycline or taxane' },
    ),
  ]);
}

export function evaluation(overrides: Partial<PolicyEvaluation> = {}): PolicyEvaluation {
  const criteria = breastCancerCriteria();
  return {
    policy: {
      id: '000-ixabepilone',
      version: '2026-01',
      title: 'Ixempra (ixabepilone)',
      payerId: 'blue-shield-ca',
      payerName: 'Blue Shield of California',
      file: '000_c668f97403d2ddc3.txt',
    },
    orderReference: 'MedicationRequest/draft-1',
    drug: 'ixabepilone',
    serviceDate: '2026-11-01',
    indications: [indication('breast-metastatic', 'Metastatic breast cancer', criteria)],
    exclusions: [],
    decidingIndication: 'breast-metastatic',
    dose: NOT_APPLICABLE,
    covered: 'covered',
    paNeeded: 'auth-needed',
    approvalDuration: 'P12M',
    approval: { iso: 'P12M', months: 12 },
    unchecked: [],
    ...overrides,
  };
}

/** Ixabepilone 90 mg (= 50 mg/m² at BSA 1.80) over 40 mg/m² every 21 days: covered 72.45 mg → 72.4 mg. */
export function doseOver(overrides: Partial<DoseCheck> = {}): DoseCheck {
  return {
    status: 'not-met',
    limitSetId: 'breast-dose',
    alternativeId: 'q3w',
    exceeds: ['dose'],
    ordered: { amount: { value: 90, unit: 'mg' }, inLimitUnit: { value: 50, unit: 'mg/m2' }, scale: { value: 1.8, unit: 'm2' } },
    limits: [{ dose: { max: 40, unit: 'mg/m2' }, schedule: { maxAdministrations: 1, periodDays: 21 } }],
    covered: { amount: { value: 72.45, unit: 'mg', per: 'administration' } },
    evidence: [evidence('Observation/bsa', 'BSA 1.81 m²', '2026-10-20')],
    source: '000 §3 Dosing',
    ...overrides,
  };
}

export function medicationRequest(overrides: Partial<MedicationRequest> = {}): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: 'draft-1',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    medicationCodeableConcept: {
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1726276', display: 'ixabepilone 15 MG Injection' }],
      text: 'Ixempra',
    },
    note: [{ text: 'cycle 1' }],
    dosageInstruction: [
      {
        text: '90 mg IV every 3 weeks',
        route: { text: 'IV' },
        timing: { repeat: { frequency: 1, period: 21, periodUnit: 'd', boundsPeriod: { start: '2026-11-01' } } },
        doseAndRate: [
          {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type', code: 'ordered' }] },
            doseQuantity: { value: 90, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
          },
        ],
      },
    ],
    ...overrides,
  };
}
