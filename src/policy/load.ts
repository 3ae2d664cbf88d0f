/**
 * Load, validate and index the policy files. A policy is data; a broken
 * file stops start-up with a message naming the file and the JSON path.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { isAll, isAny, isNot, precompileLeaf } from './criteria.js';
import { factEntries } from '../facts/model.js';
import { referenceFacts } from './facts-skeleton.js';
import { effectiveProblems, type KnownIds, nearest, type PolicyProblem, SemanticChecker } from './semantics.js';
import type { Criterion, Leaf, Operator, Policy } from './types.js';

export type { KnownIds } from './semantics.js';
export { knownIdsOf } from './semantics.js';

export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
  constructor(
    readonly file: string,
    readonly pointer: string,
    detail: string,
  ) {
    super(`${file}: ${pointer} ${detail}`);
  }
}

export interface PolicyRegistry {
  /**
   * The policy for this drug and payer in effect on the service date (latest start wins). With a line of business,
   * only a policy that names it (or names none) applies: a Commercial policy says nothing about a Medi-Cal member.
   * An unknown line of business (null) does not narrow the choice.
   */
  select(drugId: string, payerId: string, serviceDate: string, lineOfBusiness?: string | null): Policy | undefined;
  /** The payer's policies for the drug in effect on the service date, whatever plan they are for. */
  inEffect(drugId: string, payerId: string, serviceDate: string): Policy[];
  all(): Policy[];
  get(id: string): Policy | undefined;
}

/** One problem of one file: the file, the JSON pointer, what is wrong and how to fix it. */
export interface FileProblem extends PolicyProblem {
  file: string;
}

export const problemText = (p: FileProblem): string => `${p.file}: ${p.pointer} ${p.message}`;

// ---------------------------------------------------------------- schema

const SCHEMA_URL = new URL('../../schemas/policy.schema.json', import.meta.url);

let compiled: ValidateFunction<Policy> | undefined;

/** Compiled once per process. */
export function policyValidator(): ValidateFunction<Policy> {
  if (compiled === undefined) {
    // strictRequired off: the criterion union tells its kinds apart with `if: { required: [...] }`.
    // validateSchema off: the schema file is checked against the meta-schema by test/schemas.test.ts, not at
    // every start-up (compiling the meta-schema is most of the cost).
    const ajv = new Ajv2020({ allErrors: false, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, validateSchema: false });
    addFormats.default(ajv);
    const schema: unknown = JSON.parse(readFileSync(SCHEMA_URL, 'utf8'));
    compiled = ajv.compile<Policy>(schema as object);
  }
  return compiled;
}

/** What a value of these fields means, added to a schema error at them: how to choose. */
const FIELD_HINTS: ReadonlyArray<readonly [string, string]> = [
  ['/cumulative/unit', 'a total adds doses up: its unit is per dose, never per day; a continuous infusion\'s daily rate is limited with "dose"'],
  ['/cumulative/per', '"cycle" sums the order\'s own dose lines, one order being one cycle; "course" adds the doses already given in the current course, and then needs "courseGapDays"'],
  ['/cumulative/courseGapDays', 'whole days: the longest pause between two doses that still continues the course, e.g. 42 for "more than 6 weeks without a dose ends the course"'],
];

function hintFor(pointer: string): string {
  const hint = FIELD_HINTS.find(([suffix]) => pointer.endsWith(suffix))?.[1];
  return hint === undefined ? '' : ` (${hint})`;
}

/** The most specific error: Ajv reports the inner failure before the if/then that led to it. */
function describe(error: ErrorObject): { pointer: string; detail: string } {
  const pointer = error.instancePath === '' ? '/' : error.instancePath;
  let detail = error.message ?? 'is invalid';
  const p: Record<string, unknown> = error.params;
  if (error.keyword === 'additionalProperties' && typeof p['additionalProperty'] === 'string') {
    detail += `: "${p['additionalProperty']}"`;
  }
  if (error.keyword === 'enum' && Array.isArray(p['allowedValues'])) {
    const allowed = (p['allowedValues'] as unknown[]).map(String);
    const near = typeof error.data === 'string' ? nearest(error.data, allowed) : undefined;
    detail = `${JSON.stringify(error.data)} is not allowed; expected one of ${allowed.join(', ')}${near === undefined ? '' : ` — did you mean "${near}"?`}`;
  }
  return { pointer, detail: `${detail}${hintFor(pointer)}` };
}

const STRUCTURAL = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf']);

function schemaError(file: string, errors: ErrorObject[] | null | undefined): PolicyLoadError {
  const list = errors ?? [];
  const chosen = list.find((e) => !STRUCTURAL.has(e.keyword)) ?? list[0];
  if (chosen === undefined) return new PolicyLoadError(file, '/', 'is not a valid policy');
  const { pointer, detail } = describe(chosen);
  return new PolicyLoadError(file, pointer, detail);
}

// ---------------------------------------------------------------- semantic checks

const NEEDS_LIST: ReadonlySet<Operator> = new Set(['in', 'notIn', 'includesAny', 'includesAll', 'anyStartsWith']);
const NEEDS_ORDERED: ReadonlySet<Operator> = new Set(['atLeast', 'atMost', 'greaterThan', 'lessThan']);
const NEEDS_NOTHING: ReadonlySet<Operator> = new Set(['exists', 'isTrue', 'isFalse', 'isEmpty', 'notEmpty']);
const NEEDS_SCALAR: ReadonlySet<Operator> = new Set(['equals', 'notEquals', 'mentions']);

function valueProblem(leaf: Leaf): string | undefined {
  const v = leaf.value;
  if (NEEDS_NOTHING.has(leaf.op)) return v === undefined ? undefined : `must not be given for op "${leaf.op}"`;
  if (v === undefined) return `is required for op "${leaf.op}"`;
  if (NEEDS_LIST.has(leaf.op) && !Array.isArray(v)) return `must be an array for op "${leaf.op}"`;
  if (NEEDS_ORDERED.has(leaf.op) && typeof v !== 'number' && typeof v !== 'string') return `must be a number or a date for op "${leaf.op}"`;
  if (NEEDS_SCALAR.has(leaf.op) && Array.isArray(v)) return `must be a single value for op "${leaf.op}"`;
  if (leaf.op === 'startsWith' && typeof v !== 'string' && !Array.isArray(v)) return 'must be a string or an array of strings for op "startsWith"';
  return undefined;
}

class Checker {
  private readonly ids = new Map<string, string>();
  private readonly skeleton = referenceFacts();
  readonly problems: PolicyProblem[] = [];

  fail(pointer: string, message: string): void {
    this.problems.push({ pointer, message });
  }

  id(id: string | undefined, pointer: string): void {
    if (id === undefined) return;
    const first = this.ids.get(id);
    if (first !== undefined) this.fail(`${pointer}/id`, `duplicates id "${id}" first used at ${first}`);
    this.ids.set(id, pointer);
  }

  window(from: string | undefined, to: string | undefined, pointer: string, toKey: string): void {
    if (from !== undefined && to !== undefined && from > to) this.fail(`${pointer}/${toKey}`, `(${to}) is before the start (${from})`);
  }

  criterion(c: Criterion, pointer: string): void {
    this.id(c.id, pointer);
    this.window(c.effectiveFrom, c.effectiveTo, pointer, 'effectiveTo');
    if (isAll(c)) c.all.forEach((child, i) => this.criterion(child, `${pointer}/all/${i}`));
    else if (isAny(c)) c.any.forEach((child, i) => this.criterion(child, `${pointer}/any/${i}`));
    else if (isNot(c)) this.criterion(c.not, `${pointer}/not`);
    else this.leaf(c, pointer);
  }

  /** The path must compile and select a node of a reference ClinicalFacts. */
  private leaf(leaf: Leaf, pointer: string): void {
    let selected: number;
    try {
      selected = precompileLeaf(leaf).select(this.skeleton).length;
    } catch (err) {
      this.fail(`${pointer}/fact`, (err as Error).message);
      return;
    }
    if (selected === 0) {
      const near = nearest(leaf.fact, factEntries().map(([path]) => path));
      this.fail(`${pointer}/fact`, `"${leaf.fact}" names no fact of ClinicalFacts (docs/facts.md lists them)${near === undefined ? '' : ` — did you mean "${near}"?`}`);
      return;
    }
    const problem = valueProblem(leaf);
    if (problem !== undefined) this.fail(`${pointer}/value`, problem);
  }

  policy(p: Policy): void {
    this.window(p.effective?.from, p.effective?.to, '/effective', 'to');
    p.indications.forEach((ind, i) => {
      const at = `/indications/${i}`;
      this.id(ind.id, at);
      this.criterion(ind.criteria, `${at}/criteria`);
      ind.doseLimits?.forEach((set, j) => {
        const setAt = `${at}/doseLimits/${j}`;
        this.id(set.id, setAt);
        if (set.when !== undefined) this.criterion(set.when, `${setAt}/when`);
        set.alternatives.forEach((alt, k) => {
          const altAt = `${setAt}/alternatives/${k}`;
          this.id(alt.id, altAt);
          if (alt.when !== undefined) this.criterion(alt.when, `${altAt}/when`);
        });
      });
    });
    p.exclusions?.forEach((ex, i) => {
      this.id(ex.id, `/exclusions/${i}`);
      this.criterion(ex.criteria, `/exclusions/${i}/criteria`);
    });
  }
}

// ---------------------------------------------------------------- loading

/** Parse and validate (schema, then meaning) one policy file; every problem found, not only the first. */
export function checkPolicyFile(file: string, known: KnownIds = {}): { policy?: Policy; problems: FileProblem[] } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { problems: [{ file, pointer: '/', message: `is not readable JSON: ${(err as Error).message}` }] };
  }
  const validate = policyValidator();
  if (!validate(json)) {
    const e = schemaError(file, validate.errors);
    return { problems: [{ file, pointer: e.pointer, message: e.message.slice(`${file}: ${e.pointer} `.length) }] };
  }
  const structure = new Checker();
  structure.policy(json);
  const meaning = new SemanticChecker(known);
  meaning.policy(json);
  const problems = [...structure.problems, ...meaning.problems].map((p) => ({ file, ...p }));
  return { policy: json, problems };
}

function throwFirst(problems: FileProblem[]): void {
  const first = problems[0];
  if (first === undefined) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}: npm run policies:check lists them)` : '';
  throw new PolicyLoadError(first.file, first.pointer, `${first.message}${more}`);
}

/** Parse, validate (schema, then meaning) one policy file; the first problem throws. */
export function loadPolicyFile(file: string, known: KnownIds = {}): Policy {
  const { policy, problems } = checkPolicyFile(file, known);
  throwFirst(problems);
  return policy as Policy;
}

function effectiveOn(p: Policy, serviceDate: string): boolean {
  const day = serviceDate.slice(0, 10);
  const from = p.effective?.from;
  const to = p.effective?.to;
  return (from === undefined || day >= from) && (to === undefined || day <= to);
}

export function createRegistry(policies: Policy[]): PolicyRegistry {
  const byId = new Map(policies.map((p) => [p.id, p]));
  // Built once: drug|payer → its policies, latest start first, so a call looks up one short list.
  const byDrugAndPayer = new Map<string, Policy[]>();
  for (const p of policies) {
    const key = `${p.drug.id}|${p.payer.id}`;
    byDrugAndPayer.set(key, [...(byDrugAndPayer.get(key) ?? []), p]);
  }
  for (const list of byDrugAndPayer.values()) list.sort((a, b) => (b.effective?.from ?? '').localeCompare(a.effective?.from ?? ''));
  const forPlan = (p: Policy, lob: string | null | undefined): boolean => lob === null || lob === undefined || p.linesOfBusiness === undefined || p.linesOfBusiness.includes(lob);
  return {
    select(drugId, payerId, serviceDate, lineOfBusiness) {
      return byDrugAndPayer.get(`${drugId}|${payerId}`)?.find((p) => effectiveOn(p, serviceDate) && forPlan(p, lineOfBusiness));
    },
    inEffect(drugId, payerId, serviceDate) {
      return (byDrugAndPayer.get(`${drugId}|${payerId}`) ?? []).filter((p) => effectiveOn(p, serviceDate));
    },
    all: () => [...policies],
    get: (id) => byId.get(id),
  };
}

/**
 * Every `*.json` in `dir` (files starting with `_` are drafts and skipped), validated, with every problem found:
 * per file, duplicate ids, and versions of one policy whose effective dates overlap or leave a gap.
 */
export function checkPolicies(dir = 'policies', known: KnownIds = {}): { policies: Policy[]; problems: FileProblem[] } {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch (err) {
    return { policies: [], problems: [{ file: dir, pointer: '/', message: `cannot be read as a policy directory: ${(err as Error).message}` }] };
  }
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('_')).sort();
  const loaded: Array<{ file: string; policy: Policy }> = [];
  const problems: FileProblem[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = join(dir, name);
    const checked = checkPolicyFile(file, known);
    problems.push(...checked.problems);
    if (checked.policy === undefined) continue;
    const other = seen.get(checked.policy.id);
    if (other !== undefined) problems.push({ file, pointer: '/id', message: `duplicates policy id "${checked.policy.id}" of ${other}` });
    seen.set(checked.policy.id, file);
    loaded.push({ file, policy: checked.policy });
  }
  problems.push(...effectiveProblems(loaded));
  return { policies: loaded.map((l) => l.policy), problems };
}

/** As checkPolicies, for start-up: the first problem throws (naming file and JSON path). */
export function loadPolicies(dir = 'policies', known: KnownIds = {}): PolicyRegistry {
  const { policies, problems } = checkPolicies(dir, known);
  throwFirst(problems);
  return createRegistry(policies);
}
