/**
 * What the clinician sees of the lineage and BSA readings (issue 15): HTTP in, the card and its decision page out,
 * on the shipped scenarios. The evidence names the immunophenotype that decided lineage, the conflict that left it
 * open, the disagreement a coded diagnosis overruled, and the BSA rounded only for display.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { serviceApp } from '../support/service-app.js';

const SIGN = '/cds-services/oncology-pa-order-sign';
const app = serviceApp();

async function sign(name: string): Promise<HookResponse> {
  const res = await request(app).post(SIGN).send(JSON.parse(readFileSync(`fhir-resources/scenarios/${name}.json`, 'utf8')) as HookRequest);
  expect(res.status).toBe(200);
  return res.body as HookResponse;
}

async function decisionPage(body: HookResponse): Promise<string> {
  const url = body.cards.flatMap((c) => c.links ?? []).find((l) => l.url.includes('/decisions/'))?.url;
  if (url === undefined) {
    const info = body.systemActions?.[0]?.resource as { extension?: Array<{ extension?: Array<{ url: string; extension?: Array<{ url: string; valueUrl?: string }> }> }> } | undefined;
    const fromAction = info?.extension?.flatMap((e) => e.extension ?? []).flatMap((e) => e.extension ?? []).find((e) => e.valueUrl?.includes('/decisions/'))?.valueUrl;
    if (fromAction === undefined) throw new Error('no decision page link');
    return (await request(app).get(new URL(fromAction).pathname)).text;
  }
  return (await request(app).get(new URL(url).pathname)).text;
}

describe('lineage evidence', () => {
  it('T-lineage from flow cytometry: the off-guideline card cites the immunophenotype that rules blinatumomab out', async () => {
    const body = await sign('bsc-blinatumomab/lineage-immunophenotype-t-cell-not-covered');
    expect(body.cards.map((c) => c.source.topic?.code)).toEqual(['off-guideline']);
    expect(body.cards[0]?.detail).toContain('T-lineage ALL (immunophenotype cytoplasmic CD3 positive; CD19, CD79a, CD22 negative), Observation 2026-02-09');
  });

  it('a mixed phenotype: the decision page shows why lineage was left to the policy reading', async () => {
    const page = await decisionPage(await sign('bsc-blinatumomab/lineage-immunophenotype-mixed-phenotype-reading'));
    expect(page).toContain('B-lineage CD19, CD79a and T-lineage cytoplasmic CD3 both positive (mixed phenotype)');
  });

  it('a coded B-cell ALL outranks a T-reading flow report, and the page says so', async () => {
    const page = await decisionPage(await sign('bcbsnc-inotuzumab/lineage-snomed-b-all-over-t-cell-flow'));
    expect(page).toContain('B-cell precursor ALL (coded SNOMED CT 277571004); the immunophenotype (Observation 2026-02-09) reads T-lineage ALL; the coded diagnosis outranks it');
  });
});

describe('leukaemia state evidence', () => {
  it('remission coded only in SNOMED CT: the decision page shows the concept behind the inferred maintenance phase', async () => {
    const body = await sign('bsc-blinatumomab/state-snomed-remission-phase-inferred-maintenance');
    expect(body.cards.map((c) => c.source.topic?.code)).toEqual(['coverage-info']);
    const page = await decisionPage(body);
    expect(page).toContain('Treatment phase inferred as maintenance (not stated on the order): disease in remission, POMP maintenance drugs ordered or active');
    expect(page).toContain('Disease in remission (SNOMED CT 91856007)');
  });
});

describe('lineage audit: codes and flow reports as charted', () => {
  it('ICD-O-3.2 9819/3 (B-lymphoblastic, BCR-ABL1-like) documents B-cell precursor ALL on the decision page', async () => {
    const page = await decisionPage(await sign('bsc-blinatumomab/lineage-icd-o-3-9819-bcr-abl1-like-covered'));
    expect(page).toContain('B-cell precursor ALL (coded ICD-O-3 9819/3)');
  });

  it('a T-ALL flow report with surface CD3 negative and cytoplasmic CD3 positive is T-lineage, cited on the off-guideline card', async () => {
    const body = await sign('bsc-blinatumomab/lineage-flow-surface-cd3-negative-t-cell-not-covered');
    expect(body.cards.map((c) => c.source.topic?.code)).toEqual(['off-guideline']);
    expect(body.cards[0]?.detail).toContain('T-lineage ALL (immunophenotype cytoplasmic CD3 positive; CD19, CD79a negative)');
  });
});

describe('BSA shown as compared', () => {
  it('checks 1.79945 m² and shows 1.7995 m², so the numbers a clinician divides agree: 72 mg is over 40 mg/m², the fix is 71.9 mg', async () => {
    const body = await sign('bsc-ixabepilone/bsa-computed-1-7995-shown-1-80-72-mg-over');
    const limits = body.cards.find((c) => c.source.topic?.code === 'limits');
    // before: "72 mg (40.01 mg/m² at BSA 1.80 m²)", and 72 / 1.80 is 40.00, not over
    expect(limits?.summary).toContain('72 mg (40.01 mg/m² at BSA 1.7995 m²)');
    const [mg, perM2, bsa] = [...(limits?.summary ?? '').matchAll(/(\d+(?:\.\d+)?) (?:mg|m²)/g)].map((m) => Number(m[1]));
    expect(Math.round(((mg ?? 0) / (bsa ?? 1)) * 100) / 100).toBe(perM2);
    expect(limits?.suggestions?.[0]?.label).toBe('Change to 71.9 mg');
    expect(limits?.summary).not.toContain('1.80 m²');
  });

  it('a charted BSA keeps its two decimals', async () => {
    const body = await sign('bsc-ixabepilone/dose-90-mg-over');
    expect(body.cards.find((c) => c.source.topic?.code === 'limits')?.summary).toMatch(/at BSA \d\.\d\d m²/);
  });
});
