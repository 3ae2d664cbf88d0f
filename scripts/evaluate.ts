/**
 * npm run evaluate -- <file.json> [--policy <id>] [--policies <dir>] [--json]
 *
 * <file.json> is either a ClinicalFacts object (what src/facts produces) or a
 * CDS Hooks request. A request goes through gather → facts (modules loaded
 * lazily, so this script works before they exist) and each draft order is
 * evaluated. Prints the trace: every criterion with status, value and
 * evidence, the dose check and the outcome.
 */
import { readFileSync } from 'node:fs';
import type { MedicationRequest } from 'fhir/r4.js';
import type { ClinicalFacts } from '../src/facts/types.js';
import type { GatheredChart } from '../src/gather/types.js';
import { evaluatePolicy } from '../src/policy/evaluate.js';
import { loadPolicies, PolicyLoadError, type PolicyRegistry } from '../src/policy/load.js';
import { traceLines } from '../src/policy/trace.js';
import type { Policy } from '../src/policy/types.js';

type BuildFacts = (chart: GatheredChart, order: MedicationRequest, catalog: unknown, today?: string) => ClinicalFacts;
type LoadCatalog = (dir?: string) => unknown;
type GatherChart = (request: unknown, options: unknown) => Promise<GatheredChart>;

interface Args {
  file: string;
  policyId?: string;
  policiesDir: string;
  json: boolean;
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run evaluate -- <facts-or-request.json> [--policy <id>] [--policies <dir>] [--json]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Partial<Args> = { policiesDir: 'policies', json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--policy') args.policyId = argv[++i];
    else if (a === '--policies') args.policiesDir = argv[++i] ?? 'policies';
    else if (a === '--json') args.json = true;
    else if (a !== undefined && !a.startsWith('--')) args.file = a;
    else usage(`unknown option ${a ?? ''}`);
  }
  if (args.file === undefined) usage('no input file');
  return args as Args;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isRequest(x: Record<string, unknown>): boolean {
  return typeof x['hook'] === 'string' && isRecord(x['context']);
}

function isFacts(x: Record<string, unknown>): x is Record<string, unknown> & ClinicalFacts {
  return typeof x['serviceDate'] === 'string' && isRecord(x['order']) && isRecord(x['body']) && Array.isArray(x['authorizations']);
}

/** A module of the pipeline that may not be built yet: undefined when absent. */
async function optionalModule(spec: string): Promise<Record<string, unknown> | undefined> {
  try {
    const mod: unknown = await import(spec);
    return isRecord(mod) ? mod : undefined;
  } catch (err) {
    if (isRecord(err) && err['code'] === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

async function exported<T>(spec: string, name: string): Promise<T> {
  const mod = await optionalModule(spec);
  const fn = mod?.[name];
  if (typeof fn !== 'function') {
    console.error(`Cannot evaluate a CDS Hooks request yet: ${spec} (export ${name}) is missing. Pass a ClinicalFacts JSON file instead.`);
    process.exit(3);
  }
  return fn as T;
}

function draftOrders(request: Record<string, unknown>): MedicationRequest[] {
  const context = request['context'];
  const bundle = isRecord(context) ? context['draftOrders'] : undefined;
  const entries = isRecord(bundle) && Array.isArray(bundle['entry']) ? (bundle['entry'] as unknown[]) : [];
  return entries
    .map((e) => (isRecord(e) ? e['resource'] : undefined))
    .filter((r): r is MedicationRequest => isRecord(r) && r['resourceType'] === 'MedicationRequest');
}

async function factsFromRequest(request: Record<string, unknown>): Promise<ClinicalFacts[]> {
  const gatherChart = await exported<GatherChart>('../src/gather/index.js', 'gatherChart');
  const buildFacts = await exported<BuildFacts>('../src/facts/index.js', 'buildFacts');
  const loadCatalog = await exported<LoadCatalog>('../src/catalog/index.js', 'loadCatalog');
  const catalog = loadCatalog();
  const chart = await gatherChart(request, {});
  return draftOrders(request).map((order) => buildFacts(chart, order, catalog));
}

function policyFor(registry: PolicyRegistry, facts: ClinicalFacts, policyId: string | undefined): Policy | string {
  if (policyId !== undefined) return registry.get(policyId) ?? `no policy with id "${policyId}"`;
  const drug = facts.order.drug;
  const payer = facts.coverage.payerId.value;
  if (drug === null) return 'the ordered drug is not recognised';
  if (payer === null) return `the payer is not documented${facts.coverage.payerId.unknownReason === undefined ? '' : ` (${facts.coverage.payerId.unknownReason})`}`;
  const lob = facts.coverage.lineOfBusiness.value;
  const policy = registry.select(drug, payer, facts.serviceDate, lob);
  if (policy !== undefined) return policy;
  const others = registry.inEffect(drug, payer, facts.serviceDate);
  if (others.length > 0) return `payer "${payer}" has no policy for drug "${drug}" for the ${lob ?? ''} line of business (${others.map((p) => `${p.id}: ${(p.linesOfBusiness ?? []).join(', ')}`).join('; ')}): no coverage is asserted from another plan's policy`;
  return `no policy of payer "${payer}" for drug "${drug}" on ${facts.serviceDate}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const input: unknown = JSON.parse(readFileSync(args.file, 'utf8'));
  if (!isRecord(input)) usage(`${args.file} is not a JSON object`);
  let all: ClinicalFacts[];
  if (isRequest(input)) all = await factsFromRequest(input);
  else if (isFacts(input)) all = [input];
  else usage(`${args.file} is neither ClinicalFacts nor a CDS Hooks request`);

  const registry = loadPolicies(args.policiesDir);
  for (const facts of all) {
    const policy = policyFor(registry, facts, args.policyId);
    if (typeof policy === 'string') {
      console.log(`${facts.order.reference}: no evaluation — ${policy}\n`);
      continue;
    }
    const evaluation = evaluatePolicy(policy, facts);
    console.log(args.json ? JSON.stringify(evaluation, null, 2) : traceLines(evaluation).join('\n'));
    console.log('');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof PolicyLoadError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
