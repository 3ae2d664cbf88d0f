/**
 * `npm run evaluate`: what it prints for one input file. Every input gets an answer in words — a trace, or what is
 * wrong with the file and how to fix it — never a stack trace. Kept apart from the CLI so tests call it directly.
 */
import { readFileSync } from 'node:fs';
import { loadCatalog } from '../../src/catalog/index.js';
import { factEntries } from '../../src/facts/model.js';
import type { ClinicalFacts } from '../../src/facts/types.js';
import { decide, traceOf, type DecisionDeps } from '../../src/pipeline.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { compilePath } from '../../src/policy/jsonpath.js';
import { checkPolicies, createRegistry, knownIdsOf, problemText, type PolicyRegistry } from '../../src/policy/load.js';
import { traceLines } from '../../src/policy/trace.js';
import type { Policy, PolicyEvaluation } from '../../src/policy/types.js';
import { parseCardConfiguration } from '../../src/protocol/crd-configuration.js';
import { SERVICES } from '../../src/protocol/services.js';
import { validateHookRequest } from '../../src/protocol/validate.js';

export interface EvaluateArgs {
  file: string;
  policyId?: string;
  policiesDir: string;
  catalogDir: string;
  json: boolean;
}

export interface EvaluateOutput {
  /** 0 evaluated, 1 the input or the data cannot be evaluated (said in `lines`) */
  code: 0 | 1;
  lines: string[];
}

const USAGE = 'usage: npm run evaluate -- <request-or-facts.json> [--policy <id>] [--policies <dir>] [--catalog <dir>] [--json]';

export function parseEvaluateArgs(argv: string[]): EvaluateArgs | string {
  const args: Partial<EvaluateArgs> = { policiesDir: 'policies', catalogDir: 'catalog', json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--policy') args.policyId = argv[++i];
    else if (a === '--policies') args.policiesDir = argv[++i] ?? 'policies';
    else if (a === '--catalog') args.catalogDir = argv[++i] ?? 'catalog';
    else if (a === '--json') args.json = true;
    else if (!a.startsWith('--')) args.file = a;
    else return `unknown option ${a}\n${USAGE}`;
  }
  return args.file === undefined ? `no input file\n${USAGE}` : (args as EvaluateArgs);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Fact paths a ClinicalFacts file lacks (facts written by hand, or by an older version). */
function missingFacts(input: Record<string, unknown>): string[] {
  return factEntries()
    .map(([path]) => path)
    .filter((path) => !path.includes('[*]'))
    .filter((path) => compilePath(path).select(input as unknown as ClinicalFacts).length === 0);
}

const fail = (...lines: string[]): EvaluateOutput => ({ code: 1, lines });

function printed(evaluations: PolicyEvaluation[], trace: string[], json: boolean): string[] {
  return json ? [JSON.stringify(evaluations, null, 2)] : trace;
}

function forced(policy: Policy | undefined, id: string, facts: ClinicalFacts[], json: boolean): EvaluateOutput {
  if (policy === undefined) return fail(`no policy with id "${id}" in the policies directory`);
  if (facts.length === 0) return fail('the request has no draft order to evaluate (context.draftOrders holds no MedicationRequest)');
  const evaluations = facts.map((f) => evaluatePolicy(policy, f));
  return { code: 0, lines: printed(evaluations, evaluations.flatMap((e) => [...traceLines(e), '']), json) };
}

async function evaluateRequest(input: Record<string, unknown>, args: EvaluateArgs, deps: DecisionDeps): Promise<EvaluateOutput> {
  const service = SERVICES.find((s) => s.hook === input['hook']) ?? SERVICES[0]!;
  let request;
  try {
    request = validateHookRequest(input, service);
  } catch (err) {
    return fail(`${args.file} is not a usable CDS Hooks request: ${(err as Error).message}`);
  }
  let decision;
  try {
    decision = await decide(request, { service: service.id, configuration: parseCardConfiguration(request.extension), baseUrl: 'http://localhost' }, deps);
  } catch (err) {
    if (err instanceof Error && err.name === 'DataUnavailableError') {
      return fail(
        `${args.file}: ${err.message}.`,
        'Add the missing prefetch keys (an empty searchset Bundle says "none in the chart":',
        '{"resourceType": "Bundle", "type": "searchset", "entry": []}), or give the request a fhirServer and fhirAuthorization to read them from.',
      );
    }
    throw err;
  }
  if (decision.orders.length === 0) return fail(`${args.file}: the request has no draft order to evaluate (context.draftOrders holds no MedicationRequest)`);
  if (args.policyId !== undefined) {
    return forced(deps.policies.get(args.policyId), args.policyId, decision.orders.flatMap((o) => (o.facts ? [o.facts] : [])), args.json);
  }
  const { trace, evaluations } = traceOf(decision);
  return { code: 0, lines: printed(evaluations, trace, args.json) };
}

function evaluateFacts(facts: ClinicalFacts, args: EvaluateArgs, registry: PolicyRegistry): EvaluateOutput {
  if (args.policyId !== undefined) return forced(registry.get(args.policyId), args.policyId, [facts], args.json);
  const drug = facts.order.drug;
  const payer = facts.coverage.payerId.value;
  const why =
    drug === null ? 'the ordered drug is not recognised ($.order.drug is null)'
    : payer === null ? `the payer is not documented${facts.coverage.payerId.unknownReason === undefined ? '' : ` (${facts.coverage.payerId.unknownReason})`}`
    : undefined;
  const lob = facts.coverage.lineOfBusiness.value;
  const policy = why === undefined ? registry.select(drug!, payer!, facts.serviceDate, lob) : undefined;
  const otherPlans = why === undefined && policy === undefined ? registry.inEffect(drug!, payer!, facts.serviceDate) : [];
  const noPolicy = otherPlans.length > 0
    ? `payer "${payer}" has no policy for drug "${drug}" for the ${lob ?? ''} line of business (${otherPlans.map((p) => `${p.id}: ${(p.linesOfBusiness ?? []).join(', ')}`).join('; ')}): no coverage is asserted from another plan's policy`
    : `no policy of payer "${payer}" for drug "${drug}" in effect on ${facts.serviceDate}`;
  if (policy === undefined) return fail(`${facts.order.reference}: no evaluation — ${why ?? noPolicy} (name one with --policy <id>)`);
  const evaluation = evaluatePolicy(policy, facts);
  return { code: 0, lines: printed([evaluation], [...traceLines(evaluation), ''], args.json) };
}

export async function runEvaluate(args: EvaluateArgs): Promise<EvaluateOutput> {
  let text: string;
  try {
    text = readFileSync(args.file, 'utf8');
  } catch (err) {
    return fail(`cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    return fail(`${args.file} is not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(input)) return fail(`${args.file} is not a JSON object: give a CDS Hooks request or a ClinicalFacts file`);

  let catalog;
  try {
    catalog = loadCatalog(args.catalogDir);
  } catch (err) {
    return fail((err as Error).message);
  }
  const { policies, problems } = checkPolicies(args.policiesDir, knownIdsOf(catalog));
  if (problems.length > 0) return fail(...problems.map(problemText), 'Fix the policies first (npm run policies:check).');
  const registry = createRegistry(policies);

  if (typeof input['hook'] === 'string' || isRecord(input['context'])) {
    return evaluateRequest(input, args, { catalog, policies: registry, gather: {}, payerSubmissionUrls: {} });
  }
  if (typeof input['serviceDate'] === 'string' || isRecord(input['order'])) {
    const missing = missingFacts(input);
    if (missing.length > 0) return fail(`${args.file} is not complete ClinicalFacts; it lacks ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''} (docs/facts.md lists every fact)`);
    return evaluateFacts(input as unknown as ClinicalFacts, args, registry);
  }
  return fail(`${args.file} is neither a CDS Hooks request (with "hook" and "context") nor ClinicalFacts (with "serviceDate" and "order")`);
}
