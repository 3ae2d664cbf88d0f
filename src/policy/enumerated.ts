/**
 * Enumerated facts: a fact whose value is unknown but one of a known set (treatment phase, ALL lineage, Philadelphia
 * status — the facts layer lists the values the chart still allows in `possibleValues`). When the answer is
 * conditional, the policy is evaluated once under every combination of those values; when every combination gives
 * the same coverage answer, that answer is the chart's, and `conditional` is kept only for facts that would change it.
 */
import type { ClinicalFacts, Evidence, Fact } from '../facts/types.js';
import { leavesOf, precompileLeaf, readFact } from './criteria.js';
import type { Criterion, Leaf, Policy, PolicyEvaluation } from './types.js';

/** Above this many combinations the answer stays conditional rather than multiply the evaluation cost. */
const MAX_COMBINATIONS = 64;
const PLAIN_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

export interface OpenChoice {
  /** JSONPath of the fact, e.g. `$.order.phase` */
  fact: string;
  values: string[];
}

function criteriaOf(policy: Policy): Criterion[] {
  const out: Criterion[] = [];
  for (const ind of policy.indications) {
    out.push(ind.criteria);
    for (const set of ind.doseLimits ?? []) {
      if (set.when !== undefined) out.push(set.when);
      for (const alt of set.alternatives) if (alt.when !== undefined) out.push(alt.when);
    }
  }
  for (const ex of policy.exclusions ?? []) out.push(ex.criteria);
  return out;
}

/** Leaves reading an unknown fact that lists its possible values; a leaf that accepts silence (ifNotDocumented) is settled. */
export function openChoices(policy: Policy, facts: ClinicalFacts): OpenChoice[] {
  const byPath = new Map<string, OpenChoice>();
  const leaves: Leaf[] = criteriaOf(policy).flatMap(leavesOf);
  for (const leaf of leaves) {
    if (leaf.ifNotDocumented !== undefined || byPath.has(leaf.fact) || !PLAIN_PATH.test(leaf.fact)) continue;
    const fact = readFact(facts, precompileLeaf(leaf));
    if (fact.value !== null || fact.possibleValues === undefined || fact.possibleValues.length === 0) continue;
    byPath.set(leaf.fact, { fact: leaf.fact, values: fact.possibleValues.map(String) });
  }
  return [...byPath.values()];
}

/** A copy of the facts with the fact at a plain path (`$.a.b`) replaced; objects along the path are copied, not mutated. */
function withFact(facts: ClinicalFacts, path: string, fact: Fact<unknown>): ClinicalFacts {
  const names = path.slice(2).split('.');
  const set = (node: unknown, i: number): unknown => {
    const name = names[i] as string;
    const object = (typeof node === 'object' && node !== null ? node : {}) as Record<string, unknown>;
    return { ...object, [name]: i === names.length - 1 ? fact : set(object[name], i + 1) };
  };
  return set(facts, 0) as ClinicalFacts;
}

function combinations(choices: OpenChoice[]): Array<Array<{ fact: string; value: string }>> {
  return choices.reduce<Array<Array<{ fact: string; value: string }>>>(
    (acc, choice) => acc.flatMap((combo) => choice.values.map((value) => [...combo, { fact: choice.fact, value }])),
    [[]],
  );
}

/** The supposed value carries the fact's own evidence and says that every allowed value was tried. */
function supposed(original: Fact<unknown>, choice: OpenChoice, value: string): Fact<unknown> {
  const reference = original.evidence[0]?.reference ?? 'unknown';
  const note: Evidence = {
    reference,
    text: `${original.unknownReason ?? 'Not documented'}; the answer is the same for every value the chart allows (${choice.values.join(', ')})`,
    supports: [value],
  };
  return { value, evidence: [note, ...original.evidence.map((e) => ({ ...e, supports: [value] }))] };
}

/**
 * Settle a conditional evaluation when every value the open facts can take leads to the same answer. Returns the
 * evaluation under the first combination, marked with the choices it was settled over; undefined when they differ.
 */
export function settleOverChoices(
  policy: Policy,
  facts: ClinicalFacts,
  evaluateOnce: (policy: Policy, facts: ClinicalFacts) => PolicyEvaluation,
): PolicyEvaluation | undefined {
  const choices = openChoices(policy, facts);
  if (choices.length === 0) return undefined;
  const combos = combinations(choices);
  if (combos.length > MAX_COMBINATIONS) return undefined;
  const originals = new Map(choices.map((c) => [c.fact, readFact(facts, precompileLeaf({ id: c.fact, label: c.fact, source: c.fact, fact: c.fact, op: 'exists' }))]));
  const evaluations = combos.map((combo) => {
    let supposedFacts = facts;
    for (const { fact, value } of combo) {
      const choice = choices.find((c) => c.fact === fact) as OpenChoice;
      supposedFacts = withFact(supposedFacts, fact, supposed(originals.get(fact) as Fact<unknown>, choice, value));
    }
    return evaluateOnce(policy, supposedFacts);
  });
  const first = evaluations[0] as PolicyEvaluation;
  const same = evaluations.every((e) => e.covered === first.covered && e.paNeeded === first.paNeeded && e.dose.status === first.dose.status);
  if (!same || first.covered === 'conditional') return undefined;
  return { ...first, settledOver: choices };
}
