import { describe, expect, it } from 'vitest';
import type { Extension, MedicationRequest } from 'fhir/r4.js';
import { renderResponse, renderResponseWithMetadata, type RenderInput } from '../../src/cards/render.js';
import { COVERAGE_INFORMATION_URL } from '../../src/cards/coverage-information.js';
import type { Card } from '../../src/protocol/types.js';
import type { PolicyEvaluation } from '../../src/policy/types.js';
import { assertCrdResponse } from '../support/crd-assert.js';
import { allOf, breastCancerCriteria, doseOver, evaluation, evidence, indication, leaf, medicationRequest } from '../support/evaluation-builder.js';

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

describe('prior authorization card', () => {
  it('warning, coverage-info, checklist with evidence, attachments, links', () => {
    const body = renderResponse(input([{}], { payerLinks: { submissionUrl: 'https://payer.example/pa', dtrAppUrl: 'https://dtr.example/launch' } }));
    assertCrdResponse(body, [medicationRequest()]);
    const [pa] = body.cards.filter((c) => c.summary.startsWith('Prior authorization'));
    expect(pa).toBeDefined();
    expect(pa!.summary).toBe('Prior authorization required for Ixempra (Blue Shield of California)');
    expect(pa!.indicator).toBe('warning');
    expect(pa!.source).toEqual({
      label: 'Blue Shield of California',
      url: 'https://cds.example.org/policies/000-ixabepilone',
      topic: { system: TOPICS, code: 'coverage-info', display: 'Coverage Information' },
    });
    expect(pa!.extension).toEqual({ 'davinci-crd.associated-resource': 'MedicationRequest/draft-1' });
    expect(pa!.detail).toContain('✅ HER2-negative — met: HER2 negative (IHC 1+), Observation 2026-10-02');
    expect(pa!.detail).toContain('- ✅ Prior anthracycline or taxane — met\n  - ✅ Prior anthracycline — met');
    // a failed alternative of a met "one of" does not matter: not shown
    expect(pa!.detail).not.toContain('Prior taxane');
    // the policy's own list is on the instructions card; the PA card repeats it only when that card is off
    expect(pa!.detail).not.toContain('Pathology report');
    const withoutInstructions = renderResponse(input([{}], { configuration: { enabled: { instructions: false }, maxCards: 10 } }));
    const paAlone = withoutInstructions.cards.find((c) => c.summary.startsWith('Prior authorization'));
    expect(paAlone?.detail).toContain('**Attach to the request:**\n\n- Pathology report');
    expect(pa!.links?.map((l) => [l.type, l.url])).toEqual([
      ['absolute', 'https://cds.example.org/policies/000-ixabepilone'],
      ['absolute', 'https://payer.example/pa'],
      ['smart', 'https://dtr.example/launch'],
    ]);
    const dtr = pa!.links?.[2];
    expect(JSON.parse(dtr!.appContext!)).toMatchObject({ order: 'MedicationRequest/draft-1', coverage: 'Coverage/cov-1' });
  });

  it('shows ❔ not documented with what would settle it, and a missing-data info card', () => {
    const criteria = breastCancerCriteria('not-documented');
    const body = renderResponse(input([{ covered: 'conditional', indications: [indication('breast-metastatic', 'Metastatic breast cancer', criteria)] }]));
    assertCrdResponse(body, [medicationRequest()]);
    const pa = body.cards.find((c) => c.summary.startsWith('Prior authorization'));
    expect(pa?.detail).toContain('❔ HER2-negative — not documented (no HER2 result in the chart)');
    const missing = body.cards.find((c) => c.indicator === 'info' && c.detail?.includes('needs:'));
    expect(missing?.detail).toContain('- ❔ HER2-negative: HER2 test result (IHC or ISH)');
    expect(missing?.source.topic?.code).toBe('coverage-info');
  });

  it('no prior-auth card when an authorization is on file or none is required', () => {
    for (const e of [{ paNeeded: 'satisfied' as const, satisfiedPaId: 'PA-123' }, { paNeeded: 'no-auth' as const }]) {
      const body = renderResponse(input([e]));
      assertCrdResponse(body, [medicationRequest()]);
      expect(body.cards).toEqual([]); // covered and settled: no card
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
    expect(dose!.summary).toBe('Ixempra dose above Blue Shield of California limit: 90 mg = 50 mg/m² at BSA 1.80 m² vs up to 40 mg/m² every 21 days');
    expect(dose!.detail).toContain('**Ordered:** 90 mg = 50 mg/m² at BSA 1.80 m²');
    expect(dose!.detail).toContain('**Covered:** up to 40 mg/m² every 21 days');
    expect(dose!.detail).toContain('Covered maximum for this patient: **72.4 mg**');
    expect(dose!.selectionBehavior).toBe('at-most-one');
    expect(dose!.suggestions).toHaveLength(1);
    const suggestion = dose!.suggestions![0]!;
    expect(suggestion.label).toBe('Change to 72.4 mg');
    expect(suggestion.isRecommended).toBe(true);
    expect(suggestion.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(suggestion.actions).toHaveLength(1);
    const order = suggestion.actions![0]!.resource as MedicationRequest;
    expect(order.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity?.value).toBe(72.4);
    expect(dose!.overrideReasons?.map((r) => r.code)).toEqual(['guideline-supported', 'patient-specific-dose', 'will-request-exception']);
    expect(dose!.overrideReasons?.every((r) => r.display && r.system === 'urn:oncology-pa:override-reason')).toBe(true);
  });

  it('no suggestion without a rounding rule, and the card still says what is covered', () => {
    const i = input([{ dose: doseOver() }]);
    delete i.evaluations[0]!.rounding;
    const body = renderResponse(i);
    assertCrdResponse(body, [medicationRequest()]);
    const [dose] = byTopic(body.cards, 'limits');
    expect(dose!.suggestions).toBeUndefined();
    expect(dose!.selectionBehavior).toBeUndefined();
    expect(dose!.detail).toContain('72.45 mg');
  });
});

describe('criteria not met card', () => {
  it('off-guideline warning naming each unmet criterion and its evidence, plus exclusions', () => {
    const criteria = allOf([
      leaf('diagnosis', 'Metastatic or locally advanced breast cancer', 'met'),
      leaf('her2-negative', 'HER2-negative', 'not-met', { evidence: [evidence('Observation/her2', 'HER2 positive (IHC 3+)', '2026-10-02')] }),
    ]);
    const body = renderResponse(
      input([
        {
          covered: 'not-covered',
          paNeeded: 'auth-needed',
          indications: [indication('breast-metastatic', 'Metastatic breast cancer', criteria)],
          exclusions: [leaf('adjuvant', 'Adjuvant use (investigational)', 'met', { evidence: [evidence('Condition/bc', 'Stage II breast cancer', '2026-09-01')] })],
          reasons: ['HER2-positive disease is not covered'],
        },
      ]),
    );
    assertCrdResponse(body, [medicationRequest()]);
    expect(body.cards).toHaveLength(1); // no PA card, no instructions when not covered
    const [off] = body.cards;
    expect(off!.source.topic?.code).toBe('off-guideline');
    expect(off!.indicator).toBe('warning');
    expect(off!.summary).toBe('Ixempra does not meet Blue Shield of California coverage criteria');
    expect(off!.detail).toContain('- ❌ HER2-negative — not met: HER2 positive (IHC 3+), Observation 2026-10-02');
    expect(off!.detail).toContain('- ❌ Adjuvant use (investigational): Stage II breast cancer, Condition 2026-09-01');
    // the engine's prose reasons repeat the lists; they stand in only when no list can be drawn
    expect(off!.detail).not.toContain('- HER2-positive disease is not covered');
    const bare = renderResponse(input([{ covered: 'not-covered', paNeeded: 'auth-needed', indications: [], reasons: ['No covered indication is met'] }]));
    expect(bare.cards[0]?.detail).toContain('- No covered indication is met');
    const info = coverageInfo(body.systemActions![0]!.resource);
    expect(sub(info, 'covered')[0]?.valueCode).toBe('not-covered');
    expect(sub(info, 'pa-needed')).toEqual([]);
  });
});

describe('missing data card', () => {
  it('names the observation that would settle a dose check, and data not fetched in time', () => {
    const body = renderResponse(
      input([
        {
          dose: { status: 'not-documented', missing: ['body surface area'], evidence: [] },
          unchecked: ['Observations (FHIR server did not answer in time)'],
        },
      ]),
    );
    assertCrdResponse(body, [medicationRequest()]);
    const missing = body.cards.find((c) => c.detail?.includes('Could not check'));
    expect(missing?.indicator).toBe('info');
    expect(missing?.detail).toContain('- ❔ Dose check: Record a body surface area (LOINC 8277-6) or height and weight');
    expect(missing?.detail).toContain('- ⚠️ Could not check: Observations (FHIR server did not answer in time)');
  });
});

describe('instructions card', () => {
  it('documentation checklist when PA is needed, on order-sign only', () => {
    const body = renderResponse(input([{}]));
    const instructions = body.cards.find((c) => c.summary.startsWith('Documentation checklist'));
    expect(instructions?.indicator).toBe('info');
    expect(instructions?.source.topic?.code).toBe('coverage-info');
    expect(instructions?.detail).toContain('- ☐ Pathology report');
    expect(instructions?.detail).toContain('- ☐ HER2-negative: HER2 negative (IHC 1+), Observation 2026-10-02');
    expect(instructions?.detail).toContain('12 months');
  });
});

describe('order-select', () => {
  it('same evaluation, every card info, no documentation checklist or instructions, no doc-needed', () => {
    const body = renderResponse(input([{ dose: doseOver() }], { hook: 'order-select', payerLinks: { submissionUrl: 'https://payer.example/pa' } }));
    assertCrdResponse(body, [medicationRequest()]);
    expect(body.cards.length).toBeGreaterThan(0);
    expect(body.cards.every((c) => c.indicator === 'info')).toBe(true);
    expect(body.cards.some((c) => c.summary.startsWith('Documentation checklist'))).toBe(false);
    const pa = body.cards.find((c) => c.summary.startsWith('Prior authorization'));
    expect(pa?.detail).not.toContain('Attach to the request');
    expect(pa?.links).toHaveLength(1);
    const info = coverageInfo(body.systemActions![0]!.resource);
    expect(sub(info, 'doc-needed')).toEqual([]);
    expect(sub(info, 'doc-purpose')).toEqual([]);
  });
});

describe('configuration and max-cards', () => {
  const all: Partial<PolicyEvaluation> = {
    covered: 'conditional',
    indications: [indication('breast-metastatic', 'Metastatic breast cancer', breastCancerCriteria('not-documented'))],
    dose: doseOver(),
  };

  it('switched-off card types are not returned', () => {
    const body = renderResponse(input([all], { configuration: { enabled: { 'dose-limit': false, instructions: false }, maxCards: 10 } }));
    assertCrdResponse(body, [medicationRequest()]);
    expect(byTopic(body.cards, 'limits')).toEqual([]);
    expect(body.cards.some((c) => c.summary.startsWith('Documentation checklist'))).toBe(false);
    expect(body.cards.some((c) => c.summary.startsWith('Prior authorization'))).toBe(true);
  });

  it('max-cards keeps the most important: limits, then coverage, then missing data', () => {
    const { response, renderedCards } = renderResponseWithMetadata(input([all], { configuration: { enabled: {}, maxCards: 2 } }));
    assertCrdResponse(response, [medicationRequest()]);
    expect(response.cards.map((c) => c.source.topic?.code)).toEqual(['limits', 'coverage-info']);
    expect(response.cards[1]!.summary).toMatch(/^Prior authorization/);
    expect(Object.keys(renderedCards)).toEqual(response.cards.map((c) => c.uuid));
    expect(renderedCards[response.cards[0]!.uuid]).toEqual({ cardType: 'dose-limit', topic: 'limits', policyId: '000-ixabepilone', payerId: 'blue-shield-ca' });
    expect(response.systemActions).toHaveLength(1); // system actions are not cards
  });

  it('max-cards 0 returns an empty cards array, never a missing one', () => {
    const body = renderResponse(input([all], { configuration: { enabled: {}, maxCards: 0 } }));
    expect(body.cards).toEqual([]);
    assertCrdResponse(body, [medicationRequest()]);
  });
});

describe('every card', () => {
  it('has a unique uuid, summary under 140 characters even for long names, and no empty arrays', () => {
    const i = input([{ dose: doseOver(), policy: { ...evaluation().policy, payerName: 'A Very Long Payer Name Health Plan of the Greater Metropolitan Area and Surrounding Counties Inc.' } }]);
    i.evaluations[0]!.brandName = 'Ixempra Kit (ixabepilone) for injection, for intravenous use, 15 mg and 45 mg';
    const body = renderResponse(i);
    assertCrdResponse(body, [medicationRequest()]);
    expect(new Set(body.cards.map((c) => c.uuid)).size).toBe(body.cards.length);
    for (const c of body.cards) expect([...c.summary].length).toBeLessThan(140);
  });

  it('escapes markdown that comes from chart data', () => {
    const criteria = allOf([leaf('x', 'HER2 *bold* [link](http://x)', 'met', { evidence: [evidence('Observation/o', '<script>', '2026-01-01')] })]);
    const body = renderResponse(input([{ indications: [indication('breast-metastatic', 'Ind', criteria)] }]));
    const pa = body.cards.find((c) => c.summary.startsWith('Prior authorization'));
    expect(pa?.detail).toContain('HER2 \\*bold\\* \\[link\\](http://x)');
    expect(pa?.detail).toContain('\\<script\\>');
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
    expect(body.systemActions).toBeUndefined();
    assertCrdResponse(body, [medicationRequest()]);
  });
});
