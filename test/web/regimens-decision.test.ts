/**
 * 002 §5.d end to end: HTTP in (order-sign), cards and coverage-information out, and the decision page behind the card
 * shows the regimen reading — the induction line as a named regimen with its dates, the requested regimen, the relapse
 * interval — or why it is not documented.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Extension, MedicationRequest } from 'fhir/r4.js';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { runEvaluate } from '../../scripts/lib/evaluate-run.js';
import { serviceApp } from '../support/service-app.js';

const SIGN = '/cds-services/oncology-pa-order-sign';
const COVERAGE_INFO = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';
const app = serviceApp();

function scenario(name: string): HookRequest {
  return JSON.parse(readFileSync(`fhir-resources/scenarios/centene-ixazomib/${name}.json`, 'utf8')) as HookRequest;
}

async function sign(name: string): Promise<{ body: HookResponse; covered: string | undefined; page: string; topics: string[] }> {
  const res = await request(app).post(SIGN).send(scenario(name));
  expect(res.status).toBe(200);
  const body = res.body as HookResponse;
  const resource = body.systemActions?.[0]?.resource as MedicationRequest | undefined;
  const info = resource?.extension?.find((e) => e.url === COVERAGE_INFO);
  const covered = (info?.extension ?? []).find((e: Extension) => e.url === 'covered')?.valueCode;
  const url = body.cards.find((c) => (c.links ?? []).length > 0)?.links?.[0]?.url ?? '';
  expect(url).toMatch(/\/decisions\/[A-Za-z0-9_-]{24}$/);
  const page = await request(app).get(new URL(url).pathname);
  expect(page.status).toBe(200);
  return { body, covered, page: page.text, topics: body.cards.map((c) => c.source.topic?.code ?? '') };
}

describe('002 §5.d: the requested regimen against the induction regimen', () => {
  it('ixazomib + pomalidomide + dexamethasone after VRd: not the same regimen, not covered; the page names both regimens', async () => {
    const { covered, page, topics } = await sign('mm-5d-relapse-ipd-not-induction-regimen');
    expect(covered).toBe('not-covered');
    expect(topics).toEqual(['off-guideline']);
    expect(page).toContain('Line 1 2024-01-08 to 2024-12-31: VRd (bortezomib, lenalidomide, dexamethasone)');
    expect(page).toContain('Requested regimen: IPd (ixazomib, pomalidomide, dexamethasone)');
  });

  it('ixazomib + dexamethasone only after VRd: the dexamethasone is no component of a regimen with ixazomib alone; not covered', async () => {
    const { covered, page } = await sign('mm-wrong-partners-dex-only-second-line');
    expect(covered).toBe('not-covered');
    expect(page).toContain('Requested regimen: ixazomib: no catalog regimen; dexamethasone with it is premedication or supportive care, not a component');
  });

  it('IRd after VRd with relapse at 21 months: covered; the page shows the relapse interval', async () => {
    const { covered, page } = await sign('mm-5d-relapse-ird-after-vrd-induction');
    expect(covered).toBe('covered');
    expect(page).toContain('Progression 2026-10-20: relapse 21 whole calendar months after the induction ended 2024-12-31');
  });

  it('relapse 4 months after the induction: covered under 5.a (the page shows what matched); npm run evaluate shows 5.d not met with its dates', async () => {
    const { covered, page } = await sign('mm-5d-relapse-4-months-after-induction');
    expect(covered).toBe('covered');
    expect(page).toContain('With lenalidomide or cyclophosphamide');
    const out = await runEvaluate({ file: 'fhir-resources/scenarios/centene-ixazomib/mm-5d-relapse-4-months-after-induction.json', policiesDir: 'policies', catalogDir: 'catalog', json: false });
    const trace = out.lines.join('\n');
    expect(trace).toMatch(/✗ ia-5d-relapse-6-months: .* = 4 → not-met .*"Progression 2026-10-20: relapse 4 whole calendar months after the induction ended 2026-06-15"/);
    expect(trace).toContain('"Line 1 2025-07-07 to 2026-06-15: VRd (bortezomib, lenalidomide, dexamethasone)"');
  });

  it('no induction in the chart: conditional, and the page says the induction regimen is not documented', async () => {
    const { covered, page, topics } = await sign('mm-5d-relapse-induction-not-in-chart');
    expect(covered).toBe('conditional');
    expect(topics).toEqual(['coverage-info']);
    expect(page).toContain('the induction regimen is not documented');
  });
});
