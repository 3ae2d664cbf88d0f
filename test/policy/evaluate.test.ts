import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ClinicalFacts } from '../../src/facts/types.js';
import { decidingLeaves, openLeaves } from '../../src/policy/criteria.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import { amount, authorization, ev, facts, known, schedule, unknown, type FactsPatch } from '../support/facts-builder.js';

const policy = loadPolicyFile(fileURLToPath(new URL('../fixtures/policies/test-drug-a.json', import.meta.url)));

/** A patient who meets the "solid" indication within the dose limit, commercial coverage. */
function meets(patch: FactsPatch<ClinicalFacts> = {}): ClinicalFacts {
  const base = facts({
    serviceDate: '2024-03-01',
    body: { bodySurfaceArea: known(1.8, ev('Observation/bsa')) },
    disease: { metastatic: known(true, ev('Condition/m1')) },
    diagnoses: { icd10: known(['C50.911'], ev('Condition/bc', ['C50.911'])) },
    therapy: { lineOfTherapy: known(4) },
    prescriber: { specialties: known(['SPEC-ONC']) },
    coverage: { lineOfBusiness: known('commercial') },
    order: { drug: 'drug-a', phase: known('induction'), singleAgent: known(true), amount: amount(72, 'mg'), schedule: schedule(1, 21) },
  });
  return facts({ ...base, ...patch, body: { ...base.body, ...patch.body }, disease: { ...base.disease, ...patch.disease }, therapy: { ...base.therapy, ...patch.therapy }, coverage: { ...base.coverage, ...patch.coverage }, order: { ...base.order, ...patch.order }, diagnoses: { ...base.diagnoses, ...patch.diagnoses } } as FactsPatch<ClinicalFacts>);
}

describe('covered', () => {
  it('covered when one indication is met and the dose fits', () => {
    const e = evaluatePolicy(policy, meets());
    expect(e).toMatchObject({ covered: 'covered', decidingIndication: 'solid', orderReference: 'MedicationRequest/draft-1', drug: 'drug-a', serviceDate: '2024-03-01' });
    expect(e.infoNeeded).toBeUndefined();
    expect(e.dose.status).toBe('met');
    expect(e.dose.limits).toEqual([{ dose: { max: 40, unit: 'mg/m2' }, schedule: { maxAdministrations: 1, periodDays: 21 } }]);
    expect(e.indications.find((i) => i.id === 'solid')?.status).toBe('met');
    expect(e.policy).toEqual({ id: 'test-drug-a', version: '1.0.0', title: policy.title, payerId: 'payer-x', payerName: 'Payer X', file: 'test-a.txt', url: 'https://example.org/policies/test-a' });
  });

  it('a dose over the limit keeps the criteria’s answer and reports the limit', () => {
    const e = evaluatePolicy(policy, meets({ order: { amount: amount(90, 'mg') } }));
    expect(e.covered).toBe('covered');
    expect(e.dose).toMatchObject({ status: 'not-met', exceeds: ['dose'], covered: { amount: { value: 72, unit: 'mg', per: 'administration' } } });
    expect(e.dose).toMatchObject({ ordered: { amount: { value: 90, unit: 'mg' }, inLimitUnit: { value: 50, unit: 'mg/m2' }, scale: { value: 1.8, unit: 'm2' } }, source: '§2 Covered doses' });
  });

  it('a dose that cannot be checked makes it conditional', () => {
    const e = evaluatePolicy(policy, meets({ body: { bodySurfaceArea: unknown('vitals query timed out') } }));
    expect(e.covered).toBe('conditional');
    expect(e.infoNeeded).toBe(true);
    expect(e.unchecked).toEqual(['vitals query timed out']);
  });

  it('conditional when a criterion is not documented, naming why', () => {
    const e = evaluatePolicy(policy, meets({ disease: { metastatic: unknown('Condition query timed out') } }));
    expect(e.covered).toBe('conditional');
    expect(e.decidingIndication).toBe('solid');
    expect(e.unchecked).toEqual(['Condition query timed out']);
    expect(openLeaves(e.indications[0]!.criteria).map((l) => l.label)).toContain('Metastatic');
  });

  it('ifNotMet: a non-oncologist prescriber leaves it conditional, with the documentation to send', () => {
    const e = evaluatePolicy(policy, meets({ prescriber: { reference: null, specialties: known(['SPEC-FAM']) } }));
    expect(e.covered).toBe('conditional');
    expect(openLeaves(e.indications[0]!.criteria).map((l) => [l.label, l.documentation])).toContainEqual(['Prescribed by or in consultation with an oncologist', 'Oncology consultation note']);
  });

  it('not covered when every indication is not met, saying what is not met', () => {
    const e = evaluatePolicy(policy, meets({ therapy: { lineOfTherapy: known(2) } }));
    expect(e.covered).toBe('not-covered');
    expect(e.paNeeded).toBeUndefined();
    expect(e.decidingIndication).toBe('solid');
    expect(e.indications.every((i) => i.status === 'not-met')).toBe(true);
    expect(decidingLeaves(e.indications[0]!.criteria, 'not-met').map((l) => [l.label, l.value])).toContainEqual(['Fourth line or later', 2]);
  });

  it('not covered when an exclusion is met, even if an indication is', () => {
    const e = evaluatePolicy(policy, meets({ diagnoses: { icd10: known(['C50.911', 'M05.79']) } }));
    expect(e.covered).toBe('not-covered');
    expect(e.exclusions[0]).toMatchObject({ id: 'non-cancer', status: 'met' });
    expect(e.exclusions[0]).toMatchObject({ label: 'Use for a non-cancer condition', source: '§7 investigational' });
  });

  it('effective-dated branches follow the service date', () => {
    const thirdLineCombo = { therapy: { lineOfTherapy: known(3) }, order: { singleAgent: known(false) } };
    expect(evaluatePolicy(policy, meets({ ...thirdLineCombo, serviceDate: '2023-10-29' })).covered).toBe('covered');
    expect(evaluatePolicy(policy, meets({ ...thirdLineCombo, serviceDate: '2023-10-30' })).covered).toBe('not-covered');
  });

  it('decides on the met indication when several are evaluated', () => {
    const e = evaluatePolicy(policy, meets({ therapy: { lineOfTherapy: known(1) }, body: { weightKg: known(60) }, order: { phase: known('consolidation'), amount: amount(28, 'ug', 'absolute', 'day'), schedule: schedule(1, 1, 28), cycleNumber: known(2), cycleDayStart: known(1) } }));
    expect(e.decidingIndication).toBe('infusion');
    expect(e.covered).toBe('covered');
    expect(e.indications.map((i) => i.status)).toEqual(['not-met', 'met']);
  });
});

describe('prior authorization', () => {
  it('auth-needed when required and none on file', () => {
    const e = evaluatePolicy(policy, meets({ authorizations: [authorization(false)] }));
    expect(e).toMatchObject({ paNeeded: 'auth-needed', docNeeded: 'clinical' });
    expect(e.satisfiedPaId).toBeUndefined();
  });

  it('satisfied when an authorization on file applies to the order', () => {
    const e = evaluatePolicy(policy, meets({ authorizations: [authorization(false, 'OLD'), authorization(true, 'PA-777')] }));
    expect(e).toMatchObject({ paNeeded: 'satisfied', satisfiedPaId: 'PA-777' });
    expect(e.docNeeded).toBeUndefined();
  });

  it('no-auth when the policy requires none', () => {
    const free: Policy = { ...policy, priorAuthorization: { required: false, source: '§1 none named' } };
    const e = evaluatePolicy(free, meets());
    expect(e.paNeeded).toBe('no-auth');
    expect(e.docNeeded).toBeUndefined();
  });

  it('pa-needed is absent when not covered', () => {
    expect(evaluatePolicy(policy, meets({ disease: { metastatic: known(false), locallyAdvanced: known(false) } })).paNeeded).toBeUndefined();
  });
});

describe('approval duration by line of business', () => {
  it('commercial: 12 months or duration of request', () => {
    const e = evaluatePolicy(policy, meets());
    expect(e.approvalDuration).toBe('P1Y');
    expect(e.approval).toEqual({ iso: 'P1Y', months: 12, orDurationOfRequest: true, linesOfBusiness: ['commercial'] });
  });

  it('commercial with a shorter request: the request', () => {
    expect(evaluatePolicy(policy, meets({ order: { requestedDurationDays: known(90) } })).approvalDuration).toBe('P90D');
  });

  it('medicaid and marketplace: 6 months', () => {
    expect(evaluatePolicy(policy, meets({ coverage: { lineOfBusiness: known('medicaid') } })).approvalDuration).toBe('P6M');
    expect(evaluatePolicy(policy, meets({ coverage: { lineOfBusiness: known('marketplace') } })).approvalDuration).toBe('P6M');
  });

  it('unknown line of business: no duration rather than a guess', () => {
    expect(evaluatePolicy(policy, meets({ coverage: { lineOfBusiness: unknown() } })).approvalDuration).toBeUndefined();
  });

  it('from the indication’s coverage period, else the policy', () => {
    const infusion = meets({ therapy: { lineOfTherapy: known(1) }, body: { weightKg: known(60) }, order: { phase: known('consolidation'), amount: amount(28, 'ug', 'absolute', 'day'), schedule: schedule(1, 1), cycleNumber: known(2), cycleDayStart: known(1) } });
    const e = evaluatePolicy(policy, infusion);
    expect(e.approvalDuration).toBe('P1Y');
    expect(e.approval).toMatchObject({ months: 12, maxCycles: 4 });
    const bare: Policy = { ...policy, indications: policy.indications.map((i) => ({ ...i, approvalDuration: undefined, coveragePeriod: undefined })) as Policy['indications'] };
    expect(evaluatePolicy(bare, meets())).toMatchObject({ approvalDuration: 'indefinite', approval: { iso: 'indefinite', months: null } });
  });
});
