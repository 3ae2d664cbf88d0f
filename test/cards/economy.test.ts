/**
 * What a clinician reads, over every shipped scenario (fhir-resources/scenarios, enumerated): a single-order signing
 * shows at most two cards by default, the median card stays under 900 characters and none exceeds 2,000, no line
 * repeats, every unit has one spelling, and no placeholder shows. `npm run cards:measure` prints the same numbers.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/pipeline.js';
import { parseCardConfiguration } from '../../src/protocol/crd-configuration.js';
import { listScenarios, measure, readScenario, shippedDecisionDeps, summarise, type SigningMeasure } from '../../scripts/lib/card-metrics.js';

const deps = shippedDecisionDeps();
const scenarios = listScenarios();

async function sign(file: string): Promise<{ measure: SigningMeasure; orders: number }> {
  const request = readScenario(file);
  const decision = await decide(
    request,
    { service: 'oncology-pa-order-sign', configuration: parseCardConfiguration(request.extension), baseUrl: 'http://localhost' },
    deps,
  );
  return { measure: measure(file, decision.result.response), orders: decision.orders.length };
}

describe('card economy over every shipped scenario', () => {
  it('finds scenarios to measure', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  it('≤ 2 cards per single-order signing, median < 900 and max ≤ 2,000 characters, no repeated line, one spelling per unit, no placeholder', async () => {
    const measures: SigningMeasure[] = [];
    for (const s of scenarios) {
      const { measure: m, orders } = await sign(s.file);
      measures.push(m);
      if (orders === 1) expect({ scenario: m.scenario, cards: m.cards }).toEqual({ scenario: m.scenario, cards: Math.min(m.cards, 2) });
      expect({ scenario: m.scenario, over2000: m.characters.filter((c) => c > 2000) }).toEqual({ scenario: m.scenario, over2000: [] });
      expect({ scenario: m.scenario, repeated: m.repeated }).toEqual({ scenario: m.scenario, repeated: [] });
      expect({ scenario: m.scenario, mixed: m.mixed }).toEqual({ scenario: m.scenario, mixed: [] });
      expect({ scenario: m.scenario, placeholders: m.placeholders }).toEqual({ scenario: m.scenario, placeholders: [] });
    }
    const summary = summarise(measures);
    expect(summary.characters.median).toBeLessThan(900);
    expect(summary.characters.max).toBeLessThanOrEqual(2000);
  });
});

describe('the measures themselves', () => {
  const card = (summary: string, detail: string) => ({ uuid: 'u', summary, detail, indicator: 'info' as const, source: { label: 'x' } });

  it('catch a line repeated across cards, mixed unit spellings and placeholders', () => {
    const m = measure('x', {
      cards: [card('Dose above limit: 56 ug vs up to 28 mcg/day', '**Ordered:** —\n\n- Treatment phase: consolidation stated'), card('PA', '- Treatment phase: consolidation stated\n\nBSA 1.77 m2 and 20 mg/m²')],
    });
    expect(m.repeated).toEqual(['treatment phase: consolidation stated']);
    expect(new Set(m.mixed)).toEqual(new Set(['m²', 'mcg']));
    expect(m.placeholders.length).toBeGreaterThan(0);
  });
});
