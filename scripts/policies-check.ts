/**
 * npm run policies:check [policies-dir] [--catalog <dir>]
 * Validate every policy file — schema, then meaning against the catalog and the facts model (docs/facts.md) — and
 * print one block per policy, then every problem (file, JSON path, what was expected, the nearest valid value).
 * Exit 1 when there is a problem.
 */
import { loadCatalog } from '../src/catalog/index.js';
import { leavesOf } from '../src/policy/criteria.js';
import { checkPolicies, knownIdsOf, problemText } from '../src/policy/load.js';
import type { Criterion, Policy } from '../src/policy/types.js';

function criteriaOf(p: Policy): Criterion[] {
  return [
    ...p.indications.flatMap((i) => [i.criteria, ...(i.doseLimits ?? []).flatMap((s) => [s.when, ...s.alternatives.map((a) => a.when)])]),
    ...(p.exclusions ?? []).map((x) => x.criteria),
  ].filter((c): c is Criterion => c !== undefined);
}

function summary(p: Policy): string {
  const leaves = criteriaOf(p).flatMap(leavesOf).length;
  const sets = p.indications.reduce((n, i) => n + (i.doseLimits?.length ?? 0), 0);
  const effective = p.effective === undefined ? '' : `, effective ${p.effective.from ?? '…'} – ${p.effective.to ?? '…'}`;
  return [
    `${p.id}  v${p.version}${effective}`,
    `  payer: ${p.payer.id} (${p.payer.name})`,
    `  drug: ${p.drug.id} (${p.drug.name})`,
    `  indications: ${p.indications.length}, exclusions: ${p.exclusions?.length ?? 0}, criteria leaves: ${leaves}, dose limit sets: ${sets}`,
    `  prior authorization required: ${p.priorAuthorization.required ? 'yes' : 'no'}`,
  ].join('\n');
}

const args = process.argv.slice(2);
const catalogAt = args.indexOf('--catalog');
const catalogDir = catalogAt >= 0 ? args[catalogAt + 1] ?? 'catalog' : process.env['CATALOG_DIR'] ?? 'catalog';
const dir = args.find((a, i) => !a.startsWith('--') && (catalogAt < 0 || i !== catalogAt + 1)) ?? process.env['POLICIES_DIR'] ?? 'policies';
try {
  const { policies, problems } = checkPolicies(dir, knownIdsOf(loadCatalog(catalogDir)));
  for (const p of policies) console.log(`${summary(p)}\n`);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`✗ ${problemText(problem)}`);
    console.error(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in ${dir}`);
    process.exit(1);
  }
  console.log(`${policies.length} polic${policies.length === 1 ? 'y' : 'ies'} valid in ${dir} (checked against ${catalogDir}/ and docs/facts.md)`);
} catch (err) {
  // a broken catalog: its loader names the file
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
