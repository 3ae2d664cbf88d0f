/**
 * Load, validate and index the policy files. A policy is data; a broken
 * file stops start-up with a message naming the file and the JSON path.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { isAll, isAny, isNot, precompileLeaf } from './criteria.js';
import { referenceFacts } from './facts-skeleton.js';
import type { Criterion, Leaf, Operator, Policy } from './types.js';

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

/** What the loader can cross-check against the catalog, when one is given (a Catalog's Maps fit). */
export interface KnownIds {
  drugs?: { has(id: string): boolean };
  payers?: { has(id: string): boolean };
  /** lines of business the catalog can read from a Coverage (catalog/lines-of-business.json) */
  linesOfBusiness?: { has(id: string): boolean };
}

// ---------------------------------------------------------------- schema

const SCHEMA_URL = new URL('../../schemas/policy.schema.json', import.meta.url);

let compiled: ValidateFunction<Policy> | undefined;

/** Compiled once per process. */
export function policyValidator(): ValidateFunction<Policy> {
  if (compiled === undefined) {
    // strictRequired off: the criterion union tells its kinds apart with `if: { required: [...] }`.
    // validateSchema off: the schema file is checked against the meta-schema by test/schemas.test.ts, not at
    // every start-up (compiling the meta-schema is most of the cost).
    const ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true, validateSchema: false });
    addFormats.default(ajv);
    const schema: unknown = JSON.parse(readFileSync(SCHEMA_URL, 'utf8'));
    compiled = ajv.compile<Policy>(schema as object);
  }
  return compiled;
}

/** The most specific error: Ajv reports the inner failure before the if/then that led to it. */
function describe(error: ErrorObject): { pointer: string; detail: string } {
  const pointer = error.instancePath === '' ? '/' : error.instancePath;
  let detail = error.message ?? 'is invalid';
  const p: Record<string, unknown> = error.params;
  if (error.keyword === 'additionalProperties' && typeof p['additionalProperty'] === 'string') {
    detail += `: "${p['additionalProperty']}"`;
  }
  return { pointer, detail };
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

  constructor(private readonly file: string) {}

  fail(pointer: string, detail: string): never {
    throw new PolicyLoadError(this.file, pointer, detail);
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
    }
    if (selected === 0) this.fail(`${pointer}/fact`, `"${leaf.fact}" names no fact of ClinicalFacts`);
    const problem = valueProblem(leaf);
    if (problem !== undefined) this.fail(`${pointer}/value`, problem);
  }

  policy(p: Policy, known: KnownIds): void {
    this.window(p.effective?.from, p.effective?.to, '/effective', 'to');
    if (known.drugs !== undefined && !known.drugs.has(p.drug.id)) this.fail('/drug/id', `"${p.drug.id}" is not a catalog drug`);
    if (known.payers !== undefined && !known.payers.has(p.payer.id)) this.fail('/payer/id', `"${p.payer.id}" is not a catalog payer`);
    const lob = known.linesOfBusiness;
    if (lob !== undefined) {
      p.linesOfBusiness?.forEach((l, i) => lob.has(l) || this.fail(`/linesOfBusiness/${i}`, `"${l}" is not a catalog line of business`));
      const durations = [...(p.approvalDuration ?? []).map((d, i) => ({ d, at: `/approvalDuration/${i}` })), ...p.indications.flatMap((ind, j) => (ind.approvalDuration ?? []).map((d, i) => ({ d, at: `/indications/${j}/approvalDuration/${i}` })))];
      for (const { d, at } of durations) d.linesOfBusiness?.forEach((l, i) => lob.has(l) || this.fail(`${at}/linesOfBusiness/${i}`, `"${l}" is not a catalog line of business`));
    }
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

/** Parse, validate (schema, then meaning) one policy file. */
export function loadPolicyFile(file: string, known: KnownIds = {}): Policy {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PolicyLoadError(file, '/', `is not readable JSON: ${(err as Error).message}`);
  }
  const validate = policyValidator();
  if (!validate(json)) throw schemaError(file, validate.errors);
  new Checker(file).policy(json, known);
  return json;
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

/** Every `*.json` in `dir` (files starting with `_` are drafts and skipped), validated. */
export function loadPolicies(dir = 'policies', known: KnownIds = {}): PolicyRegistry {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch (err) {
    throw new PolicyLoadError(dir, '/', `cannot be read as a policy directory: ${(err as Error).message}`);
  }
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('_')).sort();
  const policies: Policy[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = join(dir, name);
    const policy = loadPolicyFile(file, known);
    const other = seen.get(policy.id);
    if (other !== undefined) throw new PolicyLoadError(file, '/id', `duplicates policy id "${policy.id}" of ${other}`);
    seen.set(policy.id, file);
    policies.push(policy);
  }
  return createRegistry(policies);
}
