/**
 * A test policy written from JSON alone (test/fixtures/analyst-data: policy, document, clause table, scenarios with
 * their expectations) that uses what no shipped clause calls for yet — laboratory facts with a recency window
 * (`$.labs.anc` with `withinDays`), response categories and MRD — run through the suite's own data checks and the
 * scenario check, against the shipped catalog.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { defaultConfig } from '../../src/config.js';
import type { DecisionDeps } from '../../src/pipeline.js';
import { knownIdsOf, loadPolicies } from '../../src/policy/index.js';
import { clauseProblems, dataProblems, listScenarioFiles, policyCheckProblems, readPolicyFiles, type DataDirs } from '../support/policy-data.js';
import { assertScenario, readExpectation } from '../support/scenario-check.js';
import { serviceApp } from '../support/service-app.js';

const ROOT = 'test/fixtures/analyst-data';
const dirs: DataDirs = { policies: `${ROOT}/policies`, catalog: 'catalog', scenarios: `${ROOT}/scenarios`, clauses: `${ROOT}/clauses`, documents: `${ROOT}/policies/documents` };
const config = { ...defaultConfig({}), policiesDir: dirs.policies, catalogDir: dirs.catalog };
const app = serviceApp(config);
const catalog = loadCatalog(dirs.catalog);
const deps: DecisionDeps = { catalog, policies: loadPolicies(dirs.policies, knownIdsOf(catalog)), gather: {}, payerSubmissionUrls: {} };

describe('the analyst test policies', () => {
  it('pass policies:check, keep their documents and have scenarios with expectations', () => {
    expect(policyCheckProblems(dirs)).toEqual([]);
    expect(dataProblems(dirs)).toEqual([]);
  });

  describe.each(readPolicyFiles(dirs.policies).map((p) => ({ id: p.id, policy: p })))('clause table of $id', ({ policy }) => {
    it('names every rule and every scenario', () => {
      expect(clauseProblems(policy, dirs)).toEqual({ table: [], missingRules: [], unknownScenarios: [], unnamedScenarios: [] });
    });
  });

  describe.each(listScenarioFiles(dirs.scenarios))('scenario $group/$name', ({ file }) => {
    it(readExpectation(file).description, () => assertScenario(app, deps, file));
  });
});
