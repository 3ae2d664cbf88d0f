/**
 * The Da Vinci CRD coverage-information extension (STU 2.2 shape) and the system action
 * that returns it on the draft order.
 *
 * Invariants kept here (crd-ci-q2…q8): pa-needed absent when not-covered; info-needed present
 * exactly when something is conditional, and then a reason saying what is missing; satisfied-pa-id
 * exactly when pa-needed is satisfied; doc-purpose withpa only with auth-needed, always with a reason.
 */
import { copyJson } from './copy-json.js';
import { randomUUID } from 'node:crypto';
import type { Extension, MedicationRequest, Period, Quantity } from 'fhir/r4.js';
import type { PolicyEvaluation } from '../policy/types.js';
import type { SystemAction } from '../protocol/types.js';
import { leaves, decidingIndication } from './criteria.js';
import { COMMON } from './templates.js';
import { renderTemplate } from './template.js';

export const COVERAGE_INFORMATION_URL = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';
/** Detail codes: THO code system (CRD 2.2) plus the CRD temp code kept for STU 2.1 clients. */
export const CRD_COVERAGE_DETAIL_SYSTEM = 'http://terminology.hl7.org/CodeSystem/crd-coverage-detail';
export const CRD_TEMP_SYSTEM = 'http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp';
export const UCUM = 'http://unitsofmeasure.org';

export interface CoverageInformationOptions {
  /** `Coverage/<id>` the assertion applies to (required by CRD). */
  coverageReference: string;
  /** URL of the policy page this service serves, given as the `policy-link` detail. */
  policyUrl: string;
  /** Assertion date, YYYY-MM-DD. */
  today: string;
  /** order-select asks for no documentation (CRD: no doc-needed at selection time). */
  askForDocumentation: boolean;
  newId?: () => string;
}

type Detail = { code: string; category: 'cat-limitation' | 'cat-decisional' | 'cat-other'; value: Extension; qualification?: string };

const sub = (url: string, value: Omit<Extension, 'url'>): Extension => ({ url, ...value });

function detailExtension({ code, category, value, qualification }: Detail): Extension {
  const extension: Extension[] = [
    sub('category', { valueCode: category }),
    sub('code', {
      valueCodeableConcept: {
        coding: [
          { system: CRD_COVERAGE_DETAIL_SYSTEM, code },
          { system: CRD_TEMP_SYSTEM, code },
        ],
      },
    }),
    { ...value, url: 'value' },
  ];
  if (qualification) extension.push(sub('qualification', { valueString: qualification }));
  return { url: 'detail', extension };
}

/** "P12M", "P1Y", "P28D" → the period from the service date; "indefinite" → open-ended. */
export function approvalPeriod(start: string, duration: string): Period | undefined {
  if (duration === 'indefinite') return { start };
  const match = /^P(\d+)([YMWD])$/.exec(duration);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const end = new Date(`${start}T00:00:00Z`);
  if (Number.isNaN(end.getTime())) return undefined;
  switch (match[2]) {
    case 'Y': end.setUTCFullYear(end.getUTCFullYear() + amount); break;
    case 'M': end.setUTCMonth(end.getUTCMonth() + amount); break;
    case 'W': end.setUTCDate(end.getUTCDate() + 7 * amount); break;
    default: end.setUTCDate(end.getUTCDate() + amount);
  }
  // An approval of one year from 2026-01-01 runs through 2026-12-31.
  end.setUTCDate(end.getUTCDate() - 1);
  return { start, end: end.toISOString().slice(0, 10) };
}

/** What the chart lacks, for info-needed OTH: not-documented criteria, dose facts, unchecked data. */
export function missingItems(evaluation: PolicyEvaluation): string[] {
  const indication = decidingIndication(evaluation);
  const criteria = indication
    ? leaves(indication.criteria)
        .filter((leaf) => leaf.status === 'not-documented')
        .map((leaf) => leaf.documentation ?? leaf.label ?? leaf.id ?? '')
    : [];
  const dose = evaluation.dose.status === 'not-documented' ? (evaluation.dose.missing ?? []) : [];
  return [...new Set([...criteria, ...dose, ...evaluation.unchecked].filter((s) => s.length > 0))];
}

function allowedQuantityDetail(evaluation: PolicyEvaluation): Detail | undefined {
  const covered = evaluation.dose.covered;
  const text = evaluation.allowedQuantity ?? evaluation.dose.allowedText;
  if (covered) {
    const { value, unit, per } = covered.amount;
    const code = per === 'day' ? `${unit}/d` : unit;
    const quantity: Quantity = { value, unit: code, system: UCUM, code };
    return { code: 'allowed-quantity', category: 'cat-limitation', value: { url: 'value', valueQuantity: quantity }, qualification: text };
  }
  return text ? { code: 'allowed-quantity', category: 'cat-limitation', value: { url: 'value', valueString: text } } : undefined;
}

function allowedPeriodDetail(evaluation: PolicyEvaluation): Detail | undefined {
  if (!evaluation.approvalDuration) return undefined;
  const period = approvalPeriod(evaluation.serviceDate, evaluation.approvalDuration);
  if (!period) return undefined;
  return {
    code: 'allowed-period',
    category: 'cat-limitation',
    value: { url: 'value', valuePeriod: period },
    qualification: evaluation.approvalDurationText,
  };
}

type PaCode = 'auth-needed' | 'satisfied' | 'no-auth' | 'conditional';

/** pa-needed as CRD allows it: none when not covered; "satisfied" only with the authorization's number. */
function paNeededOf(evaluation: PolicyEvaluation): PaCode | undefined {
  if (evaluation.covered === 'not-covered') return undefined;
  if (evaluation.paNeeded === 'satisfied' && !evaluation.satisfiedPaId) return 'conditional';
  // an authorization may be on file: its look-up failed, so "auth-needed" would claim what was not checked
  if (evaluation.authorizationUnchecked === true) return 'conditional';
  return evaluation.paNeeded ?? 'conditional';
}

function reasonExtensions(evaluation: PolicyEvaluation, missing: string[], conditional: boolean): Extension[] {
  const { system, codes } = COMMON.coverageReason;
  const coding = codes[evaluation.covered];
  const text =
    evaluation.reasons.length > 0
      ? evaluation.reasons.join('; ')
      : renderTemplate(
          COMMON.coverageReason.defaultText,
          { payer: evaluation.policy.payerName, policy: evaluation.policy.title, covered: coding.display },
          'text',
        );
  const reasons: Extension[] = [
    sub('reason', { valueCodeableConcept: { coding: [{ system, code: coding.code, display: coding.display }], text } }),
  ];
  if (conditional && missing.length > 0) {
    const missingText = renderTemplate(COMMON.coverageReason.missingText, { items: missing.join('; ') }, 'text');
    reasons.push(sub('reason', { valueCodeableConcept: { text: missingText } }));
  }
  if (evaluation.authorizationUnchecked === true) {
    reasons.push(sub('reason', { valueCodeableConcept: { text: COMMON.coverageReason.authorizationUnchecked } }));
  }
  return reasons;
}

export function buildCoverageInformation(evaluation: PolicyEvaluation, options: CoverageInformationOptions): Extension {
  const newId = options.newId ?? randomUUID;
  const paNeeded = paNeededOf(evaluation);
  const askForPaDocumentation = options.askForDocumentation && paNeeded === 'auth-needed';
  const docNeeded = askForPaDocumentation ? (evaluation.docNeeded ?? 'clinical') : undefined;
  const conditional = evaluation.covered === 'conditional' || paNeeded === 'conditional' || docNeeded === 'conditional';
  const missing = missingItems(evaluation);

  const parts: Extension[] = [
    sub('coverage', { valueReference: { reference: options.coverageReference } }),
    sub('covered', { valueCode: evaluation.covered }),
  ];
  if (paNeeded) parts.push(sub('pa-needed', { valueCode: paNeeded }));
  if (docNeeded) {
    parts.push(sub('doc-needed', { valueCode: docNeeded }));
    parts.push(sub('doc-purpose', { valueCode: 'withpa' }));
  }
  if (conditional) parts.push(sub('info-needed', { valueCode: 'OTH' }));
  parts.push(...reasonExtensions(evaluation, missing, conditional));

  const details: Detail[] = [];
  const quantity = allowedQuantityDetail(evaluation);
  if (quantity) details.push(quantity);
  const period = allowedPeriodDetail(evaluation);
  if (period) details.push(period);
  if (conditional && missing.length > 0) {
    // CRD: with info-needed OTH, a detail explains the information needed.
    const text = renderTemplate(COMMON.coverageReason.missingDetail, { items: missing.join('; ') }, 'text');
    details.push({ code: 'instructions', category: 'cat-limitation', value: { url: 'value', valueString: text } });
  }
  details.push({ code: 'policy-link', category: 'cat-other', value: { url: 'value', valueUrl: options.policyUrl }, qualification: evaluation.policy.title });
  parts.push(...details.map(detailExtension));

  parts.push(sub('date', { valueDate: options.today }));
  parts.push(sub('coverage-assertion-id', { valueString: newId() }));
  if (paNeeded === 'satisfied' && evaluation.satisfiedPaId) {
    parts.push(sub('satisfied-pa-id', { valueString: evaluation.satisfiedPaId }));
  }
  return { url: COVERAGE_INFORMATION_URL, extension: parts };
}

function coverageOf(extension: Extension): string | undefined {
  return extension.extension?.find((e) => e.url === 'coverage')?.valueReference?.reference;
}

/**
 * A deep copy of the order with the extension added. An earlier assertion for the same coverage
 * (the order was already checked once) is replaced, not duplicated.
 */
export function withCoverageInformation(order: MedicationRequest, extension: Extension): MedicationRequest {
  const copy = copyJson(order);
  const coverage = coverageOf(extension);
  const kept = (copy.extension ?? []).filter((e) => !(e.url === COVERAGE_INFORMATION_URL && coverageOf(e) === coverage));
  copy.extension = [...kept, copyJson(extension)];
  return copy;
}

export function coverageInformationAction(
  order: MedicationRequest,
  evaluation: PolicyEvaluation,
  options: CoverageInformationOptions,
  description: string,
): SystemAction {
  const extension = buildCoverageInformation(evaluation, options);
  return { type: 'update', description, resource: withCoverageInformation(order, extension) };
}
