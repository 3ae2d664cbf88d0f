/**
 * A total dose per course, through HTTP on the analyst test policy `centene-inotuzumab-course-total`
 * (test/fixtures/analyst-data): a patient's earlier inotuzumab cycles (with premedication and an earlier hyper-CVAD
 * line in the chart) are added to the order's doses; what the clinician reads on the dose card, the one-click fix only
 * where one dose makes it exact, and what to record when an earlier cycle cannot be read.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, MedicationRequest } from 'fhir/r4.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { Card, HookRequest, HookResponse } from '../../src/protocol/types.js';
import { serviceApp } from '../support/service-app.js';

const ROOT = 'test/fixtures/analyst-data';
const app = serviceApp({ ...defaultConfig({}), policiesDir: `${ROOT}/policies`, catalogDir: 'catalog' });
type Scenario = HookRequest & { prefetch: { medicationRequests: Bundle } };

const scenario = (name: string): Scenario => JSON.parse(readFileSync(`${ROOT}/scenarios/centene-inotuzumab-course-total/${name}.json`, 'utf8')) as Scenario;

async function cards(body: Scenario): Promise<Card[]> {
  const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(body);
  expect(res.status).toBe(200);
  return (res.body as HookResponse).cards;
}

const limitsCard = (all: Card[]): Card | undefined => all.find((c) => c.source.topic?.code === 'limits');

describe('a total dose per course', () => {
  it('within the course total (4.8 and exactly 5.4 mg/m²), and a new course after a long pause: no limits card', async () => {
    expect(limitsCard(await cards(scenario('cycle-3-under-course-total')))).toBeUndefined();
    expect(limitsCard(await cards(scenario('cycle-3-at-course-total')))).toBeUndefined();
    expect(limitsCard(await cards(scenario('new-course-after-long-pause')))).toBeUndefined();
  });

  it('orders of the drug signed together count together: days 1, 8 and 15 as three single-dose orders (5.3 each alone) are over at 6.3', async () => {
    const all = await cards(scenario('cycle-4-days-1-8-15-as-three-orders-over'));
    const limits = all.filter((c) => c.source.topic?.code === 'limits');
    expect(limits).toHaveLength(3);
    const day1 = limits.find((c) => c.detail?.includes('draft-ino-day-8 signed together'));
    expect(day1?.detail).toContain('0.5 mg/m², making 6.3 mg/m² in the course since 2026-09-08 with 1.8 mg/m² given');
    expect(day1?.detail).toContain('+ 0.5 mg/m² ordered with it (1 dose 2026-12-08, order MedicationRequest/draft-ino-day-8 signed together)');
    // not "the course has already received" its total: 4.8 was given, the rest is this signing
    expect(day1?.detail).toContain('with the doses already given and the orders of this drug signed with it, the course reaches its covered **5.4 mg/m²**');
    expect(day1?.detail).not.toContain('already received');
  });

  it('over it: the card shows the running total, the earlier orders it is made of, and what remains; no one-click fix for three doses', async () => {
    const card = limitsCard(await cards(scenario('cycle-4-over-course-total')));
    expect(card?.summary).toContain('total dose per course');
    expect(card?.detail).toContain('0.5 mg/m² × 3 = 1.5 mg/m², making 6.3 mg/m² in the course since 2026-09-08');
    expect(card?.detail).toContain('1.8 mg/m² given (3 doses 2026-09-08 to 2026-09-22, order MedicationRequest/ino-c1)');
    expect(card?.detail).toContain('1.5 mg/m² given (3 doses 2026-11-03 to 2026-11-17, order MedicationRequest/ino-c3)');
    expect(card?.detail).toContain('up to 5.4 mg/m² in total per course (a pause of more than 42 days starts a new course)');
    expect(card?.detail).toContain('at most **0.6 mg/m²**');
    expect(card?.detail).not.toContain('dex-premed');
    expect(card?.suggestions ?? []).toEqual([]);
  });

  it('one dose over what remains: the one-click fix sets the room left for this BSA, rounded down, and passes when signed again', async () => {
    const card = limitsCard(await cards(scenario('cycle-3-day-15-over-course-total-fix')));
    expect(card?.detail).toContain('0.8 mg/m², making 5.7 mg/m² in the course since 2026-09-22');
    expect(card?.detail).toContain('change the order to **0.9 mg**');
    const fixed = card?.suggestions?.[0]?.actions?.[0]?.resource as MedicationRequest | undefined;
    expect(fixed?.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity).toMatchObject({ value: 0.9, code: 'mg' });
    expect(fixed?.dosageInstruction?.[0]?.text).toBe('Inotuzumab 0.9 mg IV cycle 3 day 15');
  });

  it('a course already at its total: no dose is covered until a new course, and the card says so', async () => {
    const body = scenario('cycle-4-over-course-total');
    // a fourth cycle already given (0.5 mg/m² × 3 on 2026-11-10, 17, 24) brings the course to 6.3 before this order
    const earlier = body.prefetch.medicationRequests.entry?.find((e) => e.resource?.id === 'ino-c3')?.resource as MedicationRequest;
    const extra: MedicationRequest = { ...structuredClone(earlier), id: 'ino-c3b' };
    extra.dosageInstruction![0]!.timing!.repeat!.boundsPeriod = { start: '2026-11-10' };
    body.prefetch.medicationRequests.entry?.push({ fullUrl: 'urn:uuid:8d1f0c0e-3f0e-4c55-9c2e-7e0f3b9d2a10', resource: extra });
    const card = limitsCard(await cards(body));
    expect(card?.detail).toContain('the course has already received its covered **5.4 mg/m²**');
    expect(card?.detail).toContain('a pause of more than 42 days starts a new course');
    expect(card?.suggestions ?? []).toEqual([]);
  });

  it('an earlier cycle whose doses cannot be read: not checked, and the coverage card names the order and what to record', async () => {
    const all = await cards(scenario('earlier-cycle-dose-unreadable'));
    expect(limitsCard(all)).toBeUndefined();
    const coverage = all.find((c) => c.source.topic?.code === 'coverage-info');
    expect(coverage?.summary).toContain('record 1 item');
    expect(coverage?.detail).toContain('doses already given in this course');
    expect(coverage?.detail).toContain('MedicationRequest/ino-c2 (2026-11-03): how many times it was given is not stated');
    expect(coverage?.detail).toContain('MedicationAdministration with dose and date');
  });

  it('the policy page states the limit with the pause that ends a course', async () => {
    const res = await request(app).get('/policies/centene-inotuzumab-course-total').set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.text).toContain('in total up to 5.4 mg/m² per course (a pause of more than 42 days starts a new course)');
  });
});
