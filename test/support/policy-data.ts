/**
 * The suite's checks of the policy data, written once over a set of data directories so that they run on the
 * shipped data (test/policy/clauses.test.ts, test/scenarios.test.ts) and on an analyst's copy in a temporary
 * directory (test/policy/new-policy.test.ts) alike. Nothing here names a policy, a payer or a scenario: everything
 * is enumerated from the directories.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadCatalog } from '../../src/catalog/index.js';
import { checkPolicies, knownIdsOf, problemText } from '../../src/policy/load.js';
import type { Criterion, Policy } from '../../src/policy/types.js';

export interface DataDirs {
  policies: string;
  catalog: string;
  scenarios: string;
  clauses: string;
  documents: string;
}

export const SHIPPED: DataDirs = {
  policies: 'policies',
  catalog: 'catalog',
  scenarios: 'fhir-resources/scenarios',
  clauses: 'docs/clauses',
  documents: 'policies/documents',
};

export interface ScenarioFile {
  group: string;
  name: string;
  file: string;
}

/** Every scenario request: `<scenarios>/<group>/<name>.json` (not `.expect.json`; folders starting with `_` are generators). */
export function listScenarioFiles(scenariosDir: string): ScenarioFile[] {
  // statSync follows symbolic links, so a folder linked in counts as one
  return readdirSync(scenariosDir)
    .filter((name) => !name.startsWith('_') && statSync(join(scenariosDir, name)).isDirectory())
    .sort()
    .flatMap((group) =>
      readdirSync(join(scenariosDir, group))
        .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
        .sort()
        .map((f) => ({ group, name: f.slice(0, -'.json'.length), file: join(scenariosDir, group, f) })),
    );
}

/** Every policy file of the directory, parsed (as the loader reads them: `_` drafts skipped). */
export function readPolicyFiles(policiesDir: string): Policy[] {
  return readdirSync(policiesDir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(policiesDir, f), 'utf8')) as Policy);
}

/** `policies:check` on the directory, against its catalog: every problem as text. */
export function policyCheckProblems(dirs: DataDirs): string[] {
  return checkPolicies(dirs.policies, knownIdsOf(loadCatalog(dirs.catalog))).problems.map(problemText);
}

// ---------------------------------------------------------------- clause tables

/** Every id a policy defines, each with where it sits (for the failure message). */
export function ruleIds(policy: Policy): Map<string, string> {
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

export interface ClauseTable {
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
export function parseClauseTables(markdown: string): ClauseTable {
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

export interface ClauseProblems {
  /** the table file is missing or has no rule/scenario table */
  table: string[];
  /** rule ids of the policy the rule column does not name */
  missingRules: string[];
  /** names in the scenario column that match no scenario */
  unknownScenarios: string[];
  /** scenarios of the policy the table names nowhere */
  unnamedScenarios: string[];
}

/** The clause table `<clauses>/<policy id>.md` against the policy and its scenario folder. */
export function clauseProblems(policy: Policy, dirs: DataDirs): ClauseProblems {
  const file = join(dirs.clauses, `${policy.id}.md`);
  const scenarioDir = join(dirs.scenarios, policy.id);
  const problems: ClauseProblems = { table: [], missingRules: [], unknownScenarios: [], unnamedScenarios: [] };
  if (!existsSync(file)) {
    problems.table.push(`${file} is missing: write the clause table of ${policy.id} (README "Adding a policy", step 5)`);
    return problems;
  }
  const table = parseClauseTables(readFileSync(file, 'utf8'));
  if (table.rules.length === 0) problems.table.push(`${file} has no table whose header has a "rule" and a "scenario" column`);
  const scenarioFiles = existsSync(scenarioDir)
    ? readdirSync(scenarioDir).filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json')).map((f) => f.slice(0, -'.json'.length))
    : [];
  const cited = table.scenarios.flat();
  const matches = (name: string, f: string): boolean => (name.endsWith('*') ? f.startsWith(name.slice(0, -1)) : f === name);
  const named = new Set(table.rules.flat());
  problems.missingRules = [...ruleIds(policy)].filter(([rid]) => !named.has(rid)).map(([rid, where]) => `${rid} (${where})`);
  problems.unknownScenarios = cited.filter((name) => !scenarioFiles.some((f) => matches(name, f)));
  problems.unnamedScenarios = scenarioFiles.filter((f) => !cited.some((name) => matches(name, f)));
  return problems;
}

// ---------------------------------------------------------------- documents and scenario folders

/** Each policy's document is kept (several policies may share one); each has scenarios, each with its expectation. */
export function dataProblems(dirs: DataDirs): string[] {
  const problems: string[] = [];
  const policies = readPolicyFiles(dirs.policies);
  const ids = new Set(policies.map((p) => p.id));
  for (const p of policies) {
    const doc = join(dirs.documents, basename(p.document.file));
    if (!existsSync(doc)) problems.push(`${p.id}: document.file ${p.document.file} is not in ${dirs.documents}/`);
    const scenarios = existsSync(join(dirs.scenarios, p.id)) ? listScenarioFiles(dirs.scenarios).filter((s) => s.group === p.id) : [];
    if (scenarios.length === 0) problems.push(`${p.id}: no scenario in ${join(dirs.scenarios, p.id)}/`);
  }
  for (const s of listScenarioFiles(dirs.scenarios)) {
    if (!ids.has(s.group)) problems.push(`${s.file}: the folder ${s.group} is not a policy id of ${dirs.policies}/`);
    if (!existsSync(s.file.replace(/\.json$/, '.expect.json'))) problems.push(`${s.file}: no ${s.name}.expect.json beside it`);
  }
  return problems;
}
