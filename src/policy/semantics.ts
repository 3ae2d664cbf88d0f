/**
 * Meaning checks of a schema-valid policy: what the schema cannot know. Every leaf's fact path, operator and value
 * against the facts model (src/facts/model.ts); every payer, drug, drug class, attestation, phase and line of
 * business against the catalog. Each problem names the JSON pointer, what was expected and, when one is close, the
 * nearest valid value — so an analyst can fix it without reading TypeScript.
 */
import { factSpec, type FactSpec, type Vocabulary } from '../facts/model.js';
import type { Catalog } from '../catalog/types.js';
import { isAll, isAny, isNot } from './criteria.js';
import type { Criterion, CumulativeCap, Leaf, Operator, Policy } from './types.js';

export interface PolicyProblem {
  pointer: string;
  message: string;
}

/** The catalog lists a policy may name; a list that is absent is not checked (test fixtures use made-up ids). */
export type KnownIds = Partial<Record<Vocabulary, IdList>>;

/** A Set of ids or a Map keyed by id (the catalog's Maps fit). */
export interface IdList {
  has(id: string): boolean;
  keys(): Iterable<string>;
}

/** The lists of a loaded catalog. */
export function knownIdsOf(
  catalog: Pick<Catalog, 'drugs' | 'payers' | 'attestations' | 'phases' | 'linesOfBusiness' | 'observations' | 'diagnoses' | 'specialtyGroups' | 'regimens'>,
): KnownIds {
  const drugs = [...catalog.drugs.values()];
  // a class or a named regimen (catalog/regimens.json adds its id to the partner classes it is recognised in)
  const drugClasses = new Set([...drugs.flatMap((d) => d.classes), ...catalog.regimens.map((r) => r.id)]);
  return {
    drugs: new Set(drugs.map((d) => d.id)),
    drugClasses,
    drugsOrClasses: new Set([...drugs.map((d) => d.id), ...drugClasses]),
    payers: new Set(catalog.payers.keys()),
    attestations: new Set(catalog.attestations.map((a) => a.id)),
    phases: new Set(catalog.phases.map((p) => p.phase)),
    linesOfBusiness: new Set(catalog.linesOfBusiness.map((r) => r.lineOfBusiness)),
    responseCategories: new Set(catalog.observations.responseCategories.categories.map((c) => c.category)),
    diseases: new Set(catalog.diagnoses.diseases.groups.map((g) => g.disease)),
    specialtyGroups: new Set(catalog.specialtyGroups.map((g) => g.group)),
    regimens: new Set(catalog.regimens.map((r) => r.id)),
  };
}

const VOCABULARY_FILE: Record<Vocabulary, string> = {
  drugs: 'a drug id of catalog/drugs.json',
  drugClasses: 'a drug class of catalog/drugs.json or a regimen of catalog/regimens.json',
  drugsOrClasses: 'a drug id or drug class of catalog/drugs.json',
  attestations: 'an attestation id of catalog/attestations.json',
  phases: 'a phase of catalog/attestations.json "phases"',
  payers: 'a payer id of catalog/payers.json',
  linesOfBusiness: 'a line of business of catalog/lines-of-business.json',
  responseCategories: 'a response category of catalog/observation-codes.json responseCategories',
  diseases: 'a disease group of catalog/diagnosis-codes.json "diseases"',
  specialtyGroups: 'a specialty group of catalog/specialties.json',
  regimens: 'a regimen id of catalog/regimens.json',
};

// ---------------------------------------------------------------- nearest valid value

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest candidate (case-insensitive match first, then edit distance up to a third of the length). */
export function nearest(value: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const folded = list.find((c) => c.toLowerCase() === value.toLowerCase());
  if (folded !== undefined) return folded;
  // a shortened id ("inotuzumab" for "inotuzumab-ozogamicin"): the shortest candidate that starts with it
  const extended = list.filter((c) => c.toLowerCase().startsWith(value.toLowerCase())).sort((a, b) => a.length - b.length)[0];
  if (extended !== undefined && value.length >= 3) return extended;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(value.length / 3)) + 1;
  for (const c of list) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

const didYouMean = (near: string | undefined): string => (near === undefined ? '' : ` — did you mean "${near}"?`);

// ---------------------------------------------------------------- operators per fact type

const OPERATORS: Record<FactSpec['type'], readonly Operator[]> = {
  number: ['equals', 'notEquals', 'in', 'notIn', 'atLeast', 'atMost', 'greaterThan', 'lessThan', 'exists'],
  date: ['equals', 'notEquals', 'atLeast', 'atMost', 'greaterThan', 'lessThan', 'exists'],
  boolean: ['isTrue', 'isFalse', 'equals', 'notEquals', 'exists'],
  text: ['equals', 'notEquals', 'in', 'notIn', 'startsWith', 'exists'],
  list: ['includesAny', 'includesAll', 'anyStartsWith', 'mentions', 'isEmpty', 'notEmpty', 'exists', 'equals', 'in', 'notIn', 'startsWith'],
  object: ['exists'],
};
const PREFIX_OPERATORS: ReadonlySet<Operator> = new Set(['startsWith', 'anyStartsWith']);

const TYPE_WORDS: Record<FactSpec['type'], string> = {
  number: 'a number',
  date: 'a date',
  boolean: 'true/false',
  text: 'a text value',
  list: 'a list',
  object: 'a structured value',
};

function show(v: unknown): string {
  return JSON.stringify(v);
}

/** Leaf checks against the facts model and the catalog. */
export class SemanticChecker {
  readonly problems: PolicyProblem[] = [];

  constructor(private readonly known: KnownIds) {}

  private add(pointer: string, message: string): void {
    this.problems.push({ pointer, message });
  }

  /** A value that must be one of a catalog list. */
  vocabulary(value: unknown, vocabulary: Vocabulary, pointer: string): void {
    const list = this.known[vocabulary];
    if (list === undefined || typeof value !== 'string' || list.has(value)) return;
    this.add(pointer, `${show(value)} is not ${VOCABULARY_FILE[vocabulary]}${didYouMean(nearest(value, list.keys()))}`);
  }

  criterion(c: Criterion, pointer: string): void {
    if (isAll(c)) c.all.forEach((child, i) => this.criterion(child, `${pointer}/all/${i}`));
    else if (isAny(c)) c.any.forEach((child, i) => this.criterion(child, `${pointer}/any/${i}`));
    else if (isNot(c)) this.criterion(c.not, `${pointer}/not`);
    else this.leaf(c, pointer);
  }

  private leaf(leaf: Leaf, pointer: string): void {
    const found = factSpec(leaf.fact);
    // Through a wildcard (`$.authorizations[*].drug`) the values read as one list.
    const spec: FactSpec | undefined = found?.type === 'text' && leaf.fact.includes('[*]') ? { ...found, type: 'list' } : found;
    // Paths the model does not list as one fact (filters, unions) were checked against the skeleton by the loader.
    if (spec === undefined) return;
    const allowed = OPERATORS[spec.type];
    if (!allowed.includes(leaf.op)) {
      this.add(`${pointer}/op`, `"${leaf.op}" does not apply to ${leaf.fact}, which is ${TYPE_WORDS[spec.type]}; use one of ${allowed.join(', ')} (see docs/facts.md)`);
      return;
    }
    if (leaf.unit !== undefined) {
      const unit = spec.type === 'number' ? spec.unit : undefined;
      if (unit === undefined) this.add(`${pointer}/unit`, `${leaf.fact} has no unit; remove "unit"`);
      else if (leaf.unit !== unit) this.add(`${pointer}/unit`, `${leaf.fact} is in ${unit}, not ${show(leaf.unit)}; convert the value to ${unit} and write "unit": "${unit}"`);
    }
    if (leaf.value === undefined) return;
    const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
    values.forEach((v, i) => this.value(leaf, spec, v, Array.isArray(leaf.value) ? `${pointer}/value/${i}` : `${pointer}/value`));
  }

  private value(leaf: Leaf, spec: FactSpec, v: unknown, pointer: string): void {
    switch (spec.type) {
      case 'number':
        if (typeof v !== 'number') {
          const asNumber = typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v));
          this.add(pointer, `${leaf.fact} is a number${spec.unit === undefined ? '' : ` (in ${spec.unit})`}; ${show(v)} is ${typeof v}${asNumber ? ` — write ${Number(v)} without quotes` : ''}`);
        } else if (spec.integer === true && !Number.isInteger(v)) this.add(pointer, `${leaf.fact} is a whole number; ${v} never matches`);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') this.add(pointer, `${leaf.fact} is true/false; ${show(v)} never matches — use "op": "isTrue" or "isFalse"`);
        return;
      case 'date':
        if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) this.add(pointer, `${leaf.fact} is a date; write ${show(v)} as "YYYY-MM-DD"`);
        return;
      case 'object':
        return;
      case 'text':
      case 'list': {
        if (typeof v !== 'string') {
          this.add(pointer, `${leaf.fact} holds text; ${show(v)} is ${typeof v} — write it in quotes`);
          return;
        }
        const prefix = PREFIX_OPERATORS.has(leaf.op);
        if (spec.values !== undefined && !prefix && !spec.values.includes(v)) {
          this.add(pointer, `${show(v)} is not a value of ${leaf.fact}; expected one of ${spec.values.join(', ')}${didYouMean(nearest(v, spec.values))}`);
        }
        if (spec.vocabulary !== undefined && !prefix) this.vocabulary(v, spec.vocabulary, pointer);
        if (spec.pattern !== undefined) {
          // a prefix ("C50") cannot match the whole pattern; it must at least be in the code's case
          const ok = prefix ? !/[a-z]/.test(v) : new RegExp(spec.pattern).test(v);
          if (!ok) this.add(pointer, `${show(v)} is not ${spec.patternText ?? `a value matching ${spec.pattern}`}${/[a-z]/.test(v) ? ` — did you mean "${v.toUpperCase()}"?` : ''}`);
        }
      }
    }
  }

  /** A total per course needs the pause that ends a course; a total per cycle has none. */
  private courseGap(cap: CumulativeCap, pointer: string): void {
    if (cap.per === 'course' && cap.courseGapDays === undefined) {
      this.add(
        pointer,
        'a total per course needs "courseGapDays": the longest pause, in days, between two doses that still continues the course (a longer one starts a new course), as the document states or the clause table reads it — e.g. "courseGapDays": 42',
      );
    }
    if (cap.per === 'cycle' && cap.courseGapDays !== undefined) {
      this.add(`${pointer}/courseGapDays`, '"courseGapDays" applies to a total per course only: remove it, or write "per": "course" if the document limits the whole course');
    }
  }

  /** Payer, drug, lines of business and every criterion of a policy. */
  policy(p: Policy): void {
    this.vocabulary(p.payer.id, 'payers', '/payer/id');
    this.vocabulary(p.drug.id, 'drugs', '/drug/id');
    p.linesOfBusiness?.forEach((l, i) => this.vocabulary(l, 'linesOfBusiness', `/linesOfBusiness/${i}`));
    const durations = (list: Policy['approvalDuration'], at: string): void =>
      list?.forEach((d, i) => d.linesOfBusiness?.forEach((l, j) => this.vocabulary(l, 'linesOfBusiness', `${at}/${i}/linesOfBusiness/${j}`)));
    durations(p.approvalDuration, '/approvalDuration');
    p.indications.forEach((ind, i) => {
      const at = `/indications/${i}`;
      durations(ind.approvalDuration, `${at}/approvalDuration`);
      this.criterion(ind.criteria, `${at}/criteria`);
      ind.doseLimits?.forEach((set, j) => {
        if (set.when !== undefined) this.criterion(set.when, `${at}/doseLimits/${j}/when`);
        set.alternatives.forEach((alt, k) => {
          if (alt.when !== undefined) this.criterion(alt.when, `${at}/doseLimits/${j}/alternatives/${k}/when`);
          // a total per cycle below one dose's cap (same unit) is a units or a transcription mistake
          if (alt.cumulative !== undefined && alt.dose !== undefined && alt.dose.unit === alt.cumulative.unit && alt.cumulative.max < alt.dose.max) {
            this.problems.push({
              pointer: `${at}/doseLimits/${j}/alternatives/${k}/cumulative/max`,
              message: `a total per ${alt.cumulative.per} of ${alt.cumulative.max} ${alt.cumulative.unit} is less than one dose's cap of ${alt.dose.max} ${alt.dose.unit}: check the numbers against the document`,
            });
          }
          if (alt.cumulative !== undefined) this.courseGap(alt.cumulative, `${at}/doseLimits/${j}/alternatives/${k}/cumulative`);
        });
      });
    });
    p.exclusions?.forEach((ex, i) => this.criterion(ex.criteria, `/exclusions/${i}/criteria`));
    this.lineCounting(p.lineCounting);
  }

  /** The line-counting reading says what it means: an early-relapse window only where curative therapy can count. */
  lineCounting(reading: Policy['lineCounting']): void {
    if (reading === undefined) return;
    if (reading.setting === 'advanced' && reading.earlyRelapseMonths === undefined) {
      this.problems.push({ pointer: '/lineCounting/earlyRelapseMonths', message: 'with setting "advanced", state how early relapse after curative-intent therapy is read: earlyRelapseMonths (e.g. 12; 0 = never counts it)' });
    }
    if (reading.setting === 'any' && reading.earlyRelapseMonths !== undefined) {
      this.problems.push({ pointer: '/lineCounting/earlyRelapseMonths', message: 'with setting "any" every line counts already: earlyRelapseMonths has no effect — remove it, or use setting "advanced"' });
    }
  }
}

/** Versions of one policy (same drug and payer) must follow each other: no overlap, no gap. */
export function effectiveProblems(policies: Array<{ file: string; policy: Policy }>): Array<PolicyProblem & { file: string }> {
  const groups = new Map<string, Array<{ file: string; policy: Policy }>>();
  for (const e of policies) {
    const key = `${e.policy.drug.id}|${e.policy.payer.id}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out: Array<PolicyProblem & { file: string }> = [];
  for (const list of groups.values()) {
    list.sort((a, b) => (a.policy.effective?.from ?? '').localeCompare(b.policy.effective?.from ?? ''));
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const next = list[i]!;
      const prevTo = prev.policy.effective?.to;
      const nextFrom = next.policy.effective?.from;
      const names = `${prev.policy.id} (${prev.file}) and ${next.policy.id}`;
      if (prevTo === undefined || nextFrom === undefined || prevTo >= nextFrom) {
        out.push({ file: next.file, pointer: '/effective/from', message: `overlaps ${names}: both in effect on ${nextFrom ?? prev.policy.effective?.from ?? 'every date'}; end the earlier version with "to": "${nextFrom === undefined ? 'YYYY-MM-DD' : dayBefore(nextFrom)}"` });
      } else if (dayBefore(nextFrom) !== prevTo) {
        out.push({ file: next.file, pointer: '/effective/from', message: `leaves a gap after ${names}: no version in effect from ${dayAfter(prevTo)} to ${dayBefore(nextFrom)}; start this version on "${dayAfter(prevTo)}" or extend the earlier one` });
      }
    }
  }
  return out;
}

function shiftDay(day: string, by: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + by);
  return d.toISOString().slice(0, 10);
}
const dayBefore = (day: string): string => shiftDay(day, -1);
const dayAfter = (day: string): string => shiftDay(day, 1);
