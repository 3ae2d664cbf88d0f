import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { bodyFacts, mosteller } from '../../src/facts/body.js';
import { emptyChart } from '../fixtures/facts/chart.js';
import { observation, quantity } from '../fixtures/facts/builders.js';

const catalog = loadCatalog();
const SERVICE = '2026-12-01';

describe('body measurements', () => {
  it('converts pounds and inches (UCUM and plain spellings)', () => {
    const chart = emptyChart({
      observations: [observation('w', '29463-7', '2026-11-28', quantity(154, '[lb_av]')), observation('h', '8302-2', '2026-11-28', quantity(70, 'in'))],
    });
    const body = bodyFacts(chart, catalog, SERVICE);
    expect(body.weightKg.value).toBeCloseTo(69.853, 3);
    expect(body.heightCm.value).toBe(177.8);
    expect(body.weightKg.evidence[0]).toMatchObject({ reference: 'Observation/w', date: '2026-11-28', supports: [String(body.weightKg.value)] });
    expect(body.weightKg.evidence[0]?.text).toContain('69.85 kg (154 [lb_av])');
  });

  it('keeps the converted value unrounded: 99.2 lb = 44.996 kg is under 45 kg, shown as 45 kg', () => {
    const chart = emptyChart({ observations: [observation('w', '29463-7', '2026-11-28', quantity(99.2, '[lb_av]'))] });
    const weight = bodyFacts(chart, catalog, SERVICE).weightKg;
    expect(weight.value).toBeLessThan(45);
    expect(weight.value).toBeCloseTo(44.996, 3);
    expect(weight.evidence[0]?.text).toContain('45 kg (99.2 [lb_av])');
  });

  it('converts grams and metres', () => {
    const chart = emptyChart({
      observations: [observation('w', '3141-9', '2026-11-20', quantity(8200, 'g')), observation('h', '3137-7', '2026-11-20', quantity(0.72, 'm'))],
    });
    const body = bodyFacts(chart, catalog, SERVICE);
    expect(body.weightKg.value).toBeCloseTo(8.2, 9);
    expect(body.heightCm.value).toBeCloseTo(72, 9);
  });

  it('computes BSA by Mosteller and cites both measurements', () => {
    const chart = emptyChart({
      observations: [observation('w', '29463-7', '2026-11-28', quantity(80, 'kg')), observation('h', '8302-2', '2026-11-28', quantity(180, 'cm'))],
    });
    const bsa = bodyFacts(chart, catalog, SERVICE).bodySurfaceArea;
    expect(bsa.value).toBe(2);
    expect(bsa.evidence.map((e) => e.reference)).toEqual(['Observation/h', 'Observation/w']);
    expect(mosteller(175, 70)).toBeCloseTo(1.8447, 4);
  });

  it('keeps the Mosteller BSA unrounded for the dose check and shows it to four decimals, not as a misleading 1.80', () => {
    // 170 cm × 68.57 kg: √(11656.9 / 3600) = 1.79945 m², shown as 1.7995 m² (a charted 1.80 m² stays 1.80)
    const chart = emptyChart({
      observations: [observation('w', '29463-7', '2026-11-28', quantity(68.57, 'kg')), observation('h', '8302-2', '2026-11-28', quantity(170, 'cm'))],
    });
    const bsa = bodyFacts(chart, catalog, SERVICE).bodySurfaceArea;
    expect(bsa.value).toBeCloseTo(1.79945, 5);
    expect(bsa.value).toBeLessThan(1.8);
    expect(bsa.evidence.at(-1)?.text).toContain('BSA 1.7995 m² by Mosteller');
  });

  it('prefers a documented BSA over the computed one', () => {
    const chart = emptyChart({
      observations: [
        observation('w', '29463-7', '2026-11-28', quantity(80, 'kg')),
        observation('h', '8302-2', '2026-11-28', quantity(180, 'cm')),
        observation('bsa', '8277-6', '2026-11-29', quantity(1.95, 'm2')),
      ],
    });
    const bsa = bodyFacts(chart, catalog, SERVICE).bodySurfaceArea;
    expect(bsa.value).toBe(1.95);
    expect(bsa.evidence[0]?.reference).toBe('Observation/bsa');
  });

  it('uses only the most recent measurement within 30 days before the service date', () => {
    const chart = emptyChart({
      observations: [
        observation('old', '29463-7', '2026-10-01', quantity(90, 'kg')),
        observation('recent', '29463-7', '2026-11-25', quantity(72, 'kg')),
        observation('older-in-window', '29463-7', '2026-11-05', quantity(74, 'kg')),
        observation('after', '29463-7', '2026-12-05', quantity(60, 'kg')),
      ],
    });
    expect(bodyFacts(chart, catalog, SERVICE).weightKg.value).toBe(72);
    const stale = emptyChart({ observations: [observation('old', '29463-7', '2026-10-01', quantity(90, 'kg'))] });
    const weight = bodyFacts(stale, catalog, SERVICE).weightKg;
    expect(weight.value).toBeNull();
    expect(weight.unknownReason).toContain('30 days');
    expect(bodyFacts(stale, catalog, SERVICE).bodySurfaceArea.value).toBeNull();
  });

  it('says why when observations could not be fetched', () => {
    const chart = emptyChart({ unavailable: [{ what: 'Observations', key: 'observations', reason: 'timeout' }] });
    expect(bodyFacts(chart, catalog, SERVICE).weightKg.unknownReason).toBe('Observations: not available (timeout)');
  });
});
