/**
 * Enumerated facts in the engine, proven on a test policy (not 004): an unknown phase or marker that lists the values
 * the chart allows is tried under each; the same answer under all of them is the answer, and `conditional` stays
 * only when the open fact would change it.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ClinicalFacts, Fact } from '../../src/facts/types.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { openChoices } from '../../src/policy/enumerated.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { ev, facts, known } from '../support/facts-builder.js';

const policy = loadPolicyFile(fileURLToPath(new URL('../fixtures/engine/test-drug-c-phases.json', import.meta.url)));

function open<T>(reason: string, possibleValues: T[]): Fact<T> {
  return { value: null, evidence: [ev('Condition/dx', undefined, 'Disease in remission')], unknownReason: reason, possibleValues };
}

function chart(phase: Fact<string>, marker: Fact<'positive' | 'negative' | 'equivocal'>, partnerClasses: string[]): ClinicalFacts {
  return facts({
    order: { drug: 'drug-c', phase, partnerClasses: known(partnerClasses, ev('MedicationRequest/partner', partnerClasses)) },
    biomarkers: { philadelphiaChromosome: marker },
  });
}

describe('enumerated facts', () => {
  it('phase open between consolidation and relapsed, marker positive, partner k: covered under both, so covered', () => {
    const e = evaluatePolicy(policy, chart(open('Phase not stated', ['consolidation', 'relapsed-refractory']), known('positive', ev('Observation/ph', ['positive'])), ['k']));
    expect(e.covered).toBe('covered');
    expect(e.infoNeeded).toBeUndefined();
    expect(e.settledOver).toEqual([{ fact: '$.order.phase', values: ['consolidation', 'relapsed-refractory'] }]);
    // the supposed phase cites why it was open and what was tried
    const phaseLeaf = e.indications.find((i) => i.id === e.decidingIndication)?.criteria.children?.find((c) => c.id?.endsWith('-phase'));
    expect(phaseLeaf?.evidence[0]?.text).toContain('every value the chart allows (consolidation, relapsed-refractory)');
    expect(phaseLeaf?.evidence.map((x) => x.reference)).toContain('Condition/dx');
  });

  it('phase open between consolidation and maintenance with the marker negative: consolidation fails, maintenance is met: the phase changes the answer, so conditional', () => {
    const negative = evaluatePolicy(policy, chart(open('Phase not stated', ['consolidation', 'maintenance']), known('negative', ev('Observation/ph')), ['k']));
    // consolidation needs marker positive (not met), maintenance needs negative (met): answers differ → conditional
    expect(negative.covered).toBe('conditional');
    expect(negative.settledOver).toBeUndefined();
  });

  it('no partner of class k: every indication fails on the partner or the marker whatever the phase: not covered without trying phases', () => {
    const e = evaluatePolicy(policy, chart(open('Phase not stated', ['consolidation', 'relapsed-refractory']), known('positive', ev('Observation/ph')), []));
    expect(e.covered).toBe('not-covered');
    expect(e.settledOver).toBeUndefined();
  });

  it('marker open, phase relapsed: the relapsed indication does not read the marker: covered without enumeration; phase consolidation with the marker open: conditional', () => {
    const relapsed = evaluatePolicy(policy, chart(known('relapsed-refractory', ev('Condition/dx', ['relapsed-refractory'])), open('Marker not documented', ['positive', 'negative']), ['k']));
    expect(relapsed.covered).toBe('covered');
    const consolidation = evaluatePolicy(policy, chart(known('consolidation', ev('Condition/dx', ['consolidation'])), open('Marker not documented', ['positive', 'negative']), ['k']));
    expect(consolidation.covered).toBe('conditional');
  });

  it('two open facts: phase (relapsed or consolidation) and marker (positive or negative) with partner k: relapsed ignores the marker, consolidation needs it: conditional', () => {
    const e = evaluatePolicy(policy, chart(open('Phase not stated', ['consolidation', 'relapsed-refractory']), open('Marker not documented', ['positive', 'negative']), ['k']));
    expect(e.covered).toBe('conditional');
    expect(openChoices(policy, chart(open('x', ['consolidation']), open('y', ['positive', 'negative']), ['k'])).map((c) => c.fact)).toEqual(['$.order.phase', '$.biomarkers.philadelphiaChromosome']);
  });

  it('an unknown fact without possible values stays conditional (nothing to enumerate)', () => {
    const e = evaluatePolicy(policy, chart({ value: null, evidence: [], unknownReason: 'Phase not stated' }, known('positive', ev('Observation/ph')), ['k']));
    expect(e.covered).toBe('conditional');
    expect(e.settledOver).toBeUndefined();
  });

  it('a known phase is never second-guessed', () => {
    const e = evaluatePolicy(policy, chart(known('maintenance', ev('MedicationRequest/draft-1', ['maintenance'])), known('positive', ev('Observation/ph')), ['k']));
    expect(e.covered).toBe('not-covered');
    expect(e.settledOver).toBeUndefined();
  });
});
