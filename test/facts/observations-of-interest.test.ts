/**
 * Observations no fact can read (routine labs) are skipped by the FHIR type check, once their code is seen to be
 * well formed and on no fact list. That is safe only while facts find Observations solely through the catalog's
 * fact lists; these tests hold that invariant on every shipped scenario, and show what the client sees over HTTP.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, Observation } from 'fhir/r4.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts, isObservationOfInterest } from '../../src/facts/index.js';
import { gatherChart } from '../../src/gather/index.js';
import type { GatheredChart } from '../../src/gather/types.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { syntheticChart } from '../../scripts/lib/synthetic-chart.js';
import { SCENARIOS_DIR, scenarioRequests } from '../support/scenarios.js';
import { serviceApp } from '../support/service-app.js';

const catalog = loadCatalog();
const ROOT = SCENARIOS_DIR;
const SERVICE_DATE_TODAY = '2026-11-23';

/** A haemoglobin result of the chart's patient: no policy reads it. */
function routineLab(patientId: string, i: number): Observation {
  return {
    resourceType: 'Observation',
    id: `routine-hgb-${i}`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: `2026-0${1 + (i % 9)}-1${i % 10}`,
    valueQuantity: { value: 11 + i / 10, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
  };
}

function withObservations(chart: GatheredChart, observations: Observation[]): GatheredChart {
  return { ...chart, observations };
}

describe('isObservationOfInterest', () => {
  const { facts, systems } = catalog.observations;
  const weight = facts.bodyWeight.loinc?.[0] ?? '';
  const obs = (...codings: Array<{ system?: string; code?: string }>): Observation => ({ resourceType: 'Observation', status: 'final', code: { coding: codings } });

  it('says yes for a code on any fact list, written as facts read it (system and spacing normalised)', () => {
    expect(isObservationOfInterest(obs({ system: systems.loinc, code: weight }), catalog.observations)).toBe(true);
    expect(isObservationOfInterest(obs({ system: 'https://LOINC.org/', code: ` ${weight} ` }), catalog.observations)).toBe(true);
    expect(isObservationOfInterest(obs({ system: systems.loinc, code: '718-7' }, { system: systems.loinc, code: weight }), catalog.observations)).toBe(true);
  });

  it('says no for a routine lab, a code in another system, and no code', () => {
    expect(isObservationOfInterest(obs({ system: systems.loinc, code: '718-7' }), catalog.observations)).toBe(false);
    expect(isObservationOfInterest(obs({ system: 'http://example.org/local', code: weight }), catalog.observations)).toBe(false);
    expect(isObservationOfInterest({ resourceType: 'Observation', status: 'final', code: {} }, catalog.observations)).toBe(false);
  });
});

describe('facts never read an Observation outside the fact lists', () => {
  it('every scenario: the same facts with those Observations removed, and with routine labs added', async () => {
    let compared = 0;
    for (const { path: name, request: hookRequest } of scenarioRequests()) {
      const chart = await gatherChart(hookRequest, { deadlineMs: 200 }).catch(() => undefined);
      if (chart === undefined) continue;
      const ofInterest = chart.observations.filter((o) => isObservationOfInterest(o, catalog.observations));
      const labs = Array.from({ length: 30 }, (_, i) => routineLab(chart.patientId, i));
      for (const order of chart.draftOrders) {
        const facts = buildFacts(chart, order, catalog, SERVICE_DATE_TODAY);
        expect(buildFacts(withObservations(chart, ofInterest), order, catalog, SERVICE_DATE_TODAY), name).toEqual(facts);
        expect(buildFacts(withObservations(chart, [...labs, ...chart.observations, ...labs]), order, catalog, SERVICE_DATE_TODAY), name).toEqual(facts);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('the benchmark chart: hundreds of routine labs removed, the same facts', async () => {
    const chart = await gatherChart(syntheticChart(500, {}).request as unknown as HookRequest, { deadlineMs: 200 });
    const ofInterest = chart.observations.filter((o) => isObservationOfInterest(o, catalog.observations));
    expect(chart.observations.length - ofInterest.length).toBeGreaterThan(300);
    for (const order of chart.draftOrders) {
      expect(buildFacts(withObservations(chart, ofInterest), order, catalog, SERVICE_DATE_TODAY)).toEqual(buildFacts(chart, order, catalog, SERVICE_DATE_TODAY));
    }
  });
});

describe('over HTTP: the type check skips a routine lab, not a malformed code', () => {
  const scenario = JSON.parse(readFileSync(`${ROOT}/bsc-ixabepilone/bsa-computed-kg-cm.json`, 'utf8')) as HookRequest;
  const patientId = scenario.context.patientId;

  function withLab(lab: Record<string, unknown>): HookRequest {
    const copy = structuredClone(scenario);
    const bundle = copy.prefetch?.['observations'] as Bundle;
    bundle.entry = [...(bundle.entry ?? []), { resource: lab as unknown as Observation }];
    return copy;
  }

  async function post(body: HookRequest): Promise<request.Response> {
    return request(serviceApp()).post('/cds-services/oncology-pa-order-sign').set('Content-Type', 'application/json').send(body);
  }

  it('a malformed value on a routine lab does not fail the signing, and the cards are the same', async () => {
    const clean = await post(scenario);
    const lab = { ...routineLab(patientId, 1), valueQuantity: { value: '11.2' } };
    const res = await post(withLab(lab));
    expect(res.status).toBe(200);
    const kinds = (r: request.Response): string[] => (r.body as { cards: Array<{ summary: string }> }).cards.map((c) => c.summary);
    expect(kinds(res)).toEqual(kinds(clean));
  });

  it('a code sent as one coding instead of a list on a routine lab is read as a list: the same cards', async () => {
    const clean = await post(scenario);
    const lab = { ...routineLab(patientId, 1), code: { coding: { system: 'http://loinc.org', code: '718-7' } } };
    const res = await post(withLab(lab));
    expect(res.status).toBe(200);
    const kinds = (r: request.Response): string[] => (r.body as { cards: Array<{ summary: string }> }).cards.map((c) => c.summary);
    expect(kinds(res)).toEqual(kinds(clean));
  });

  it('the same malformed value on an Observation a fact reads is set aside and named on the answer', async () => {
    const weight = { ...routineLab(patientId, 1), code: { coding: [{ system: 'http://loinc.org', code: catalog.observations.facts.bodyWeight.loinc?.[0] }] }, valueQuantity: { value: '70' } };
    const res = await post(withLab(weight));
    expect(res.status).toBe(200);
    const details = (res.body as { cards: Array<{ detail?: string }> }).cards.map((c) => c.detail ?? '').join('\n');
    expect(details).toMatch(/could not be read: valueQuantity\.value is not a number \(FHIR decimal\)/);
  });
});
