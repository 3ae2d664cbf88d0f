/**
 * Laboratory facts from LOINC-coded Observations: the latest result on or before the service date, in the catalog's
 * unit, with its date as evidence; and a policy leaf's `withinDays` deciding whether it is recent enough.
 */
import type { Observation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { evaluateLeaf } from '../../src/policy/criteria.js';
import type { Leaf } from '../../src/policy/types.js';
import { code, draftOrder, observation, RXNORM } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const SERVICE = '2026-11-20';
const order = draftOrder('draft-ino', code(RXNORM, '1942950'), { dispenseRequest: { validityPeriod: { start: SERVICE } } });

const qty = (value: number, unit: string, ucum = unit): Partial<Observation> => ({ valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: ucum } });

/** Three CBCs (one after the service date, which does not count yet), a CMP in SI units, an ECG and a hemoglobin. */
const chart = emptyChart({
  observations: [
    observation('cbc-oct-anc', '751-8', '2026-10-01', qty(0.9, '10*3/uL')),
    observation('cbc-nov-anc', '751-8', '2026-11-17', qty(1800, 'cells/uL', '/uL')),
    observation('cbc-dec-anc', '751-8', '2026-11-25', qty(3.1, '10*3/uL')),
    observation('cbc-nov-plt', '777-3', '2026-11-17', qty(142, '10^9/L', '10*9/L')),
    observation('cmp-bili', '1975-2', '2026-11-17', qty(20.5, 'µmol/L', 'umol/L')),
    observation('crcl-cg', '35591-7', '2026-09-02', qty(58, 'mL/min')),
    observation('ecg-qtc', '8636-3', '2026-11-10', qty(0.452, 's')),
    observation('cbc-nov-hgb', '718-7', '2026-11-17', qty(10.9, 'g/dL')),
    observation('odd-plt', '26515-7', '2026-11-01', qty(150, 'kg')),
  ],
});
const facts = buildFacts(chart, order, catalog, SERVICE);

function leaf(fact: string, op: Leaf['op'], value: number, withinDays?: number): Leaf {
  return { id: 'l', label: 'l', source: 'test', fact, op, value, ...(withinDays === undefined ? {} : { withinDays }) };
}

describe('laboratory facts', () => {
  it('read the latest result on or before the service date, converted to the catalog unit, citing it with its date', () => {
    expect(facts.labs.anc.value).toBe(1.8);
    expect(facts.labs.anc.evidence).toEqual([{ reference: 'Observation/cbc-nov-anc', date: '2026-11-17', text: 'ANC 1.8 10*3/uL (1800 cells/uL)', supports: ['1.8'] }]);
    expect(facts.labs.platelets.value).toBe(142);
    expect(facts.labs.bilirubin.value).toBe(1.199);
    expect(facts.labs.creatinineClearance.value).toBe(58);
    expect(facts.labs.qtc.value).toBe(452);
  });

  it('a result in a unit the catalog cannot convert is not read, and says so', () => {
    const odd = buildFacts(emptyChart({ observations: [observation('odd-plt', '26515-7', '2026-11-01', qty(150, 'kg'))] }), order, catalog, SERVICE);
    expect(odd.labs.platelets.value).toBeNull();
    expect(odd.labs.platelets.unknownReason).toBe('Platelets of 2026-11-01 is in a unit the catalog does not convert (kg)');
  });

  it('no result: not documented', () => {
    const none = buildFacts(emptyChart(), order, catalog, SERVICE);
    expect(none.labs.anc).toEqual({ value: null, evidence: [], unknownReason: 'ANC not documented' });
  });
});

describe('withinDays', () => {
  it('a recent enough result is compared; an older one leaves the leaf not documented, saying how old it is', () => {
    expect(evaluateLeaf(leaf('$.labs.anc', 'atLeast', 1.5, 7), facts).status).toBe('met');
    expect(evaluateLeaf(leaf('$.labs.anc', 'atLeast', 2, 7), facts).status).toBe('not-met');
    const old = evaluateLeaf(leaf('$.labs.creatinineClearance', 'atLeast', 30, 30), facts);
    expect(old).toMatchObject({ status: 'not-documented', value: 58, unknownReason: 'the latest result (2026-09-02) is 79 days old; it must be within 30 days' });
    expect(old.evidence.map((e) => e.reference)).toEqual(['Observation/crcl-cg']);
    expect(evaluateLeaf(leaf('$.labs.creatinineClearance', 'atLeast', 30), facts).status).toBe('met');
  });
});
