/**
 * Response categories read from coded results, through HTTP on the analyst test policy `centene-blinatumomab-mrd`
 * (test/fixtures/analyst-data): what the clinician reads when a marrow is coded in SNOMED CT rather than worded.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { Card, HookResponse } from '../../src/protocol/types.js';
import { serviceApp } from '../support/service-app.js';

const ROOT = 'test/fixtures/analyst-data';
const app = serviceApp({ ...defaultConfig({}), policiesDir: `${ROOT}/policies`, catalogDir: 'catalog' });

async function cards(name: string): Promise<Card[]> {
  const body: unknown = JSON.parse(readFileSync(`${ROOT}/scenarios/centene-blinatumomab-mrd/${name}.json`, 'utf8'));
  const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(body as object);
  expect(res.status).toBe(200);
  return (res.body as HookResponse).cards;
}

describe('response categories from codes', () => {
  it('a remission coded SNOMED CT 103338009, then a status coded stable: in CR, nothing left to record', async () => {
    const [coverage, ...others] = await cards('coded-remission-then-stable-mrd-positive');
    expect(others).toEqual([]);
    expect(coverage?.summary).toBe('Prior authorization required for Blincyto (Centene)');
    expect(coverage?.detail).toContain('✓ Meets **MRD-positive ALL in CR or CRi, neutrophils recovered**');
  });

  it('a marrow coded worsened (271299001): not covered, the card names the code as the evidence', async () => {
    const all = await cards('coded-disease-worsened');
    const card = all.find((c) => c.source.topic?.code === 'off-guideline');
    expect(card?.detail).toContain("Not met: In CR or CRi — Response PD (coded SNOMED CT 271299001 Patient's condition worsened (finding))");
  });

  it('"improved" (268910001) alone: the card asks for the bone-marrow report and says why the code does not settle it', async () => {
    const [coverage] = await cards('coded-improved-category-not-stated');
    expect(coverage?.summary).toContain('record 1 item');
    expect(coverage?.detail).toContain('Not documented: In CR or CRi');
    expect(coverage?.detail).toContain('"improved" does not say which response (CR or PR)');
    expect(coverage?.detail).toContain('Bone-marrow report with the response category');
  });
});
