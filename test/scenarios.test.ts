/**
 * Every scenario in fhir-resources/scenarios/<policy>/<name>.json goes through HTTP (order-sign) and must answer
 * what its <name>.expect.json says (test/support/scenario-check.ts). The folders are enumerated: a new policy's
 * scenarios are tested without editing this file.
 */
import { describe, it } from 'vitest';
import { loadCatalog } from '../src/catalog/index.js';
import { defaultConfig } from '../src/config.js';
import type { DecisionDeps } from '../src/pipeline.js';
import { knownIdsOf, loadPolicies } from '../src/policy/index.js';
import { listScenarioFiles, SHIPPED } from './support/policy-data.js';
import { assertScenario, readExpectation } from './support/scenario-check.js';
import { serviceApp } from './support/service-app.js';

const config = defaultConfig({});
const app = serviceApp(config);
const catalog = loadCatalog(config.catalogDir);
const decisionDeps: DecisionDeps = {
  catalog,
  policies: loadPolicies(config.policiesDir, knownIdsOf(catalog)),
  gather: {},
  payerSubmissionUrls: {},
};

describe.each(listScenarioFiles(SHIPPED.scenarios))('scenario $group/$name', ({ file }) => {
  it(readExpectation(file).description, () => assertScenario(app, decisionDeps, file));
});
