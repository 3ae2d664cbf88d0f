/**
 * Statements on the order (note, reasonCode.text, dosageInstruction.text): a negation governs its own clause and
 * sentence only. Notes as clinicians write them.
 */
import type { MedicationRequest } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { clausesOf } from '../../src/facts/order-text.js';
import { code, draftOrder, RXNORM } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();

function withNote(note: string, extra: Partial<MedicationRequest> = {}): MedicationRequest {
  return draftOrder('draft-ino', code(RXNORM, '1942950'), { note: [{ text: note }], ...extra });
}

function orderFacts(order: MedicationRequest): { attestations: string[] | null; phase: string | null } {
  const facts = buildFacts(emptyChart({ draftOrders: [order] }), order, catalog, '2026-11-01');
  return { attestations: facts.order.attestations.value, phase: facts.order.phase.value };
}

describe('clausesOf', () => {
  it('splits sentences and clauses, never a decimal number', () => {
    expect(clausesOf('No fever. Baseline ECG within normal limits; QTc 0.42 s, K 4.1')).toEqual([
      ' no fever ',
      ' baseline ecg within normal limits ',
      ' qtc 0.42 s ',
      ' k 4.1 ',
    ]);
    expect(clausesOf('Denies pain but relapsed on day 90')).toEqual([' denies pain ', ' relapsed on day 90 ']);
  });
});

describe('negation is scoped to its clause and sentence', () => {
  it('"No fever." does not negate the next sentence', () => {
    const note = 'Pre-infusion check 11/02: no fever. Relapsed B-ALL after hyper-CVAD, second salvage. Baseline ECG within normal limits.';
    expect(orderFacts(withNote(note)).attestations).toContain('relapsed');
  });

  it('a negation in an earlier clause of the same sentence does not reach the statement', () => {
    const note = 'Afebrile, no mucositis, no neuropathy, disease unresectable per tumour board 10/28';
    expect(orderFacts(withNote(note)).attestations).toContain('unresectable');
  });

  it('a negation in the same clause still negates', () => {
    expect(orderFacts(withNote('No relapse since transplant; MRD negative.')).attestations).toBeNull();
    expect(orderFacts(withNote('Tumour board: not unresectable, plan resection after 4 cycles.')).attestations).toBeNull();
  });

  it('a phrase that carries its own negation is kept', () => {
    const note = 'Denies fevers or chills. Not a surgical candidate (ECOG 2, prior sternotomy).';
    expect(orderFacts(withNote(note)).attestations).toContain('unresectable');
  });

  it('the treatment phase read from words follows the same rule', () => {
    const note = 'No induction needed — in CR1 after outside induction; maintenance per protocol, cycle 2.';
    expect(orderFacts(withNote(note)).phase).toBe('maintenance');
    expect(orderFacts(withNote('Not for maintenance.')).phase).toBeNull();
  });

  it('statements in the dosage text and the reason are read clause by clause too', () => {
    const order = withNote('Labs reviewed.', {
      reasonCode: [{ text: 'B-ALL, no CNS involvement. Refractory to blinatumomab' }],
      dosageInstruction: [{ text: '0.8 mg/m2 IV day 1, 0.5 mg/m2 days 8 and 15. No dose reduction.' }],
    });
    expect(orderFacts(order).attestations).toEqual(expect.arrayContaining(['refractory']));
  });
});
