/**
 * A policy states how it counts lines (`lineCounting`), and that reading is what the service applies when it
 * evaluates that policy: the same chart, signed against a copy of 000 whose reading differs, gets another line and
 * another answer (HTTP in, coverage-information out). The checker refuses readings that say nothing or contradict
 * themselves.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Extension, MedicationRequest } from 'fhir/r4.js';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { defaultConfig } from '../../src/config.js';
import { decide, lineCountingOf } from '../../src/pipeline.js';
import { knownIdsOf, loadPolicies } from '../../src/policy/index.js';
import { checkPolicyFile } from '../../src/policy/load.js';
import type { Policy, PolicyLineCounting } from '../../src/policy/types.js';
import { parseCardConfiguration } from '../../src/protocol/crd-configuration.js';
import type { HookRequest, HookResponse } from '../../src/protocol/types.js';
import { SHIPPED } from '../support/policy-data.js';
import { serviceApp } from '../support/service-app.js';

const POLICY = 'bsc-ixabepilone';
const COVERAGE_INFO = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';
const FOURTH_LINE = 'bsc-ixa-2b-4th-plus-from-20231030';
const shipped = JSON.parse(readFileSync(join(SHIPPED.policies, `${POLICY}.json`), 'utf8')) as Policy;
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** The shipped policies, with 000's reading replaced. */
function policiesWith(reading: PolicyLineCounting): string {
  const root = mkdtempSync(join(tmpdir(), 'line-counting-'));
  roots.push(root);
  cpSync(SHIPPED.policies, root, { recursive: true });
  writeFileSync(join(root, `${POLICY}.json`), JSON.stringify({ ...shipped, lineCounting: reading }, null, 2));
  return root;
}

function scenario(name: string): HookRequest {
  return JSON.parse(readFileSync(join(SHIPPED.scenarios, POLICY, `${name}.json`), 'utf8')) as HookRequest;
}

/** `covered` of the coverage-information on the one system action. */
function coveredOf(body: HookResponse): string | undefined {
  const order = body.systemActions?.[0]?.resource as MedicationRequest | undefined;
  const info = order?.extension?.find((e) => e.url === COVERAGE_INFO);
  return info?.extension?.find((e: Extension) => e.url === 'covered')?.valueCode;
}

async function sign(policiesDir: string, name: string): Promise<{ covered: string | undefined; fourthLine: string | undefined; lineEvidence: string[] }> {
  const app = serviceApp({ policiesDir });
  const hook = scenario(name);
  const res = await request(app).post('/cds-services/oncology-pa-order-sign').send(hook).expect(200);
  const catalog = loadCatalog();
  const decision = await decide(hook, { service: 'oncology-pa-order-sign', configuration: parseCardConfiguration(hook.extension), baseUrl: 'http://localhost' }, {
    catalog,
    policies: loadPolicies(policiesDir, knownIdsOf(catalog)),
    gather: {},
    payerSubmissionUrls: {},
  });
  const facts = decision.orders[0]?.facts;
  const walk = (n: { id: string; status: string; children?: unknown[] }): string | undefined =>
    n.id === FOURTH_LINE ? n.status : (n.children as Array<{ id: string; status: string; children?: unknown[] }> | undefined)?.map(walk).find((s) => s !== undefined);
  const fourthLine = decision.orders[0]?.evaluation?.indications.map((i) => walk(i.criteria as { id: string; status: string })).find((s) => s !== undefined);
  return { covered: coveredOf(res.body as HookResponse), fourthLine, lineEvidence: facts?.therapy.priorLines.evidence.map((e) => e.text ?? '') ?? [] };
}

describe('the policy’s line-counting reading is applied when that policy is evaluated', () => {
  it('the shipped reading (advanced, 12 months): relapse 4 months after adjuvant AC→THP counts the course, fourth line, covered', async () => {
    expect(shipped.lineCounting).toEqual({ setting: 'advanced', earlyRelapseMonths: 12, source: expect.any(String) });
    const result = await sign(SHIPPED.policies, 'her2pos-adjuvant-early-relapse-4th-line');
    expect(result).toMatchObject({ covered: 'covered', fourthLine: 'met' });
    expect(result.lineEvidence.some((t) => t.includes('within 12 months of it counts it as a line'))).toBe(true);
  });

  it('earlyRelapseMonths 0: the adjuvant course never counts, the same chart is third line, not covered', async () => {
    const result = await sign(policiesWith({ setting: 'advanced', earlyRelapseMonths: 0 }), 'her2pos-adjuvant-early-relapse-4th-line');
    expect(result).toMatchObject({ covered: 'not-covered', fourthLine: 'not-met' });
    expect(result.lineEvidence.some((t) => t.includes('not a line for advanced disease'))).toBe(true);
  });

  it('earlyRelapseMonths 24: relapse 700 days after the adjuvant course now counts it, fourth line, covered', async () => {
    const shippedAnswer = await sign(SHIPPED.policies, 'her2pos-adjuvant-ac-th-thp-then-metastatic-3rd-line');
    expect(shippedAnswer).toMatchObject({ covered: 'not-covered', fourthLine: 'not-met' });
    const result = await sign(policiesWith({ setting: 'advanced', earlyRelapseMonths: 24 }), 'her2pos-adjuvant-ac-th-thp-then-metastatic-3rd-line');
    expect(result).toMatchObject({ covered: 'covered', fourthLine: 'met' });
    expect(result.lineEvidence.some((t) => t.includes('within 24 months of it counts it as a line'))).toBe(true);
  });

  it('setting any: every line counts, the curative course said so in the evidence', async () => {
    const result = await sign(policiesWith({ setting: 'any' }), 'her2pos-adjuvant-ac-th-thp-then-metastatic-3rd-line');
    expect(result).toMatchObject({ covered: 'covered', fourthLine: 'met' });
    expect(result.lineEvidence.some((t) => t.includes('counted: the policy counts lines in any setting'))).toBe(true);
  });

  it('the default reading is the one a policy without lineCounting gets (facts are not read twice for it)', () => {
    expect(lineCountingOf({ ...shipped, lineCounting: { setting: 'advanced', earlyRelapseMonths: 12 } })).toBeUndefined();
    const { lineCounting: _none, ...without } = shipped;
    expect(lineCountingOf(without)).toBeUndefined();
    expect(lineCountingOf({ ...shipped, lineCounting: { setting: 'any' } })).toEqual({ setting: 'any', earlyRelapseMonths: 12 });
  });
});

describe('policies:check on lineCounting', () => {
  const known = knownIdsOf(loadCatalog());
  const check = (lineCounting: unknown): string[] => {
    const root = mkdtempSync(join(tmpdir(), 'line-counting-check-'));
    roots.push(root);
    const file = join(root, `${POLICY}.json`);
    writeFileSync(file, JSON.stringify({ ...shipped, lineCounting }));
    return checkPolicyFile(file, known).problems.map((p) => `${p.pointer} ${p.message}`);
  };

  it('accepts the shipped readings', () => {
    expect(check({ setting: 'advanced', earlyRelapseMonths: 12 })).toEqual([]);
    expect(check({ setting: 'any' })).toEqual([]);
  });

  it('asks for the early-relapse window with the advanced setting, and refuses it where it has no effect', () => {
    expect(check({ setting: 'advanced' })).toEqual([expect.stringContaining('/lineCounting/earlyRelapseMonths with setting "advanced", state how early relapse')]);
    expect(check({ setting: 'any', earlyRelapseMonths: 12 })).toEqual([expect.stringContaining('earlyRelapseMonths has no effect')]);
  });

  it('refuses a setting it does not know and a window that is not a whole number of months', () => {
    expect(check({ setting: 'metastatic', earlyRelapseMonths: 12 }).join('\n')).toContain('/lineCounting/setting');
    expect(check({ setting: 'advanced', earlyRelapseMonths: 6.5 }).join('\n')).toContain('/lineCounting/earlyRelapseMonths');
  });
});
