/**
 * Orders with several dose lines (day-specific doses) and a total per cycle, through HTTP on the analyst test policy
 * `bcbsnc-inotuzumab-cycle-total` (test/fixtures/analyst-data): what the clinician reads on the dose card, and that
 * no one-click fix rewrites one line of a several-line order.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { Card, HookResponse } from '../../src/protocol/types.js';
import { serviceApp } from '../support/service-app.js';

const ROOT = 'test/fixtures/analyst-data';
const app = serviceApp({ ...defaultConfig({}), policiesDir: `${ROOT}/policies`, catalogDir: 'catalog' });

async function cards(scenario: string): Promise<Card[]> {
  const body: unknown = JSON.parse(readFileSync(`${ROOT}/scenarios/bcbsnc-inotuzumab-cycle-total/${scenario}.json`, 'utf8'));
  const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(body as object);
  expect(res.status).toBe(200);
  return (res.body as HookResponse).cards;
}

const limitsCard = (all: Card[]): Card | undefined => all.find((c) => c.source.topic?.code === 'limits');

describe('several dose lines and a total per cycle', () => {
  it('0.8 mg/m² on day 1 and 0.5 mg/m² on days 8 and 15 is within 1.8 mg/m² per cycle: no limits card', async () => {
    expect(limitsCard(await cards('cycle-1-label-doses-within-total'))).toBeUndefined();
  });

  it('days 8 and 15 at the day-1 dose: the card adds the lines up, states the covered total and offers no one-click fix', async () => {
    const card = limitsCard(await cards('cycle-1-days-8-15-at-day-1-dose-over-total'));
    expect(card?.summary).toContain('total dose per cycle');
    expect(card?.detail).toContain('0.8 mg/m² × 1 + 0.8 mg/m² × 2 = 2.4 mg/m² per cycle');
    expect(card?.detail).toContain('up to 1.8 mg/m² in total per cycle');
    expect(card?.detail).toContain('at most **1.8 mg/m² per cycle**');
    expect(card?.detail).toContain('lowered in more than one way');
    expect(card?.suggestions ?? []).toEqual([]);
  });

  it('a day-1 dose above the per-dose cap of a two-line order: the covered maximum per line, and why there is no one-click fix', async () => {
    const card = limitsCard(await cards('cycle-1-day-1-dose-above-cap'));
    expect(card?.summary).toMatch(/dose above .* limit/);
    expect(card?.detail).toContain('1 mg/m² × 1 + 0.4 mg/m² × 2 = 1.8 mg/m² per cycle');
    expect(card?.detail).toContain('change each dose line to at most');
    expect(card?.detail).toContain('the order has 2 dose lines');
    expect(card?.suggestions ?? []).toEqual([]);
  });

  it('a weekly line with no count: the total cannot be checked, and the card says what to state on the order', async () => {
    const all = await cards('cycle-1-line-count-not-stated');
    expect(limitsCard(all)).toBeUndefined();
    const coverage = all.find((c) => c.source.topic?.code === 'coverage-info');
    expect(coverage?.detail).toContain('State how many times each dose line is given');
    expect(coverage?.detail).toContain('timing.repeat.count');
  });
});
