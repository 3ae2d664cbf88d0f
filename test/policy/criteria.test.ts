import { describe, expect, it } from 'vitest';
import { allStatus, anyStatus, applyOperator, evaluateCriterion, evaluateLeaf, notStatus } from '../../src/policy/criteria.js';
import type { Criterion, Leaf, Operator, Status } from '../../src/policy/types.js';
import { ev, facts, known, unknown } from '../support/facts-builder.js';

function leaf(fact: string, op: Operator, value?: Leaf['value'], extra: Partial<Leaf> = {}): Leaf {
  const l: Leaf = { id: `${fact}-${op}`, label: `${fact} ${op}`, source: 'test', fact, op, ...extra };
  if (value !== undefined) l.value = value;
  return l;
}

describe('operators', () => {
  const cases: Array<[Operator, unknown, Leaf['value'], Status]> = [
    ['equals', 'negative', 'negative', 'met'],
    ['equals', 'positive', 'negative', 'not-met'],
    ['notEquals', 'positive', 'negative', 'met'],
    ['notEquals', 'negative', 'negative', 'not-met'],
    ['in', 'consolidation', ['consolidation', 'maintenance'], 'met'],
    ['in', 'induction', ['consolidation', 'maintenance'], 'not-met'],
    ['notIn', 'induction', ['consolidation'], 'met'],
    ['notIn', 'consolidation', ['consolidation'], 'not-met'],
    ['atLeast', 3, 3, 'met'],
    ['atLeast', 2, 3, 'not-met'],
    ['atMost', 7, 7, 'met'],
    ['atMost', 8, 7, 'not-met'],
    ['greaterThan', 4, 3, 'met'],
    ['greaterThan', 3, 3, 'not-met'],
    ['lessThan', 9, 10, 'met'],
    ['lessThan', 10, 10, 'not-met'],
    ['atLeast', '2024-01-02', '2024-01-01', 'met'],
    ['atLeast', 'text', 3, 'not-met'],
    ['exists', 0, undefined, 'met'],
    ['isTrue', true, undefined, 'met'],
    ['isTrue', false, undefined, 'not-met'],
    ['isFalse', false, undefined, 'met'],
    ['isFalse', true, undefined, 'not-met'],
    ['startsWith', 'C50.911', 'C50', 'met'],
    ['startsWith', 'C50.911', ['C91', 'C50'], 'met'],
    ['startsWith', 'C91.00', 'C50', 'not-met'],
    ['includesAny', ['a', 'b'], ['b', 'c'], 'met'],
    ['includesAny', ['a'], ['b', 'c'], 'not-met'],
    ['includesAll', ['a', 'b', 'c'], ['a', 'c'], 'met'],
    ['includesAll', ['a', 'b'], ['a', 'c'], 'not-met'],
    ['anyStartsWith', ['Z85.3', 'C50.911'], ['C50'], 'met'],
    ['anyStartsWith', ['Z85.3'], ['C50'], 'not-met'],
    ['isEmpty', [], undefined, 'met'],
    ['isEmpty', ['a'], undefined, 'not-met'],
    ['notEmpty', ['a'], undefined, 'met'],
    ['notEmpty', [], undefined, 'not-met'],
    ['mentions', ['unresectable'], 'unresectable', 'met'],
    ['mentions', ['relapsed'], 'unresectable', 'not-documented'],
    ['mentions', [], 'unresectable', 'not-documented'],
  ];
  it.each(cases)('%s %j vs %j → %s', (op, value, expected, status) => {
    expect(applyOperator(op, value, expected).status).toBe(status);
  });

  it('covers every operator of the contract', () => {
    const all: Operator[] = ['equals', 'notEquals', 'in', 'notIn', 'atLeast', 'atMost', 'greaterThan', 'lessThan', 'exists', 'isTrue', 'isFalse', 'startsWith', 'includesAny', 'includesAll', 'anyStartsWith', 'isEmpty', 'notEmpty', 'mentions'];
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(all));
  });

  // Every operator on an array fact: the positive ones hold when some element matches, the negative ones
  // (notEquals, notIn) when no element does; the matched elements are what the evidence is cited for.
  const onArrays: Array<[Operator, unknown[], Leaf['value'], Status, string[] | undefined]> = [
    ['equals', ['positive', 'negative'], 'negative', 'met', ['negative']],
    ['equals', ['positive'], 'negative', 'not-met', undefined],
    ['notEquals', ['positive', 'negative'], 'negative', 'not-met', undefined],
    ['notEquals', ['positive'], 'negative', 'met', undefined],
    ['in', ['C50.911', 'Z85.3'], ['Z85.3'], 'met', ['Z85.3']],
    ['notIn', ['C50.911', 'Z85.3'], ['Z85.3'], 'not-met', undefined],
    ['notIn', ['C50.911'], ['Z85.3'], 'met', undefined],
    ['atLeast', [1, 3], 2, 'met', ['3']],
    ['atMost', [5, 9], 7, 'met', ['5']],
    ['greaterThan', [1, 2], 2, 'not-met', undefined],
    ['lessThan', [12, 30], 12, 'not-met', undefined],
    ['exists', ['a'], undefined, 'met', ['a']],
    ['isTrue', [false, true], undefined, 'met', undefined],
    ['isTrue', [false, false], undefined, 'not-met', undefined],
    ['isFalse', [true, false], undefined, 'met', undefined],
    ['isFalse', [true], undefined, 'not-met', undefined],
    ['startsWith', ['Z85.3', 'C50.911'], 'C50', 'met', ['C50.911']],
    ['startsWith', ['Z85.3'], ['C50', 'C91'], 'not-met', undefined],
    ['includesAny', ['a', 'b'], ['b'], 'met', ['b']],
    ['includesAll', ['a', 'b'], ['a', 'b'], 'met', ['a', 'b']],
    ['anyStartsWith', ['Z85.3', 'C50.911'], ['C50'], 'met', ['C50.911']],
    ['isEmpty', ['a'], undefined, 'not-met', undefined],
    ['notEmpty', ['a'], undefined, 'met', ['a']],
    ['mentions', ['relapsed', 'unresectable'], 'unresectable', 'met', ['unresectable']],
  ];
  it.each(onArrays)('on an array fact: %s %j vs %j → %s', (op, value, expected, status, matched) => {
    const outcome = applyOperator(op, value, expected);
    expect(outcome.status).toBe(status);
    expect(outcome.matched).toEqual(matched);
  });

  it('covers every operator on array facts too', () => {
    expect(new Set(onArrays.map((c) => c[0]))).toEqual(new Set(cases.map((c) => c[0])));
  });
});

describe('leaves', () => {
  it('reads an unknown fact as not documented, with its reason', () => {
    const r = evaluateLeaf(leaf('$.biomarkers.her2', 'equals', 'negative'), facts({ biomarkers: { her2: unknown('Observation query timed out') } }));
    expect(r).toMatchObject({ status: 'not-documented', value: null, unknownReason: 'Observation query timed out', inEffect: true });
  });

  it('never reads an unknown boolean as false', () => {
    expect(evaluateLeaf(leaf('$.disease.metastatic', 'isFalse'), facts()).status).toBe('not-documented');
  });

  it('exists is not met when the chart lacks the fact, not documented when it could not be fetched', () => {
    expect(evaluateLeaf(leaf('$.biomarkers.pdl1Cps', 'exists'), facts()).status).toBe('not-met');
    expect(evaluateLeaf(leaf('$.biomarkers.pdl1Cps', 'exists'), facts({ biomarkers: { pdl1Cps: unknown('timeout') } })).status).toBe('not-documented');
    expect(evaluateLeaf(leaf('$.biomarkers.pdl1Cps', 'exists'), facts({ biomarkers: { pdl1Cps: known(5) } })).status).toBe('met');
  });

  it('ifNotMet turns a chart-shown "no" into not documented, and leaves met alone', () => {
    const l = leaf('$.prescriber.specialties', 'includesAny', ['SPEC-ONC'], { ifNotMet: 'not-documented', documentation: 'consult note' });
    const no = evaluateLeaf(l, facts({ prescriber: { specialties: known(['SPEC-FAM']) } }));
    expect(no).toMatchObject({ status: 'not-documented', documentation: 'consult note', value: ['SPEC-FAM'] });
    expect(evaluateLeaf(l, facts({ prescriber: { specialties: known(['SPEC-ONC']) } })).status).toBe('met');
  });

  it('cites only the evidence that supports the matched values', () => {
    const icd = known(['C50.911', 'E11.9'], ev('Condition/bc', ['C50.911']), ev('Condition/dm', ['E11.9']), ev('Encounter/e1'));
    const r = evaluateLeaf(leaf('$.diagnoses.icd10', 'anyStartsWith', ['C50']), facts({ diagnoses: { icd10: icd } }));
    expect(r.status).toBe('met');
    expect(r.evidence.map((e) => e.reference)).toEqual(['Condition/bc', 'Encounter/e1']);
  });

  it('keeps all evidence when not met, to show why', () => {
    const icd = known(['E11.9'], ev('Condition/dm', ['E11.9']));
    const r = evaluateLeaf(leaf('$.diagnoses.icd10', 'anyStartsWith', ['C50']), facts({ diagnoses: { icd10: icd } }));
    expect(r.status).toBe('not-met');
    expect(r.evidence.map((e) => e.reference)).toEqual(['Condition/dm']);
  });

  it('reads plain (non-Fact) values and wildcards over authorizations', () => {
    const f = facts({ order: { drug: 'drug-a' } });
    expect(evaluateLeaf(leaf('$.order.drug', 'equals', 'drug-a'), f).status).toBe('met');
    const withAuth = facts({ authorizations: [{ reference: 'ClaimResponse/1', preAuthRef: 'X', drug: 'drug-a', appliesToOrder: true }] });
    expect(evaluateLeaf(leaf('$.authorizations[*].appliesToOrder', 'isTrue'), withAuth).status).toBe('met');
    expect(evaluateLeaf(leaf('$.authorizations[*].appliesToOrder', 'isTrue'), facts()).status).toBe('not-documented');
  });
});

describe('three-valued all / any / not', () => {
  const M = leaf('$.disease.metastatic', 'isTrue');
  const N = leaf('$.disease.inflammatory', 'isTrue');
  const D = leaf('$.disease.recurrent', 'isTrue');
  const f = facts({ disease: { metastatic: known(true), inflammatory: known(false) } }); // recurrent unknown
  const status = (c: Criterion): Status => evaluateCriterion(c, f).status;

  it('Kleene tables', () => {
    expect(allStatus(['met', 'not-documented', 'not-met'])).toBe('not-met');
    expect(allStatus(['met', 'not-documented'])).toBe('not-documented');
    expect(allStatus(['met', 'met'])).toBe('met');
    expect(anyStatus(['not-met', 'not-documented', 'met'])).toBe('met');
    expect(anyStatus(['not-met', 'not-documented'])).toBe('not-documented');
    expect(anyStatus(['not-met'])).toBe('not-met');
    expect(notStatus('met')).toBe('not-met');
    expect(notStatus('not-documented')).toBe('not-documented');
  });

  it('all', () => {
    expect(status({ all: [M, D, N] })).toBe('not-met');
    expect(status({ all: [M, D] })).toBe('not-documented');
    expect(status({ all: [M, M] })).toBe('met');
  });

  it('any', () => {
    expect(status({ any: [N, D, M] })).toBe('met');
    expect(status({ any: [N, D] })).toBe('not-documented');
    expect(status({ any: [N, N] })).toBe('not-met');
  });

  it('not', () => {
    expect(status({ not: M })).toBe('not-met');
    expect(status({ not: N })).toBe('met');
    expect(status({ not: D })).toBe('not-documented');
  });

  it('composite evidence comes from the children that decided', () => {
    const g = facts({ disease: { metastatic: known(true, ev('Condition/m1')), inflammatory: known(false, ev('Condition/ibc')) } });
    expect(evaluateCriterion({ any: [M, N] }, g).evidence.map((e) => e.reference)).toEqual(['Condition/m1']);
    expect(evaluateCriterion({ all: [M, N] }, g).evidence.map((e) => e.reference)).toEqual(['Condition/ibc']);
  });
});

describe('effective dates', () => {
  const before: Criterion = { id: 'old', label: 'old', source: 't', effectiveTo: '2023-10-29', all: [leaf('$.therapy.lineOfTherapy', 'atLeast', 3)] };
  const after: Criterion = { id: 'new', label: 'new', source: 't', effectiveFrom: '2023-10-30', all: [leaf('$.therapy.lineOfTherapy', 'atLeast', 4)] };
  const third = (serviceDate: string) => facts({ serviceDate, therapy: { lineOfTherapy: known(3) } });

  it('uses the old branch on or before its last day', () => {
    const r = evaluateCriterion({ any: [before, after] }, third('2023-10-29'));
    expect(r.status).toBe('met');
    expect(r.children?.map((c) => c.inEffect)).toEqual([true, false]);
  });

  it('uses the new branch from its first day', () => {
    const r = evaluateCriterion({ any: [before, after] }, third('2023-10-30'));
    expect(r.status).toBe('not-met');
    expect(r.children?.map((c) => c.inEffect)).toEqual([false, true]);
  });

  it('a parent ignores branches out of effect: all → met, any → not-met', () => {
    const f = third('2030-01-01');
    expect(evaluateCriterion({ all: [before] }, f).status).toBe('met');
    expect(evaluateCriterion({ any: [before] }, f).status).toBe('not-met');
    expect(evaluateCriterion({ all: [before, leaf('$.therapy.lineOfTherapy', 'equals', 3)] }, f).status).toBe('met');
  });

  it('a leaf can carry its own window', () => {
    const l = leaf('$.order.singleAgent', 'isTrue', undefined, { effectiveFrom: '2023-10-30' });
    const early = evaluateCriterion({ all: [leaf('$.therapy.lineOfTherapy', 'atLeast', 1), l] }, third('2023-01-01'));
    expect(early.status).toBe('met');
    expect(early.children?.[1]?.inEffect).toBe(false);
  });
});
