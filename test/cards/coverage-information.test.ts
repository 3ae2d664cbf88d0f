import { describe, expect, it } from 'vitest';
import type { Extension, MedicationRequest } from 'fhir/r4.js';
import { approvalPeriod, buildCoverageInformation, COVERAGE_INFORMATION_URL, withCoverageInformation } from '../../src/cards/coverage-information.js';
import { renderResponse } from '../../src/cards/render.js';
import type { HookResponse } from '../../src/protocol/types.js';
import type { PolicyEvaluation } from '../../src/policy/types.js';
import { assertCrdResponse } from '../support/crd-assert.js';
import { breastCancerCriteria, doseOver, evaluation, indication, medicationRequest } from '../support/evaluation-builder.js';

const OPTIONS = { coverageReference: 'Coverage/cov-1', policyUrl: 'https://cds.example.org/policies/000-ixabepilone', today: '2026-10-30', askForDocumentation: true };

function build(overrides: Partial<PolicyEvaluation>, options = OPTIONS): Extension {
  return buildCoverageInformation(evaluation(overrides), options);
}
const urls = (ext: Extension) => (ext.extension ?? []).map((e) => e.url);
const value = (ext: Extension, url: string) => ext.extension?.find((e) => e.url === url);

function respond(overrides: Partial<PolicyEvaluation>): HookResponse {
  return renderResponse({
    hook: 'order-sign',
    evaluations: [{ evaluation: evaluation(overrides), order: medicationRequest(), coverageReference: 'Coverage/cov-1', brandName: 'Ixempra' }],
    configuration: { enabled: {}, maxCards: 10 },
    baseUrl: 'https://cds.example.org',
  });
}

describe('coverage-information extension', () => {
  it('auth-needed: covered, pa-needed, doc-needed clinical + withpa, reason, details, date, assertion id', () => {
    const ext = build({ dose: doseOver({ status: 'met' }) }, { ...OPTIONS, newId: () => 'id-1' } as typeof OPTIONS);
    expect(ext.url).toBe(COVERAGE_INFORMATION_URL);
    expect(value(ext, 'coverage')?.valueReference).toEqual({ reference: 'Coverage/cov-1' });
    expect(value(ext, 'covered')?.valueCode).toBe('covered');
    expect(value(ext, 'pa-needed')?.valueCode).toBe('auth-needed');
    expect(value(ext, 'doc-needed')?.valueCode).toBe('clinical');
    expect(value(ext, 'doc-purpose')?.valueCode).toBe('withpa');
    expect(urls(ext)).not.toContain('info-needed');
    expect(urls(ext)).not.toContain('satisfied-pa-id');
    expect(value(ext, 'date')?.valueDate).toBe('2026-10-30');
    expect(value(ext, 'coverage-assertion-id')?.valueString).toBe('id-1');
    expect(value(ext, 'reason')?.valueCodeableConcept?.text).toBe('Meets Metastatic breast cancer (000 §1 Metastatic breast cancer)');
    const details = (ext.extension ?? []).filter((e) => e.url === 'detail');
    const codes = details.map((d) => d.extension?.find((e) => e.url === 'code')?.valueCodeableConcept?.coding?.[0]?.code);
    expect(codes).toEqual(['allowed-quantity', 'allowed-period', 'policy-link']);
    const quantity = details[0]!.extension!;
    expect(quantity.find((e) => e.url === 'category')?.valueCode).toBe('cat-limitation');
    expect(quantity.find((e) => e.url === 'value')?.valueQuantity).toEqual({ value: 72.45, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' });
    expect(quantity.find((e) => e.url === 'qualification')?.valueString).toBe('up to 40 mg/m² once per 21 days');
    expect(details[1]!.extension!.find((e) => e.url === 'value')?.valuePeriod).toEqual({ start: '2026-11-01', end: '2027-10-31' });
    expect(details[2]!.extension!.find((e) => e.url === 'value')?.valueUrl).toBe(OPTIONS.policyUrl);
  });

  it('not-covered: no pa-needed, no doc-needed', () => {
    const ext = build({ covered: 'not-covered' });
    expect(urls(ext)).not.toContain('pa-needed');
    expect(urls(ext)).not.toContain('doc-needed');
    expect(urls(ext)).not.toContain('info-needed');
    assertCrdResponse(respond({ covered: 'not-covered' }), [medicationRequest()]);
  });

  it('satisfied: satisfied-pa-id only then; without a number it cannot claim satisfied', () => {
    const ext = build({ paNeeded: 'satisfied', satisfiedPaId: 'PA-2026-001' });
    expect(value(ext, 'satisfied-pa-id')?.valueString).toBe('PA-2026-001');
    expect(urls(ext)).not.toContain('doc-purpose');
    const noNumber = build({ paNeeded: 'satisfied' });
    expect(value(noNumber, 'pa-needed')?.valueCode).toBe('conditional');
    expect(urls(noNumber)).not.toContain('satisfied-pa-id');
    assertCrdResponse(respond({ paNeeded: 'satisfied', satisfiedPaId: 'PA-2026-001' }), [medicationRequest()]);
    assertCrdResponse(respond({ paNeeded: 'satisfied' }), [medicationRequest()]);
  });

  it('conditional: info-needed OTH with a reason and a detail saying what is missing', () => {
    const overrides = { covered: 'conditional' as const, indications: [indication('breast-metastatic', 'Metastatic breast cancer', breastCancerCriteria('not-documented'))] };
    const ext = build(overrides);
    expect(value(ext, 'info-needed')?.valueCode).toBe('OTH');
    const reasons = (ext.extension ?? []).filter((e) => e.url === 'reason').map((r) => r.valueCodeableConcept?.text);
    expect(reasons).toContain('Not documented: HER2 test result (IHC or ISH)');
    assertCrdResponse(respond(overrides), [medicationRequest()]);
  });

  it('no-auth: no documentation asked for', () => {
    const ext = build({ paNeeded: 'no-auth' });
    expect(value(ext, 'pa-needed')?.valueCode).toBe('no-auth');
    expect(urls(ext)).not.toContain('doc-purpose');
  });

  it('adds the extension to a deep copy; an earlier assertion for the same coverage is replaced', () => {
    const order = medicationRequest({ extension: [{ url: 'http://example.org/other', valueString: 'kept' }] });
    const before = structuredClone(order);
    const first = withCoverageInformation(order, build({}));
    const second = withCoverageInformation(first, build({ covered: 'not-covered' }));
    expect(order).toEqual(before);
    expect(second.extension?.map((e) => e.url)).toEqual(['http://example.org/other', COVERAGE_INFORMATION_URL]);
    const { extension: _a, ...rest } = second as MedicationRequest;
    const { extension: _b, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
  });

  it('approval periods from ISO durations', () => {
    expect(approvalPeriod('2026-11-01', 'P12M')).toEqual({ start: '2026-11-01', end: '2027-10-31' });
    expect(approvalPeriod('2026-11-01', 'P1Y')).toEqual({ start: '2026-11-01', end: '2027-10-31' });
    expect(approvalPeriod('2026-11-01', 'indefinite')).toEqual({ start: '2026-11-01' });
    expect(approvalPeriod('2026-11-01', 'soon')).toBeUndefined();
  });
});
