/**
 * The clause tables (docs/clauses/<policy-id>.md) map each clause of a policy document to its rule ids and to the
 * scenarios that exercise it. This test keeps them honest against the data:
 *  (a) every rule id of policies/<id>.json (indications, criteria nodes that carry an id, exclusions, dose limit sets,
 *      their alternatives and the ids inside their `when` criteria) is named in the table's rule column;
 *  (b) every scenario the table's scenario column names exists in fhir-resources/scenarios/<id>/
 *      (`name*` matches by prefix);
 *  (c) every scenario in that folder is named by the table, so a new scenario cannot go unrecorded.
 * Cells name rule ids and scenarios in backticks. In the scenario column every backticked word must be a scenario,
 * so a typo cannot hide as "not a name" (write other words there without backticks).
 */
import { describe, expect, it } from 'vitest';
import { clauseProblems, dataProblems, parseClauseTables, readPolicyFiles, SHIPPED } from '../support/policy-data.js';

describe('clause table parser', () => {
  it('reads backticked rule ids and scenario names from the rule and scenario columns, with `|` inside code spans', () => {
    const md = [
      '| # | clause | rule id(s) | scenario(s) |',
      '| --- | --- | --- | --- |',
      '| 1 | "a, b" | `r-1`, `r-2` (`x|y` kept) | `s-one`, `s-two.json` |',
      '',
      '| other | table |',
      '| --- | --- |',
      '| `ignored` | `ignored` |',
    ].join('\n');
    expect(parseClauseTables(md)).toEqual({ rules: [['r-1', 'r-2', 'x|y']], scenarios: [['s-one', 's-two']] });
  });
});

describe('the policy data', () => {
  it('every policy keeps its document and has scenarios; every scenario folder is a policy and every scenario has its expectation', () => {
    expect(dataProblems(SHIPPED)).toEqual([]);
  });
});

describe.each(readPolicyFiles(SHIPPED.policies).map((p) => ({ id: p.id, policy: p })))('clause table of $id', ({ policy }) => {
  const problems = clauseProblems(policy, SHIPPED);

  it('has a clause table with a rule column and a scenario column', () => {
    expect(problems.table).toEqual([]);
  });

  it('names every rule id of the policy in its rule column', () => {
    expect(problems.missingRules).toEqual([]);
  });

  it('names in its scenario column only scenarios that exist', () => {
    expect(problems.unknownScenarios).toEqual([]);
  });

  it('names every scenario of the policy', () => {
    expect(problems.unnamedScenarios).toEqual([]);
  });
});
