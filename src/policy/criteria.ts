/**
 * Three-valued (Kleene) evaluation of a policy's criteria tree over
 * ClinicalFacts. An unknown fact is "not documented", never "false".
 */
import type { ClinicalFacts, Evidence, Fact } from '../facts/types.js';
import { compilePath, type CompiledPath } from './jsonpath.js';
import type { AllOf, AnyOf, Criterion, CriterionResult, Effective, Leaf, NotOf, Operator, Status } from './types.js';

type Scalar = string | number | boolean;
type Expected = Leaf['value'];

// ---------------------------------------------------------------- tree shape

export function isAll(c: Criterion): c is AllOf {
  return 'all' in c;
}
export function isAny(c: Criterion): c is AnyOf {
  return 'any' in c;
}
export function isNot(c: Criterion): c is NotOf {
  return 'not' in c;
}
export function isLeaf(c: Criterion): c is Leaf {
  return !isAll(c) && !isAny(c) && !isNot(c);
}

/** Every leaf under a criterion, in document order. */
export function leavesOf(c: Criterion): Leaf[] {
  if (isAll(c)) return c.all.flatMap(leavesOf);
  if (isAny(c)) return c.any.flatMap(leavesOf);
  if (isNot(c)) return leavesOf(c.not);
  return [c];
}

/** Inclusive effective window on the service date (YYYY-MM-DD compares as text). */
export function inEffect(e: Effective, serviceDate: string): boolean {
  const day = serviceDate.slice(0, 10);
  if (e.effectiveFrom !== undefined && day < e.effectiveFrom) return false;
  if (e.effectiveTo !== undefined && day > e.effectiveTo) return false;
  return true;
}

// ---------------------------------------------------------------- compiled paths

/** Leaves' paths, compiled once (by the loader, or on first use for hand-built policies). */
const compiledPaths = new WeakMap<Leaf, CompiledPath>();

export function precompileLeaf(leaf: Leaf): CompiledPath {
  let compiled = compiledPaths.get(leaf);
  if (compiled === undefined) {
    compiled = compilePath(leaf.fact);
    compiledPaths.set(leaf, compiled);
  }
  return compiled;
}

function isFactShaped(x: unknown): x is Fact<unknown> {
  return typeof x === 'object' && x !== null && 'value' in x && 'evidence' in x && Array.isArray(x.evidence);
}

/**
 * Read the Fact a path points at. Plain values (e.g. `$.order.drug`) read as
 * facts without evidence; a wildcard over several facts reads as one fact
 * whose value lists the known values.
 */
export function readFact(facts: ClinicalFacts, path: CompiledPath): Fact<unknown> {
  const matches = path.select(facts);
  const asFacts = matches.map((m): Fact<unknown> => (isFactShaped(m.value) ? m.value : { value: m.value ?? null, evidence: [] }));
  if (asFacts.length === 0) return { value: null, evidence: [], unknownReason: `${path.source} not in the facts` };
  if (asFacts.length === 1) return asFacts[0] as Fact<unknown>;
  const known = asFacts.filter((f) => f.value !== null);
  const evidence = asFacts.flatMap((f) => f.evidence);
  if (known.length === 0) {
    const reason = asFacts.find((f) => f.unknownReason !== undefined)?.unknownReason;
    return reason === undefined ? { value: null, evidence } : { value: null, evidence, unknownReason: reason };
  }
  return { value: known.flatMap((f) => (Array.isArray(f.value) ? (f.value as unknown[]) : [f.value])), evidence };
}

// ---------------------------------------------------------------- operators

interface OperatorOutcome {
  status: Status;
  /** the fact's values that made it met, to cite only the evidence that supports them */
  matched?: string[];
}

const met = (matched?: unknown[]): OperatorOutcome =>
  matched === undefined ? { status: 'met' } : { status: 'met', matched: matched.map(String) };
const notMet: OperatorOutcome = { status: 'not-met' };
const verdict = (ok: boolean, matched?: unknown[]): OperatorOutcome => (ok ? met(matched) : notMet);

function expectedList(expected: Expected): Scalar[] {
  if (expected === undefined) return [];
  return Array.isArray(expected) ? expected : [expected];
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

/** Numbers compare as numbers; strings (ISO dates) as text; anything else does not compare. */
function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function startsWithAny(value: unknown, prefixes: Scalar[]): boolean {
  return typeof value === 'string' && prefixes.some((p) => value.startsWith(String(p)));
}

/**
 * Apply an operator to a known (non-null) fact value. Scalar operators on an
 * array fact hold when some element satisfies them (`in` on ICD codes).
 */
export function applyOperator(op: Operator, value: unknown, expected: Expected): OperatorOutcome {
  const list = expectedList(expected);
  const values = asList(value);
  const some = (test: (v: unknown) => boolean): OperatorOutcome => {
    const hits = values.filter(test);
    return verdict(hits.length > 0, hits);
  };
  const ordered = (test: (d: number) => boolean): OperatorOutcome =>
    some((v) => {
      const d = compare(v, expected);
      return d !== undefined && test(d);
    });
  switch (op) {
    case 'equals':
      return some((v) => v === expected);
    case 'notEquals':
      return verdict(values.every((v) => v !== expected));
    case 'in':
      return some((v) => list.includes(v as Scalar));
    case 'notIn':
      return verdict(values.every((v) => !list.includes(v as Scalar)));
    case 'atLeast':
      return ordered((d) => d >= 0);
    case 'atMost':
      return ordered((d) => d <= 0);
    case 'greaterThan':
      return ordered((d) => d > 0);
    case 'lessThan':
      return ordered((d) => d < 0);
    case 'exists':
      return met([value].flat());
    case 'isTrue':
      return verdict(value === true);
    case 'isFalse':
      return verdict(value === false);
    case 'startsWith':
      return verdict(typeof value === 'string' && startsWithAny(value, list), [value]);
    case 'includesAny': {
      const hits = values.filter((v) => list.includes(v as Scalar));
      return verdict(hits.length > 0, hits);
    }
    case 'includesAll':
      return verdict(list.every((e) => values.includes(e)), list);
    case 'anyStartsWith':
      return some((v) => startsWithAny(v, list));
    case 'isEmpty':
      return verdict(Array.isArray(value) ? value.length === 0 : value === '');
    case 'notEmpty':
      return verdict(Array.isArray(value) ? value.length > 0 : value !== '', values);
    case 'mentions': {
      // A statement in free text can confirm; its absence only leaves the criterion open.
      const hit = values.includes(expected);
      return hit ? met([expected]) : { status: 'not-documented' };
    }
  }
}

/** Keep evidence that supports a matched value; evidence that does not say what it supports is kept. */
export function citeEvidence(evidence: Evidence[], matched: string[] | undefined): Evidence[] {
  if (matched === undefined) return evidence;
  return evidence.filter((e) => e.supports === undefined || e.supports.some((s) => matched.includes(s)));
}

// ---------------------------------------------------------------- tree evaluation

/** Kleene AND over the children in effect; none in effect → met (nothing to fail). */
export function allStatus(statuses: Status[]): Status {
  if (statuses.includes('not-met')) return 'not-met';
  if (statuses.includes('not-documented')) return 'not-documented';
  return 'met';
}

/** Kleene OR over the children in effect; none in effect → not-met (nothing to satisfy it). */
export function anyStatus(statuses: Status[]): Status {
  if (statuses.includes('met')) return 'met';
  if (statuses.includes('not-documented')) return 'not-documented';
  return 'not-met';
}

export function notStatus(s: Status): Status {
  return s === 'met' ? 'not-met' : s === 'not-met' ? 'met' : 'not-documented';
}

/** Evidence without repeats (same resource, same text), first occurrence kept. */
export function dedupeEvidence(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = `${e.reference}\u0000${e.text ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sourced(c: Criterion): Pick<CriterionResult, 'id' | 'label' | 'source'> {
  const out: Pick<CriterionResult, 'id' | 'label' | 'source'> = {};
  if (c.id !== undefined) out.id = c.id;
  if (c.label !== undefined) out.label = c.label;
  if (c.source !== undefined) out.source = c.source;
  return out;
}

function kindOf(c: Criterion): CriterionResult['kind'] {
  return isAll(c) ? 'all' : isAny(c) ? 'any' : isNot(c) ? 'not' : 'leaf';
}

export function evaluateLeaf(leaf: Leaf, facts: ClinicalFacts): CriterionResult {
  const fact = readFact(facts, precompileLeaf(leaf));
  const base: CriterionResult = { ...sourced(leaf), kind: 'leaf', status: 'not-documented', inEffect: true, evidence: [] };
  if (leaf.documentation !== undefined) base.documentation = leaf.documentation;
  if (fact.value === null && fact.bounds !== undefined && leaf.op !== 'exists') {
    // the value is unknown but bounded: when both ends give the same answer, so does every value between them
    const low = applyOperator(leaf.op, fact.bounds.min, leaf.value).status;
    const high = applyOperator(leaf.op, fact.bounds.max, leaf.value).status;
    if (low === high && low !== 'not-documented') return applyIfNotMet(leaf, { ...base, status: low, value: null, evidence: fact.evidence });
  }
  if (fact.value === null) {
    // `exists` asks whether the chart holds the fact: absent is "not met", unless it could not be fetched.
    const status: Status = leaf.op === 'exists' && fact.unknownReason === undefined ? 'not-met' : 'not-documented';
    const out: CriterionResult = { ...base, status, value: null, evidence: fact.evidence };
    if (fact.unknownReason !== undefined) out.unknownReason = fact.unknownReason;
    return applyIfNotMet(leaf, out);
  }
  const outcome = applyOperator(leaf.op, fact.value, leaf.value);
  const evidence = outcome.status === 'met' ? citeEvidence(fact.evidence, outcome.matched) : fact.evidence;
  // what could not be read might have met it: "not met" only when every source was read
  if (outcome.status === 'not-met' && fact.incomplete !== undefined) {
    return { ...base, status: 'not-documented', value: fact.value, evidence, unknownReason: fact.incomplete };
  }
  return applyIfNotMet(leaf, { ...base, status: outcome.status, value: fact.value, evidence });
}

/** The document allows another way to meet it that the chart cannot show: say "not documented". */
function applyIfNotMet(leaf: Leaf, r: CriterionResult): CriterionResult {
  return leaf.ifNotMet === 'not-documented' && r.status === 'not-met' ? { ...r, status: 'not-documented' } : r;
}

function outOfEffect(c: Criterion): CriterionResult {
  return { ...sourced(c), kind: kindOf(c), status: 'not-met', inEffect: false, evidence: [] };
}

/** Evidence of the children that decided the node's status. */
function decidingEvidence(status: Status, children: CriterionResult[]): Evidence[] {
  return dedupeEvidence(children.filter((c) => c.inEffect && c.status === status).flatMap((c) => c.evidence));
}

export function evaluateCriterion(c: Criterion, facts: ClinicalFacts): CriterionResult {
  if (!inEffect(c, facts.serviceDate)) return outOfEffect(c);
  if (isLeaf(c)) return evaluateLeaf(c, facts);
  if (isNot(c)) {
    const child = evaluateCriterion(c.not, facts);
    // A negated branch that is not in effect rules nothing out.
    const status = child.inEffect ? notStatus(child.status) : 'met';
    return { ...sourced(c), kind: 'not', status, inEffect: true, evidence: child.evidence, children: [child] };
  }
  const children = (isAll(c) ? c.all : c.any).map((child) => evaluateCriterion(child, facts));
  const statuses = children.filter((r) => r.inEffect).map((r) => r.status);
  const status = isAll(c) ? allStatus(statuses) : anyStatus(statuses);
  return { ...sourced(c), kind: kindOf(c), status, inEffect: true, evidence: decidingEvidence(status, children), children };
}

/**
 * The not-documented leaves that keep a result open: descend only through
 * not-documented nodes, since facts under a settled node did not matter.
 */
export function openLeaves(r: CriterionResult): CriterionResult[] {
  if (!r.inEffect || r.status !== 'not-documented') return [];
  if (r.kind === 'leaf') return [r];
  return (r.children ?? []).flatMap(openLeaves);
}

/** Settled leaves with the given status that decided the result (for "not met: …" reasons). */
export function decidingLeaves(r: CriterionResult, status: Status): CriterionResult[] {
  if (!r.inEffect) return [];
  if (r.kind === 'leaf') return r.status === status ? [r] : [];
  const children = r.children ?? [];
  if (r.kind === 'not') {
    const child = children[0];
    return child === undefined ? [] : decidingLeaves(child, notStatus(status));
  }
  return r.status === status ? children.flatMap((c) => decidingLeaves(c, status)) : [];
}
