/**
 * npm run policies:check [dir]
 * Validate every policy file (schema + meaning) and print one block per policy.
 */
import { leavesOf } from '../src/policy/criteria.js';
import { loadPolicies, PolicyLoadError } from '../src/policy/load.js';
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

const dir = process.argv[2] ?? 'policies';
try {
  const registry = loadPolicies(dir);
  const policies = registry.all();
  for (const p of policies) console.log(`${summary(p)}\n`);
  console.log(`${policies.length} polic${policies.length === 1 ? 'y' : 'ies'} valid in ${dir}`);
} catch (err) {
  console.error(err instanceof PolicyLoadError ? err.message : String(err));
  process.exit(1);
}
