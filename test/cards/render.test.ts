/**
 * The renderer: which cards an order gets (economy: one coverage card of the type that applies, plus the dose card),
 * their CRD shape, links, suggestions, metadata and system actions. The wording itself is in the golden files
 * (test/cards/golden/<card type>.md), one per card type.
 */
import { describe, expect, it } from 'vitest';
import type { Extension, MedicationRequest } from 'fhir/r4.js';
import { renderResponse, renderResponseWithMetadata, type RenderInput } from '../../src/cards/render.js';
import { COVERAGE_INFORMATION_URL } from '../../src/cards/coverage-information.js';
import type { Card } from '../../src/protocol/types.js';
import type { CriterionResult, PolicyEvaluation } from '../../src/policy/types.js';
import { assertCrdResponse } from '../support/crd-assert.js';
import { allOf, anyOf, breastCancerCriteria, doseOver, evaluation, evidence, indication, leaf, medicationRequest } from '../support/evaluation-builder.js';
import { expectGolden } from '../support/golden.js';

const TOPICS = 'http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp';

function input(evaluations: Array<Partial<PolicyEvaluation>>, overrides: Partial<RenderInput> = {}, order: MedicationRequest = medicationRequest()): RenderInput {
  return {
    hook: 'order-sign',
    evaluations: evaluations.map((e) => ({
      evaluation: evaluation(e),
      order,
      coverageReference: 'Coverage/cov-1',
      brandName: 'Ixempra',
      rounding: { step: 0.1, unit: 'mg' },
      documentation: ['Pathology report'],
    })),
    configuration: { enabled: {}, maxCards: 10 },
    baseUrl: 'https://cds.example.org/',
    today: '2026-10-30',
    ...overrides,
  };
}

function byTopic(cards: Card[], code: string): Card[] {
  return cards.filter((c) => c.source.topic?.code === code);
}

function coverageInfo(resource: unknown): Extension {
  const ext = (resource as MedicationRequest).extension?.find((e) => e.url === COVERAGE_INFORMATION_URL);
  if (!ext) throw new Error('no coverage-information');
  return ext;
}

function sub(ext: Extension, url: string): Extension[] {
  return (ext.extension ?? []).filter((e) => e.url === url);
}

const conditional: Partial<PolicyEvaluation> = {
  covered: 'conditional',
  indications: [indication('breast-metastatic', 'Metastatic breast cancer', breastCancerCriteria('not-documented'))],
};

describe('prior authorization card', () => {
  it('warning, coverage-info, names the met indication in one line, links to submission and DTR', () => {
    const body = renderResponse(input([{}], { payerLinks: { submissionUrl: 'https://payer.example/pa', dtrAppUrl: 'https://dtr.example/launch' } }));
    assertCrdResponse(body, [medicationRequest()]);
    expect(body.cards).toHaveLength(1);
    const [pa] = body.cards;
    expect(pa!.indicator).toBe('warning');
    expect(pa!.source).toEqual({
      label: 'Blue Shield of California',
      url: 'https://cds.example.org/policies/000-ixabepilone',
      topic: { system: TOPICS, code: 'coverage-info', display: 'Coverage Information' },
    });
    expect(pa!.extension).toEqual({ 'davinci-crd.associated-resource': 'MedicationRequest/draft-1' });
    // all met: the met criteria and the policy's checklist are on the decision page, not here
    expect(pa!.detail).toContain('Metastatic breast cancer');
    expect(pa!.detail).not.toContain('HER2');
    expect(pa!.detail).not.toContain('Pathology report');
    expect(pa!.links?.map((l) => [l.type, l.url])).toEqual([
      ['absolute', 'https://cds.example.org/policies/000-ixabepilone'],
      ['absolute', 'https://payer.example/pa'],
      ['smart', 'https://dtr.example/launch'],
    ]);
    expect(JSON.parse(pa!.links![2]!.appContext!)).toMatchObject({ order: 'MedicationRequest/draft-1', coverage: 'Coverage/cov-1' });
    expectGolden('prior-auth', body.cards);
  });

  it('with something not documented: one card that leads with what to record, not a second missing-data card', () => {
    const body = renderResponse(input([conditional]));
    assertCrdResponse(body, [medicationRequest()]);
    expect(body.cards).toHaveLength(1);
    expect(body.cards[0]!.detail).toContain('HER2 test result (IHC or ISH)');
    expect(body.cards[0]!.detail).toContain('no HER2 result in the chart');
    expect(body.cards[0]!.detail).not.toContain('Malignant neoplasm');
    expectGolden('prior-auth-missing', body.cards);
  });

  it('a decision page link replaces the policy link and becomes the card source', () => {
    const i = input([{}]);
    i.evaluations[0]!.decisionUrl = 'https://cds.example.org/decisions/abc';
    const body = renderResponse(i);
    expect(body.cards[0]!.links?.[0]?.url).toBe('https://cds.example.org/decisions/abc');
    expect(body.cards[0]!.source.url).toBe('https://cds.example.org/decisions/abc');
  });

  it('no card when an authorization is on file or none is required and nothing is missing', () => {
    for (const e of [{ paNeeded: 'satisfied' as const, satisfiedPaId: 'PA-123' }, { paNeeded: 'no-auth' as const }]) {
      const body = renderResponse(input([e]));
      assertCrdResponse(body, [medicationRequest()]);
      expect(body.cards).toEqual([]);
      expect(body.systemActions).toHaveLength(1);
    }
  });
});

describe('dose card', () => {
  it('limits, ordered vs covered, one recommended update suggestion to 72.4 mg, override reasons', () => {
    const body = renderResponse(input([{ dose: doseOver() }]));
    assertCrdResponse(body, [medicationRequest()]);
    const [dose] = byTopic(body.cards, 'limits');
    expect(dose!.indicator).toBe('warning');
    expect(dose!.selectionBehavior).toBe('at-most-one');
    expect(dose!.suggestions).toHaveLength(1);
    const suggestion = dose!.suggestions![0]!;
    expect(suggestion.isRecommended).toBe(true);
    expect(suggestion.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const order = suggestion.actions![0]!.resource as MedicationRequest;
    expect(order.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity?.value).toBe(72.4);
    expect(suggestion.label).toContain('72.4 mg');
    expect(dose!.overrideReasons?.map((r) => r.code)).toEqual(['guideline-supported', 'patient-specific-dose', 'will-request-exception']);
    expectGolden('dose-limit', [dose!]);
  });

  it('no suggestion without a rounding rule, and the card still says what is covered', () => {
    const i = input([{ dose: doseOver() }]);
    delete i.evaluations[0]!.rounding;
    const [dose] = byTopic(renderResponse(i).cards, 'limits');
    expect(dose!.suggestions).toBeUndefined();
    expect(dose!.selectionBehavior).toBeUndefined();
    expect(dose!.detail).toContain('72.45 mg');
  });

  it('no placeholder when the order’s amount is unknown: the line is left out', () => {
    const dose = doseOver();
    delete dose.ordered;
    const [card] = byTopic(renderResponse(input([{ dose }])).cards, 'limits');
    expect(card!.detail).not.toContain('Ordered');
    expect(card!.detail).not.toMatch(/—\s*$/m);
  });
});

describe('off-guideline card', () => {
  const amyloid = allOf([
    leaf('al', 'AL amyloidosis', 'met', { evidence: [evidence('Condition/al', 'AL amyloidosis (E85.81)', '2026-01-10')] }),
    leaf('relapsed', 'Relapsed or refractory', 'not-met', { evidence: [evidence('Condition/al', 'newly diagnosed', '2026-01-10')] }),
  ]);
  const myeloma = allOf([
    leaf('mm', 'Multiple myeloma', 'not-met', { evidence: [evidence('Condition/al', 'AL amyloidosis (E85.81)', '2026-01-10')] }),
    leaf('prior', 'At least one prior therapy', 'not-met'),
    leaf('combo', 'With lenalidomide and dexamethasone', 'not-documented', { documentation: 'Regimen on the order' }),
  ]);

  it('names the closest indication (fewest not met) and only what it lacks', () => {
    const body = renderResponse(
      input([{ covered: 'not-covered', indications: [indication('mm', 'Multiple myeloma', myeloma), indication('al', 'AL amyloidosis', amyloid)] }]),
    );
    assertCrdResponse(body, [medicationRequest()]);
    expect(body.cards).toHaveLength(1);
    const [off] = body.cards;
    expect(off!.source.topic?.code).toBe('off-guideline');
    expect(off!.indicator).toBe('warning');
    expect(off!.detail).toContain('**AL amyloidosis**');
    expect(off!.detail).toContain('Relapsed or refractory');
    expect(off!.detail).not.toContain('With lenalidomide');
    const info = coverageInfo(body.systemActions![0]!.resource);
    expect(sub(info, 'covered')[0]?.valueCode).toBe('not-covered');
    expect(sub(info, 'pa-needed')).toEqual([]);
    expectGolden('criteria-not-met', body.cards);
  });

  it('a not-met “one of” shows its closest alternative only; ties go to the policy’s order', () => {
    const criteria = allOf([
      anyOf([allOf([leaf('a1', 'Alternative A first', 'not-met'), leaf('a2', 'Alternative A second', 'not-met')]), leaf('b', 'Alternative B', 'not-met')]),
    ]);
    const body = renderResponse(input([{ covered: 'not-covered', indications: [indication('x', 'X', criteria)] }]));
    expect(body.cards[0]!.detail).toContain('Alternative B');
    expect(body.cards[0]!.detail).not.toContain('Alternative A');
  });

  it('an excluded use is named with its evidence', () => {
    const body = renderResponse(
      input([{ covered: 'not-covered', exclusions: [leaf('adjuvant', 'Adjuvant use (investigational)', 'met', { evidence: [evidence('Condition/bc', 'Stage II breast cancer', '2026-09-01')] })] }]),
    );
    expect(body.cards[0]!.detail).toContain('Adjuvant use (investigational)');
    expect(body.cards[0]!.detail).toContain('Stage II breast cancer, Condition 2026-09-01');
  });

  it('a `not` rule is one line with its own status and the evidence of what it rules out', () => {
    const not: CriterionResult = {
      kind: 'not', id: 'no-prior-ino', label: 'Has not previously received inotuzumab', status: 'not-met', inEffect: true, evidence: [],
      children: [leaf('ino-history', 'Inotuzumab in history', 'met', { evidence: [evidence('MedicationStatement/ino', 'Besponsa', '2025-05-01')] })],
    };
    const body = renderResponse(input([{ covered: 'not-covered', indications: [indication('x', 'Relapsed ALL', allOf([not]))] }]));
    const lines = body.cards[0]!.detail!.split('\n').filter((l) => l.includes('inotuzumab') || l.includes('Inotuzumab'));
    expect(lines).toEqual([expect.stringContaining('Has not previously received inotuzumab')]);
    expect(lines[0]).toContain('Besponsa, MedicationStatement 2025-05-01');
    expect(lines[0]).toMatch(/Not met/);
  });
});

describe('missing data card', () => {
  it('no authorization pending: an info card naming what to record and where, for criteria, dose facts and unreadable data', () => {
    const i = input([{ ...conditional, paNeeded: 'no-auth', dose: { status: 'not-documented', missing: ['$.body.bodySurfaceArea'], unknownReasons: ['vitals query timed out'], evidence: [] } }]);
    i.evaluations[0]!.unchecked = [{ subject: 'Observations (labs, vitals, biomarkers)', reason: 'timeout' }];
    const body = renderResponse(i);
    assertCrdResponse(body, [medicationRequest()]);
    expect(body.cards).toHaveLength(1);
    const [missing] = body.cards;
    expect(missing!.indicator).toBe('info');
    expect(missing!.source.topic?.code).toBe('coverage-info');
    expect(missing!.detail).toContain('LOINC 8277-6');
    expect(missing!.detail).toContain('Observations (labs, vitals, biomarkers)');
    expectGolden('missing-data', body.cards);
  });

  it('payer unknown: one card for the orders that could not be checked, with what to record where', () => {
    const body = renderResponse({
      ...input([]),
      uncheckedCoverage: { orders: [{ brand: 'Ixempra', orderReference: 'MedicationRequest/draft-1' }], items: [{ subject: 'Coverage', reason: 'timeout' }] },
    });
    expect(body.cards).toHaveLength(1);
    expect(body.cards[0]!.detail).toContain('Coverage');
    expectGolden('coverage-unchecked', body.cards);
  });
});

describe('instructions card', () => {
  it('off by default in the CRD configuration; when a client switches it on: full criteria and checklist, order-sign only', () => {
    const body = renderResponse(input([{}], { configuration: { enabled: { instructions: true }, maxCards: 10 } }));
    const instructions = body.cards.find((c) => c.indicator === 'info');
    expect(instructions?.source.topic?.code).toBe('coverage-info');
    expect(instructions?.detail).toContain('Pathology report');
    expect(instructions?.detail).toContain('HER2 negative (IHC 1+), Observation 2026-10-02');
    expectGolden('instructions', [instructions!]);
    const select = renderResponse(input([{}], { hook: 'order-select', configuration: { enabled: { instructions: true }, maxCards: 10 } }));
    expect(select.cards).toHaveLength(1);
  });
});

describe('order-select', () => {
  it('every card info, no submission links, no doc-needed', () => {
    const body = renderResponse(input([{ dose: doseOver() }], { hook: 'order-select', payerLinks: { submissionUrl: 'https://payer.example/pa' } }));
    assertCrdResponse(body, [medicationRequest()]);
    expect(body.cards.length).toBe(2);
    expect(body.cards.every((c) => c.indicator === 'info')).toBe(true);
    expect(body.cards.every((c) => c.links?.length === 1)).toBe(true);
    const info = coverageInfo(body.systemActions![0]!.resource);
    expect(sub(info, 'doc-needed')).toEqual([]);
    expect(sub(info, 'doc-purpose')).toEqual([]);
  });

  it('quiet about a half-entered order: no schedule warning, no request to fill in the dose', () => {
    const schedule = doseOver({ exceeds: ['schedule'] });
    const select = renderResponse(input([{ dose: schedule }], { hook: 'order-select' }));
    expect(byTopic(select.cards, 'limits')).toEqual([]);
    const sign = renderResponse(input([{ dose: schedule }]));
    expect(byTopic(sign.cards, 'limits')).toHaveLength(1);
    const blank = { ...conditional, paNeeded: 'no-auth' as const, indications: [indication('b', 'B', breastCancerCriteria())], dose: { status: 'not-documented' as const, missing: ['$.order.amount'], evidence: [] } };
    expect(renderResponse(input([blank], { hook: 'order-select' })).cards).toEqual([]);
    expect(renderResponse(input([blank])).cards).toHaveLength(1);
  });
});

describe('configuration, ranking and metadata', () => {
  const all: Partial<PolicyEvaluation> = { ...conditional, dose: doseOver() };

  it('at most two cards per order by default: dose first, then the one coverage card', () => {
    const { response, cards, assertions } = renderResponseWithMetadata(input([all]));
    assertCrdResponse(response, [medicationRequest()]);
    expect(response.cards.map((c) => c.source.topic?.code)).toEqual(['limits', 'coverage-info']);
    expect(Object.keys(cards)).toEqual(response.cards.map((c) => c.uuid));
    expect(cards[response.cards[0]!.uuid]).toEqual({ cardType: 'dose-limit', topic: 'limits', policyId: '000-ixabepilone', policyVersion: '2026-01', payerId: 'blue-shield-ca' });
    const id = sub(coverageInfo(response.systemActions![0]!.resource), 'coverage-assertion-id')[0]?.valueString;
    expect(assertions).toEqual([expect.objectContaining({ orderReference: 'MedicationRequest/draft-1', coverageAssertionId: id, matchable: true, policyVersion: '2026-01' })]);
  });

  it('switched-off card types are not returned; with prior-auth off, what is missing still shows as missing-data', () => {
    const body = renderResponse(input([all], { configuration: { enabled: { 'dose-limit': false, 'prior-auth': false }, maxCards: 10 } }));
    expect(byTopic(body.cards, 'limits')).toEqual([]);
    expect(body.cards).toHaveLength(1);
    expect(body.cards[0]!.indicator).toBe('info');
  });

  it('max-cards keeps the most important; 0 returns an empty cards array', () => {
    expect(renderResponse(input([all], { configuration: { enabled: {}, maxCards: 1 } })).cards.map((c) => c.source.topic?.code)).toEqual(['limits']);
    const none = renderResponse(input([all], { configuration: { enabled: {}, maxCards: 0 } }));
    expect(none.cards).toEqual([]);
    assertCrdResponse(none, [medicationRequest()]);
  });

  it('an order the EHR cannot match gets cards but no coverage-information update, and the assertion says so', () => {
    const i = input([all]);
    i.evaluations[0]!.matchable = false;
    const { response, assertions } = renderResponseWithMetadata(i);
    expect(response.cards.length).toBeGreaterThan(0);
    // order-sign always carries systemActions, empty when no order can be updated
    expect(response.systemActions).toEqual([]);
    expect(assertions[0]).toMatchObject({ matchable: false });
    expect(assertions[0]!.coverageAssertionId).toBeUndefined();
  });
});

describe('every card', () => {
  it('has a unique uuid, summary under 140 characters even for long names', () => {
    const i = input([{ ...conditional, dose: doseOver(), policy: { ...evaluation().policy, payerName: 'A Very Long Payer Name Health Plan of the Greater Metropolitan Area and Surrounding Counties Inc.' } }]);
    i.evaluations[0]!.brandName = 'Ixempra Kit (ixabepilone) for injection, for intravenous use, 15 mg and 45 mg';
    const body = renderResponse(i);
    assertCrdResponse(body, [medicationRequest()]);
    expect(new Set(body.cards.map((c) => c.uuid)).size).toBe(body.cards.length);
    for (const c of body.cards) expect([...c.summary].length).toBeLessThan(140);
  });

  it('escapes markdown that comes from chart data', () => {
    const criteria = allOf([leaf('x', 'HER2 *bold* [link](http://x)', 'not-met', { evidence: [evidence('Observation/o', '<script>', '2026-01-01')] })]);
    const body = renderResponse(input([{ covered: 'not-covered', indications: [indication('breast-metastatic', 'Ind', criteria)] }]));
    expect(body.cards[0]?.detail).toContain('HER2 \\*bold\\* \\[link\\](http://x)');
    expect(body.cards[0]?.detail).toContain('\\<script\\>');
  });

  it('marks are words with plain-text symbols: no colour emoji', () => {
    const body = renderResponse(input([{ ...conditional, dose: doseOver() }], { configuration: { enabled: { instructions: true }, maxCards: 10 } }));
    const text = body.cards.map((c) => `${c.summary}\n${c.detail ?? ''}`).join('\n');
    expect(text).not.toMatch(/[✅❌❔⚠☐]|\p{Emoji_Presentation}/u);
  });

  it('never mutates the draft order and answers one system action per evaluated order', () => {
    const order = medicationRequest();
    const before = structuredClone(order);
    const i = input([{ dose: doseOver() }, { orderReference: 'MedicationRequest/draft-2' }]);
    const second = medicationRequest({ id: 'draft-2' });
    i.evaluations[1]!.order = second;
    i.evaluations[0]!.order = order;
    const body = renderResponse(i);
    assertCrdResponse(body, [order, second]);
    expect(order).toEqual(before);
    expect(body.systemActions?.map((a) => a.resource?.id)).toEqual(['draft-1', 'draft-2']);
  });

  it('no system action without a Coverage to refer to (CRD: coverage is 1..1)', () => {
    const i = input([{}]);
    delete i.evaluations[0]!.coverageReference;
    const body = renderResponse(i);
    expect(body.systemActions).toEqual([]);
    assertCrdResponse(body, [medicationRequest()]);
  });
});
