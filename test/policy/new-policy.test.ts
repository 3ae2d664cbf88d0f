/**
 * An analyst's new policy is tested by the existing suite with no TypeScript change. A shipped policy is copied under
 * a new payer (with its catalog payer entry, its own document, its clause table and its scenarios, each with its
 * `.expect.json`) into a temporary copy of the data directories beside every shipped policy; then the suite's own
 * checks run on that copy: `policies:check`, documents and scenario folders, the clause table, every scenario
 * through HTTP, and the policy page.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { defaultConfig } from '../../src/config.js';
import { decide, type DecisionDeps } from '../../src/pipeline.js';
import { knownIdsOf, loadPolicies } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/types.js';
import { parseCardConfiguration } from '../../src/protocol/crd-configuration.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { clauseProblems, dataProblems, listScenarioFiles, policyCheckProblems, readPolicyFiles, SHIPPED, type DataDirs } from '../support/policy-data.js';
import { assertScenario } from '../support/scenario-check.js';
import { serviceApp } from '../support/service-app.js';

/** The shipped policy that is copied: the first one (by file name) that has scenarios — whichever it is. */
const original = readPolicyFiles(SHIPPED.policies).find((p) => listScenarioFiles(SHIPPED.scenarios).some((s) => s.group === p.id))!;
const NEW_PAYER = { id: 'mn-dhs', name: 'Minnesota Department of Human Services', aliases: ['Minnesota Department of Human Services', 'MinnesotaCare', 'Minnesota Medical Assistance'], identifiers: [] };
const NEW_ID = `mn-dhs-${original.drug.id}`;

const root = mkdtempSync(join(tmpdir(), 'analyst-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dirs: DataDirs = {
  policies: join(root, 'policies'),
  catalog: join(root, 'catalog'),
  scenarios: join(root, 'scenarios'),
  clauses: join(root, 'clauses'),
  documents: join(root, 'policies', 'documents'),
};

/** Replace every occurrence of the original payer's id and name (as the analyst's charts would carry the new payer). */
function toNewPayer(text: string): string {
  return text.split(original.payer.name).join(NEW_PAYER.name).split(`"${original.payer.id}"`).join(`"${NEW_PAYER.id}"`);
}

// ---- what the analyst writes: JSON and markdown only
cpSync(SHIPPED.policies, dirs.policies, { recursive: true });
cpSync(SHIPPED.catalog, dirs.catalog, { recursive: true });
cpSync(SHIPPED.clauses, dirs.clauses, { recursive: true });
mkdirSync(dirs.scenarios);
for (const group of readdirSync(SHIPPED.scenarios)) symlinkSync(resolve(SHIPPED.scenarios, group), join(dirs.scenarios, group));

const payers = JSON.parse(readFileSync(join(SHIPPED.catalog, 'payers.json'), 'utf8')) as { payers: unknown[] };
payers.payers.push(NEW_PAYER);
writeFileSync(join(dirs.catalog, 'payers.json'), JSON.stringify(payers, null, 2));

const newDocument = `${NEW_ID}.txt`;
copyFileSync(join(SHIPPED.documents, original.document.file), join(dirs.documents, newDocument));
const copy: Policy = {
  ...structuredClone(original),
  id: NEW_ID,
  title: `${original.drug.name} (${NEW_PAYER.name})`,
  payer: { id: NEW_PAYER.id, name: NEW_PAYER.name },
  document: { ...original.document, file: newDocument },
};
writeFileSync(join(dirs.policies, `${NEW_ID}.json`), JSON.stringify(copy, null, 2));
writeFileSync(join(dirs.clauses, `${NEW_ID}.md`), readFileSync(join(SHIPPED.clauses, `${original.id}.md`), 'utf8'));
mkdirSync(join(root, 'new-scenarios'));
const newScenarioDir = join(root, 'new-scenarios', NEW_ID);
mkdirSync(newScenarioDir);
for (const f of readdirSync(join(SHIPPED.scenarios, original.id))) {
  writeFileSync(join(newScenarioDir, f), toNewPayer(readFileSync(join(SHIPPED.scenarios, original.id, f), 'utf8')));
}
symlinkSync(newScenarioDir, join(dirs.scenarios, NEW_ID));

// ---- the suite's checks, on the copy
const config = { ...defaultConfig({}), policiesDir: dirs.policies, catalogDir: dirs.catalog };
const app = serviceApp(config);
const catalog = loadCatalog(dirs.catalog);
const decisionDeps: DecisionDeps = { catalog, policies: loadPolicies(dirs.policies, knownIdsOf(catalog)), gather: {}, payerSubmissionUrls: {} };
const newScenarios = listScenarioFiles(dirs.scenarios).filter((s) => s.group === NEW_ID);

describe(`a copy of ${original.id} under a new payer, beside every shipped policy`, () => {
  it('passes policies:check against the catalog with its new payer entry', () => {
    expect(readPolicyFiles(dirs.policies).length).toBe(readPolicyFiles(SHIPPED.policies).length + 1);
    expect(policyCheckProblems(dirs)).toEqual([]);
  });

  it('keeps its document, has scenarios with expectations', () => {
    expect(dataProblems(dirs)).toEqual([]);
  });

  it('its clause table names every rule and every scenario', () => {
    expect(clauseProblems(copy, dirs)).toEqual({ table: [], missingRules: [], unknownScenarios: [], unnamedScenarios: [] });
  });

  it('is the policy selected for the new payer (not the original)', async () => {
    const first = newScenarios[0]!;
    const hookRequest = JSON.parse(readFileSync(first.file, 'utf8')) as HookRequest;
    const decision = await decide(hookRequest, { service: 'oncology-pa-order-sign', configuration: parseCardConfiguration(hookRequest.extension), baseUrl: 'http://localhost' }, decisionDeps);
    expect(decision.orders.map((o) => o.evaluation?.policy.id)).toContain(NEW_ID);
  });

  it('has its page, with its document', async () => {
    const res = await request(app).get(`/policies/${NEW_ID}`).expect(200);
    expect(res.text).toContain(NEW_PAYER.name);
    expect(res.text).toContain('<pre class="document">');
  });

  describe.each(newScenarios)('scenario $group/$name', ({ file }) => {
    it('answers what its .expect.json says', () => assertScenario(app, decisionDeps, file));
  });

  it('a scenario without its .expect.json, or a clause table missing a rule, is caught', () => {
    const stray = join(newScenarioDir, 'stray.json');
    copyFileSync(newScenarios[0]!.file, stray);
    try {
      expect(dataProblems(dirs)).toEqual([`${join(dirs.scenarios, NEW_ID, 'stray.json')}: no stray.expect.json beside it`]);
      expect(clauseProblems(copy, dirs).unnamedScenarios).toEqual(['stray']);
    } finally {
      rmSync(stray);
    }
    const withExtraRule: Policy = { ...copy, indications: [...copy.indications, { ...copy.indications[0]!, id: 'analyst-added-rule' }] };
    expect(clauseProblems(withExtraRule, dirs).missingRules).toEqual(['analyst-added-rule (indication)']);
  });
});
