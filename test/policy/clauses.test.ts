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
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Criterion, Policy } from '../../src/policy/types.js';

const POLICIES = 'policies';
const CLAUSES = 'docs/clauses';
const SCENARIOS = 'fhir-resources/scenarios';

/** Every id a policy defines, each with where it sits (for the failure message). */
function ruleIds(policy: Policy): Map<string, string> {
  const ids = new Map<string, string>();
  const criterion = (c: Criterion, where: string): void => {
    if (c.id !== undefined) ids.set(c.id, where);
    if ('all' in c) c.all.forEach((x) => criterion(x, where));
    else if ('any' in c) c.any.forEach((x) => criterion(x, where));
    else if ('not' in c) criterion(c.not, where);
  };
  for (const ind of policy.indications) {
    ids.set(ind.id, 'indication');
    criterion(ind.criteria, `criteria of ${ind.id}`);
    for (const set of ind.doseLimits ?? []) {
      ids.set(set.id, `dose limit set of ${ind.id}`);
      if (set.when) criterion(set.when, `when of ${set.id}`);
      for (const alt of set.alternatives) {
        ids.set(alt.id, `dose alternative of ${set.id}`);
        if (alt.when) criterion(alt.when, `when of ${alt.id}`);
      }
    }
  }
  for (const ex of policy.exclusions ?? []) {
    ids.set(ex.id, 'exclusion');
    criterion(ex.criteria, `criteria of ${ex.id}`);
  }
  return ids;
}

interface ClauseTable {
  /** backticked words in the rule column(s), by row */
  rules: string[][];
  /** backticked words in the scenario column, by row */
  scenarios: string[][];
}

/** Split a markdown table row into cells, keeping backticked spans (which may hold `|`) intact. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inCode = false;
  for (const ch of line.trim().replace(/^\|/, '').replace(/\|$/, '')) {
    if (ch === '`') inCode = !inCode;
    if (ch === '|' && !inCode) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function backticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim());
}

/** Reads every table whose header has a "rule" column and a "scenario" column. */
function parseClauseTables(markdown: string): ClauseTable {
  const table: ClauseTable = { rules: [], scenarios: [] };
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) continue;
    const header = cells(lines[i]!).map((h) => h.toLowerCase());
    const ruleCol = header.findIndex((h) => h.includes('rule'));
    const scenarioCol = header.findIndex((h) => h.includes('scenario'));
    i += 2;
    for (; i < lines.length && lines[i]!.trim().startsWith('|'); i++) {
      if (ruleCol < 0 || scenarioCol < 0) continue;
      const row = cells(lines[i]!);
      table.rules.push(backticked(row[ruleCol] ?? ''));
      table.scenarios.push(backticked(row[scenarioCol] ?? '').map((s) => s.replace(/\.json$/, '')));
    }
  }
  return table;
}

const policyFiles = readdirSync(POLICIES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(POLICIES, f), 'utf8')) as Policy);

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

describe.each(policyFiles.map((p) => ({ id: p.id, policy: p })))('clause table of $id', ({ id, policy }) => {
  const table = parseClauseTables(readFileSync(join(CLAUSES, `${id}.md`), 'utf8'));
  const scenarioFiles = readdirSync(join(SCENARIOS, id))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
    .map((f) => f.slice(0, -'.json'.length));
  const cited = table.scenarios.flat();
  const matches = (name: string, file: string): boolean => (name.endsWith('*') ? file.startsWith(name.slice(0, -1)) : file === name);

  it('has a clause table with a rule column and a scenario column', () => {
    expect(table.rules.length).toBeGreaterThan(0);
  });

  it('names every rule id of the policy in its rule column', () => {
    const named = new Set(table.rules.flat());
    const missing = [...ruleIds(policy)].filter(([rid]) => !named.has(rid)).map(([rid, where]) => `${rid} (${where})`);
    expect(missing).toEqual([]);
  });

  it('names in its scenario column only scenarios that exist', () => {
    const unknown = cited.filter((name) => !scenarioFiles.some((f) => matches(name, f)));
    expect(unknown).toEqual([]);
  });

  it('names every scenario of the policy', () => {
    const unnamed = scenarioFiles.filter((f) => !cited.some((name) => matches(name, f)));
    expect(unnamed).toEqual([]);
  });
});
