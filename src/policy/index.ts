/** The policy engine: load policy files, select one, evaluate it over ClinicalFacts. */
export { loadPolicies, loadPolicyFile, checkPolicies, knownIdsOf, createRegistry, policyValidator, PolicyLoadError } from './load.js';
export type { PolicyRegistry, KnownIds } from './load.js';
export { evaluatePolicy } from './evaluate.js';
export { evaluateCriterion } from './criteria.js';
export { checkDoseLimits, checkLimitSet } from './dose.js';
export { emptyFacts } from './facts-skeleton.js';
export type * from './types.js';
