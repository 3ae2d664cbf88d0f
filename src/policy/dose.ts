/**
 * Dose and schedule limits. Generic over units: a cap is a mass (mg or ug)
 * per administration or per day, absolute or per m² / per kg; the order's
 * amount is brought to the cap's basis with the patient's body surface area
 * or weight. Nothing here knows a drug.
 */
import type { ClinicalFacts, DoseHistory, Evidence, Fact, GivenDose, OrderedAmount, OrderedDoseLine, OrderedSchedule, UnreadableDose } from '../facts/types.js';
import { daysBetween } from '../facts/dates.js';
import { allStatus, anyStatus, dedupeEvidence, evaluateCriterion, openLeaves } from './criteria.js';
import { DOSE_UNITS, MICROGRAMS_PER as UG_PER, ucumOf, type UcumQuantity } from '../units.js';
import type { CourseTotal, Criterion, CriterionResult, CumulativeCap, DoseAlternative, DoseExceeds, DoseCap, DoseCheck, DoseLimitSet, DoseLimitValue, OrderedDose, Status } from './types.js';

type Basis = OrderedAmount['basis'];
type Per = OrderedAmount['per'];

export { DOSE_UNITS } from '../units.js';

/** Tolerance for floating-point noise only; payers do not round in the order's favour. */
const EPSILON = 1e-9;

/** The limit of one alternative, as numbers. */
export function limitValue(alt: DoseAlternative): DoseLimitValue {
  const out: DoseLimitValue = {};
  if (alt.dose !== undefined) out.dose = alt.dose;
  if (alt.schedule !== undefined) out.schedule = alt.schedule;
  if (alt.cumulative !== undefined) out.cumulative = alt.cumulative;
  return out;
}

// ---------------------------------------------------------------- patient scale

interface Scale {
  bsa: Fact<number>;
  weight: Fact<number>;
}

const SCALE_FACT: Readonly<Record<Exclude<Basis, 'absolute'>, { key: keyof Scale; name: string }>> = {
  'per-m2': { key: 'bsa', name: '$.body.bodySurfaceArea' },
  'per-kg': { key: 'weight', name: '$.body.weightKg' },
};

/** Multiplier from a basis to absolute: 1, the BSA (m²) or the weight (kg); undefined when unknown. */
function factorFor(basis: Basis, scale: Scale): number | undefined {
  if (basis === 'absolute') return 1;
  const v = scale[SCALE_FACT[basis].key].value;
  return v !== null && v > 0 ? v : undefined;
}

function scaleQuantity(basis: Basis, scale: Scale): UcumQuantity | undefined {
  if (basis === 'per-m2') return { value: scale.bsa.value ?? 0, unit: 'm2' };
  if (basis === 'per-kg') return { value: scale.weight.value ?? 0, unit: 'kg' };
  return undefined;
}

/** Collects what a check needed and did not have. */
class Needs {
  readonly missing = new Set<string>();
  readonly reasons = new Set<string>();
  readonly evidence: Evidence[] = [];

  scale(basis: Basis, scale: Scale): number | undefined {
    const f = factorFor(basis, scale);
    if (basis === 'absolute') return f;
    const fact = scale[SCALE_FACT[basis].key];
    if (f === undefined) {
      this.missing.add(SCALE_FACT[basis].name);
      if (fact.unknownReason !== undefined) this.reasons.add(fact.unknownReason);
    } else {
      this.evidence.push(...fact.evidence);
    }
    return f;
  }

  fact(name: string, fact: Fact<unknown>): void {
    this.missing.add(name);
    if (fact.unknownReason !== undefined) this.reasons.add(fact.unknownReason);
  }
}

// ---------------------------------------------------------------- dose part

/** Ordered amount in micrograms, absolute, per the order's own `per`. */
function orderedAbsoluteUg(amount: OrderedAmount, needs: Needs, scale: Scale): number | undefined {
  const f = needs.scale(amount.basis, scale);
  return f === undefined ? undefined : amount.value * UG_PER[amount.unit] * f;
}

/** A cap in absolute micrograms for this patient. */
function capAbsoluteUg(cap: DoseCap, needs: Needs, scale: Scale): number | undefined {
  const parts = DOSE_UNITS[cap.unit];
  const f = needs.scale(parts.basis, scale);
  return f === undefined ? undefined : cap.max * UG_PER[parts.mass] * f;
}

/**
 * Per administration and per day compare only when the order is given once a
 * day (a continuous infusion written per administration, or the reverse).
 */
function perCompatible(amount: OrderedAmount, capPer: Per, schedule: OrderedSchedule | null): boolean {
  if (amount.per === capPer) return true;
  return schedule !== null && schedule.administrations === schedule.periodDays;
}

interface DosePart {
  status: Status;
  /** the order in the cap's unit and the body measure used: 50 mg/m2 at 1.8 m2 */
  inCapUnit?: { amount: UcumQuantity; scale?: UcumQuantity };
}

function checkAmount(
  dose: NonNullable<DoseAlternative['dose']>,
  amount: OrderedAmount,
  schedule: OrderedSchedule | null,
  scale: Scale,
  needs: Needs,
): DosePart {
  const capParts = DOSE_UNITS[dose.unit];
  if (!perCompatible(amount, capParts.per, schedule)) {
    // per administration vs per day, and the order not given once a day: its own amount cannot be compared
    needs.missing.add(capParts.per === 'day' ? '$.order.dosePerDay' : '$.order.dosePerAdministration');
    return { status: 'not-documented' };
  }
  const statuses: Status[] = [];
  let inCapUnit: DosePart['inCapUnit'];
  const capUg = dose.max * UG_PER[capParts.mass];
  if (amount.basis === capParts.basis) {
    // Same basis: compare directly, no body measure needed (40 mg/m² vs 40 mg/m²).
    const orderedUg = amount.value * UG_PER[amount.unit];
    statuses.push(orderedUg <= capUg * (1 + EPSILON) ? 'met' : 'not-met');
  } else {
    const orderedUg = orderedAbsoluteUg(amount, needs, scale);
    const capFactor = needs.scale(capParts.basis, scale);
    if (orderedUg === undefined || capFactor === undefined) statuses.push('not-documented');
    else {
      const inCapBasis = orderedUg / capFactor;
      statuses.push(inCapBasis <= capUg * (1 + EPSILON) ? 'met' : 'not-met');
      const scaleBasis = capParts.basis === 'absolute' ? amount.basis : capParts.basis;
      const measure = scaleQuantity(scaleBasis, scale);
      inCapUnit = { amount: { value: inCapBasis / UG_PER[capParts.mass], unit: ucumOf(capParts) }, ...(measure && { scale: measure }) };
    }
  }
  if (dose.notToExceed !== undefined) {
    const orderedUg = orderedAbsoluteUg(amount, needs, scale);
    const nteUg = capAbsoluteUg(dose.notToExceed, needs, scale);
    if (orderedUg === undefined || nteUg === undefined) statuses.push('not-documented');
    else statuses.push(orderedUg <= nteUg * (1 + EPSILON) ? 'met' : 'not-met');
  }
  const out: DosePart = { status: allStatus(statuses) };
  if (inCapUnit !== undefined) out.inCapUnit = inCapUnit;
  return out;
}

// ---------------------------------------------------------------- schedule part

/**
 * How many administrations the order gives in `periodDays`. A course shorter
 * than the period (weekly for 21 days) counts whole administrations in it;
 * otherwise the order's rate is scaled to the period (weekly = 4 per 28 days).
 */
export function administrationsIn(order: OrderedSchedule, periodDays: number): number {
  if (order.durationDays !== undefined && order.durationDays < periodDays) {
    return order.administrations * Math.ceil(order.durationDays / order.periodDays - EPSILON);
  }
  return (order.administrations * periodDays) / order.periodDays;
}

function checkSchedule(limit: NonNullable<DoseAlternative['schedule']>, schedule: OrderedSchedule): Status {
  return administrationsIn(schedule, limit.periodDays) <= limit.maxAdministrations + EPSILON ? 'met' : 'not-met';
}

// ---------------------------------------------------------------- cumulative part

interface CumulativePart {
  status: Status;
  cycleTotal?: NonNullable<OrderedDose['cycleTotal']>;
  courseTotal?: CourseTotal;
  /** per course: what the course may still receive, in absolute micrograms for this patient (for an exact fix) */
  courseRoomUg?: number;
}

type CapParts = (typeof DOSE_UNITS)[CumulativeCap['unit']];

/** One amount in the cap's basis (µg, or µg per m² / per kg); undefined when the body measure is missing (noted in needs). */
function inCapBasisUg(amount: OrderedAmount, capParts: CapParts, scale: Scale, needs: Needs): { ug: number | undefined; scaled: boolean } {
  if (amount.basis === capParts.basis) return { ug: amount.value * UG_PER[amount.unit], scaled: false };
  const orderedUg = orderedAbsoluteUg(amount, needs, scale);
  const capFactor = needs.scale(capParts.basis, scale);
  return { ug: orderedUg === undefined || capFactor === undefined ? undefined : orderedUg / capFactor, scaled: true };
}

const inCapUnit = (ug: number, capParts: CapParts): UcumQuantity => ({ value: Math.round((ug / UG_PER[capParts.mass]) * 1e6) / 1e6, unit: ucumOf(capParts) });

/** The BSA and weight of a given dose's own date when documented (a course that began before a weight change), else the order's. */
function scaleOnDate(dose: GivenDose, scale: Scale): Scale {
  const on = (value: number | undefined, current: Fact<number>): Fact<number> => (value === undefined ? current : { value, evidence: [] });
  return { bsa: on(dose.bsaM2, scale.bsa), weight: on(dose.weightKg, scale.weight) };
}

/** The body measure a conversion used, for the card ("at BSA 1.80 m²"). */
function measureUsed(capParts: CapParts, amounts: readonly OrderedAmount[], scale: Scale): UcumQuantity | undefined {
  const basis = capParts.basis === 'absolute' ? (amounts.find((a) => a.basis !== 'absolute')?.basis ?? 'absolute') : capParts.basis;
  return scaleQuantity(basis, scale);
}

interface Planned {
  ug: number;
  lines: Array<{ amount: UcumQuantity; administrations: number }>;
  scaled: boolean;
}

/** The order's own doses (each dose line × how many times it is given) in the cap's basis; undefined when not documented (noted in needs). */
function plannedTotal(lines: Fact<OrderedDoseLine[]>, capParts: CapParts, scale: Scale, needs: Needs): Planned | undefined {
  if (lines.value === null) {
    needs.fact('$.order.doseLines', lines);
    return undefined;
  }
  needs.evidence.push(...lines.evidence);
  if (lines.value.some((l) => l.amount.per !== 'administration')) {
    needs.missing.add('$.order.doseLines');
    needs.reasons.add('a total dose is not computed for a continuous infusion written per day');
    return undefined;
  }
  const planned: Planned = { ug: 0, lines: [], scaled: false };
  for (const line of lines.value) {
    if (line.administrations === undefined) {
      needs.missing.add('$.order.doseLines');
      needs.reasons.add('the order does not say how many times each dose line is given (timing.repeat.count or timing.event)');
      return undefined;
    }
    const { ug, scaled } = inCapBasisUg(line.amount, capParts, scale, needs);
    if (ug === undefined) return undefined;
    planned.scaled ||= scaled;
    planned.ug += ug * line.administrations;
    planned.lines.push({ amount: { value: line.amount.value, unit: ucumOf({ mass: line.amount.unit, basis: line.amount.basis, per: 'administration' }) }, administrations: line.administrations });
  }
  return planned;
}

/**
 * The order's total over its dose lines (each amount × how many times it is given), in the cap's unit, against a
 * total per cycle. The order is read as one cycle (a cycle's order: day 1, 8 and 15 of a 21-day cycle).
 */
function checkCycle(cap: CumulativeCap, lines: Fact<OrderedDoseLine[]>, scale: Scale, needs: Needs): CumulativePart {
  const capParts = DOSE_UNITS[cap.unit];
  const planned = plannedTotal(lines, capParts, scale, needs);
  if (planned === undefined) return { status: 'not-documented' };
  const measure = planned.scaled ? measureUsed(capParts, (lines.value ?? []).map((l) => l.amount), scale) : undefined;
  const status: Status = planned.ug <= cap.max * UG_PER[capParts.mass] * (1 + EPSILON) ? 'met' : 'not-met';
  return { status, cycleTotal: { total: inCapUnit(planned.ug, capParts), lines: planned.lines, ...(measure !== undefined ? { scale: measure } : {}) } };
}

/** A dose given, or a source that could not be read, on the course's time line. */
type CourseItem = { date: string; dose: GivenDose } | { date: string; unreadable: UnreadableDose };

/**
 * The current course: walking back from the service date, every dose (and every unreadable source) no more than
 * `gapDays` after the one before it; a longer pause ends the walk. Undated unreadable sources may be in it.
 */
export function currentCourse(history: DoseHistory, serviceDate: string, gapDays: number): { doses: GivenDose[]; unreadable: UnreadableDose[]; since: string } {
  const items: CourseItem[] = [
    ...history.doses.filter((d) => d.date < serviceDate).map((dose) => ({ date: dose.date, dose })),
    ...history.unreadable.flatMap((u) => (u.date !== undefined && u.date < serviceDate ? [{ date: u.date, unreadable: u }] : [])),
  ].sort((a, b) => b.date.localeCompare(a.date));
  const doses: GivenDose[] = [];
  const unreadable = history.unreadable.filter((u) => u.date === undefined);
  let cursor = serviceDate;
  for (const item of items) {
    if (daysBetween(item.date, cursor) > gapDays) break;
    if ('dose' in item) doses.push(item.dose);
    else unreadable.push(item.unreadable);
    cursor = item.date;
  }
  return { doses: doses.reverse(), unreadable, since: cursor };
}

/** Given doses per order or administration, oldest first, in the cap's unit. */
function givenBySource(doses: readonly GivenDose[], ugOf: ReadonlyMap<GivenDose, number>, capParts: CapParts): CourseTotal['given'] {
  const bySource = new Map<string, CourseTotal['given'][number] & { ug: number }>();
  for (const d of doses) {
    const ug = ugOf.get(d) ?? 0;
    const entry = bySource.get(d.reference);
    if (entry === undefined) bySource.set(d.reference, { reference: d.reference, source: d.source, from: d.date, to: d.date, doses: 1, amount: inCapUnit(ug, capParts), ug });
    else {
      entry.to = d.date > entry.to ? d.date : entry.to;
      entry.doses += 1;
      entry.ug += ug;
      entry.amount = inCapUnit(entry.ug, capParts);
    }
  }
  return [...bySource.values()].map(({ ug: _ug, ...entry }) => entry);
}

/**
 * A total per course: the doses already given in the current course (a pause of more than `courseGapDays` starts a
 * new one) plus the order's planned doses, in the cap's unit. An earlier order or administration in the course that
 * cannot be read leaves the total not documented, naming it.
 */
function checkCourse(cap: CumulativeCap, order: OrderFacts, serviceDate: string, needs: Needs): CumulativePart {
  const capParts = DOSE_UNITS[cap.unit];
  const planned = plannedTotal(order.doseLines, capParts, order.scale, needs);
  if (planned === undefined) return { status: 'not-documented' };
  const history = order.dosesGiven;
  if (history.value === null) {
    needs.fact('$.order.dosesGiven', history);
    return { status: 'not-documented' };
  }
  const gapDays = cap.courseGapDays ?? 0;
  const course = currentCourse(history.value, serviceDate, gapDays);
  if (course.unreadable.length > 0) {
    needs.missing.add('$.order.dosesGiven');
    for (const u of course.unreadable) needs.reasons.add(`${u.reference}${u.date === undefined ? '' : ` (${u.date})`}: ${u.reason}`);
    return { status: 'not-documented' };
  }
  // the other orders of the drug signed with this one belong to the same course, whatever their dates
  const doses = [...course.doses, ...(history.value.signedTogether ?? [])];
  const inCourse = new Set(doses.map((d) => d.reference));
  needs.evidence.push(...history.evidence.filter((e) => inCourse.has(e.reference)));
  const ugOf = new Map<GivenDose, number>();
  let givenUg = 0;
  let scaled = planned.scaled;
  for (const dose of doses) {
    const { ug, scaled: s } = inCapBasisUg(dose.amount, capParts, scaleOnDate(dose, order.scale), needs);
    if (ug === undefined) return { status: 'not-documented' };
    scaled ||= s;
    ugOf.set(dose, ug);
    givenUg += ug;
  }
  const capUg = cap.max * UG_PER[capParts.mass];
  const totalUg = givenUg + planned.ug;
  const status: Status = totalUg <= capUg * (1 + EPSILON) ? 'met' : 'not-met';
  const remainingUg = Math.max(0, capUg - givenUg);
  const measure = scaled ? measureUsed(capParts, [...doses.map((d) => d.amount), ...(order.doseLines.value ?? []).map((l) => l.amount)], order.scale) : undefined;
  const courseTotal: CourseTotal = {
    total: inCapUnit(totalUg, capParts),
    since: course.doses[0]?.date ?? serviceDate,
    gapDays,
    given: givenBySource(doses, ugOf, capParts),
    planned: { amount: inCapUnit(planned.ug, capParts), lines: planned.lines },
    remaining: inCapUnit(remainingUg, capParts),
    ...(measure !== undefined ? { scale: measure } : {}),
  };
  // the room left, for this patient in absolute µg: what an exact one-click fix may set
  const factor = factorFor(capParts.basis, order.scale);
  return { status, courseTotal, ...(factor !== undefined ? { courseRoomUg: remainingUg * factor } : {}) };
}

function checkCumulative(cap: CumulativeCap, order: OrderFacts, serviceDate: string, needs: Needs): CumulativePart {
  return cap.per === 'course' ? checkCourse(cap, order, serviceDate, needs) : checkCycle(cap, order.doseLines, order.scale, needs);
}

// ---------------------------------------------------------------- alternatives and sets

interface AlternativeOutcome {
  alternative: DoseAlternative;
  /** does it apply to this patient / order */
  applies: Status;
  /** does the order meet it (dose and schedule) */
  fits: Status;
  exceeds: DoseExceeds[];
  inCapUnit?: DosePart['inCapUnit'];
  cycleTotal?: CumulativePart['cycleTotal'];
  courseTotal?: CourseTotal;
  /** per course, when the order is one dose of one line: the room left in the course (absolute µg), for an exact fix */
  courseRoomUg?: number;
  needs: Needs;
  /** its `when`, as evaluated (kept to say why the limit applies) */
  condition?: CriterionResult;
}

interface OrderFacts {
  amount: Fact<OrderedAmount>;
  doseLines: Fact<OrderedDoseLine[]>;
  dosesGiven: Fact<DoseHistory>;
  schedule: Fact<OrderedSchedule>;
  scale: Scale;
}

function orderFacts(facts: ClinicalFacts): OrderFacts {
  return {
    amount: facts.order.amount,
    // facts written by hand (`npm run evaluate` on a facts file) may predate dose lines: read as not stated
    doseLines: (facts.order.doseLines as Fact<OrderedDoseLine[]> | undefined) ?? { value: null, evidence: [], unknownReason: 'Dose lines not given' },
    dosesGiven: (facts.order.dosesGiven as Fact<DoseHistory> | undefined) ?? { value: null, evidence: [], unknownReason: 'Doses given not stated' },
    schedule: facts.order.schedule,
    scale: { bsa: facts.body.bodySurfaceArea, weight: facts.body.weightKg },
  };
}

/** Applicability of an optional `when` (with its evaluation), and what would settle it when open. */
function applicability(when: Criterion | undefined, facts: ClinicalFacts, needs: Needs): { status: Status; condition?: CriterionResult } {
  if (when === undefined) return { status: 'met' };
  const r = evaluateCriterion(when, facts);
  if (!r.inEffect) return { status: 'not-met', condition: r };
  for (const leaf of openLeaves(r)) noteOpenLeaf(leaf, when, needs);
  return { status: r.status, condition: r };
}

function noteOpenLeaf(leaf: CriterionResult, when: Criterion, needs: Needs): void {
  const path = leafPath(when, leaf.id);
  needs.missing.add(path ?? leaf.label ?? leaf.id ?? '');
  if (leaf.unknownReason !== undefined) needs.reasons.add(leaf.unknownReason);
}

function leafPath(c: Criterion, id: string | undefined): string | undefined {
  if ('all' in c) return c.all.map((x) => leafPath(x, id)).find((p) => p !== undefined);
  if ('any' in c) return c.any.map((x) => leafPath(x, id)).find((p) => p !== undefined);
  if ('not' in c) return leafPath(c.not, id);
  return c.id === id ? c.fact : undefined;
}

function evaluateAlternative(alt: DoseAlternative, facts: ClinicalFacts, order: OrderFacts): AlternativeOutcome {
  const needs = new Needs();
  const { status: applies, condition } = applicability(alt.when, facts, needs);
  const parts: Status[] = [];
  const exceeds: DoseExceeds[] = [];
  let inCapUnit: DosePart['inCapUnit'];
  const amount = order.amount.value;
  const schedule = order.schedule.value;
  if (alt.dose !== undefined) {
    if (amount === null) {
      needs.fact('$.order.amount', order.amount);
      parts.push('not-documented');
    } else {
      needs.evidence.push(...order.amount.evidence);
      const d = checkAmount(alt.dose, amount, schedule, order.scale, needs);
      parts.push(d.status);
      if (d.status === 'not-met') exceeds.push('dose');
      inCapUnit = d.inCapUnit;
    }
  }
  if (alt.schedule !== undefined) {
    if (schedule === null) {
      needs.fact('$.order.schedule', order.schedule);
      parts.push('not-documented');
    } else {
      needs.evidence.push(...order.schedule.evidence);
      const s = checkSchedule(alt.schedule, schedule);
      parts.push(s);
      if (s === 'not-met') exceeds.push('schedule');
    }
  }
  let cumulative: CumulativePart | undefined;
  if (alt.cumulative !== undefined) {
    cumulative = checkCumulative(alt.cumulative, order, facts.serviceDate, needs);
    parts.push(cumulative.status);
    if (cumulative.status === 'not-met') exceeds.push('cumulative');
  }
  const out: AlternativeOutcome = { alternative: alt, applies, fits: allStatus(parts), exceeds, needs };
  if (cumulative?.cycleTotal !== undefined) out.cycleTotal = cumulative.cycleTotal;
  if (cumulative?.courseTotal !== undefined) out.courseTotal = cumulative.courseTotal;
  // exact only for one dose of one line: then the room left is that dose; several doses could be lowered in many ways
  const single = order.doseLines.value?.length === 1 && order.doseLines.value[0]?.administrations === 1;
  if (cumulative?.courseRoomUg !== undefined && cumulative.courseRoomUg > 0 && single) out.courseRoomUg = cumulative.courseRoomUg;
  if (condition !== undefined) out.condition = condition;
  if (inCapUnit !== undefined) out.inCapUnit = inCapUnit;
  return out;
}

/** What the order would read at this alternative's maximum, and how generous that is (µg per day). */
interface CoveredMaximum {
  covered: NonNullable<DoseCheck['covered']>;
  intensity: number;
}

function coveredMaximum(o: AlternativeOutcome, order: OrderFacts): CoveredMaximum | undefined {
  const amount = order.amount.value;
  if (amount === null) return undefined;
  // A total over several lines can be brought down in more than one way: no single amount is "the" covered maximum;
  // one dose against a total per course is exact (the room left in the course).
  if (o.exceeds.includes('cumulative') && (o.courseRoomUg === undefined || o.exceeds.includes('schedule'))) return undefined;
  const needs = new Needs();
  const orderedUg = orderedAbsoluteUg(amount, needs, order.scale);
  if (orderedUg === undefined) return undefined;
  let coveredUg = o.exceeds.includes('cumulative') && o.courseRoomUg !== undefined ? Math.min(orderedUg, o.courseRoomUg) : orderedUg;
  const dose = o.alternative.dose;
  if (dose !== undefined) {
    const capUg = capAbsoluteUg(dose, needs, order.scale);
    if (capUg === undefined) return undefined;
    coveredUg = Math.min(coveredUg, capUg);
    if (dose.notToExceed !== undefined) {
      const nteUg = capAbsoluteUg(dose.notToExceed, needs, order.scale);
      if (nteUg === undefined) return undefined;
      coveredUg = Math.min(coveredUg, nteUg);
    }
  }
  const covered: CoveredMaximum['covered'] = {
    amount: { value: coveredUg / UG_PER[amount.unit], unit: amount.unit, per: amount.per },
  };
  // Keep the order's own schedule unless it is what exceeds.
  const limit = o.alternative.schedule;
  const ordered = order.schedule.value;
  let rate = ordered === null ? 1 : ordered.administrations / ordered.periodDays;
  if (limit !== undefined && o.exceeds.includes('schedule')) {
    covered.schedule = { administrations: limit.maxAdministrations, periodDays: limit.periodDays };
    rate = limit.maxAdministrations / limit.periodDays;
  }
  return { covered, intensity: coveredUg * (amount.per === 'day' ? 1 : rate) };
}

/** The order as compared: its amount, in the limit's unit when different, and the count the schedule limit saw. */
function orderedDose(o: AlternativeOutcome, order: OrderFacts): OrderedDose | undefined {
  const amount = order.amount.value;
  // An amount that cannot be read (a count of vials) still leaves a schedule that can exceed on its own: say both.
  if (amount === null) {
    const reason = order.amount.unknownReason;
    if (!(o.exceeds.includes('schedule') && reason !== undefined)) return undefined;
    const out: OrderedDose = { amountUnreadable: reason };
    const schedule = order.schedule.value;
    if (schedule !== null) {
      const periodDays = o.alternative.schedule?.periodDays ?? schedule.periodDays;
      out.schedule = { administrations: administrationsIn(schedule, periodDays), periodDays };
    }
    return out;
  }
  const out: OrderedDose = { amount: { value: amount.value, unit: ucumOf({ mass: amount.unit, basis: amount.basis, per: amount.per }) } };
  const lineCount = order.doseLines.value?.length ?? 0;
  if (lineCount > 1) out.doseLines = lineCount;
  if (o.cycleTotal !== undefined) out.cycleTotal = o.cycleTotal;
  if (o.courseTotal !== undefined) out.courseTotal = o.courseTotal;
  if (o.inCapUnit !== undefined) {
    out.inLimitUnit = o.inCapUnit.amount;
    if (o.inCapUnit.scale !== undefined) out.scale = o.inCapUnit.scale;
  }
  const schedule = order.schedule.value;
  if (schedule !== null && o.exceeds.includes('schedule')) {
    const periodDays = o.alternative.schedule?.periodDays ?? schedule.periodDays;
    out.schedule = { administrations: administrationsIn(schedule, periodDays), periodDays };
  }
  return out;
}

function mergeNeeds(outcomes: AlternativeOutcome[], into: Needs): void {
  for (const o of outcomes) {
    o.needs.missing.forEach((m) => into.missing.add(m));
    o.needs.reasons.forEach((r) => into.reasons.add(r));
    into.evidence.push(...o.needs.evidence);
  }
}

function finish(check: DoseCheck, needs: Needs): DoseCheck {
  if (check.status === 'not-documented') {
    if (needs.missing.size > 0) check.missing = [...needs.missing];
    if (needs.reasons.size > 0) check.unknownReasons = [...needs.reasons];
  }
  check.evidence = dedupeEvidence(needs.evidence);
  return check;
}

/** The set's and the alternative's conditions that hold, with their evidence: why this limit applies to this patient. */
function limitFor(conditions: ReadonlyArray<CriterionResult | undefined>): NonNullable<DoseCheck['limitFor']> {
  return conditions.flatMap((r) => {
    if (r === undefined || r.status !== 'met' || r.label === undefined) return [];
    return [{ label: r.label, evidence: leavesOf(r).flatMap((leaf) => leaf.evidence) }];
  });
}

function leavesOf(r: CriterionResult): CriterionResult[] {
  return r.kind === 'leaf' ? [r] : (r.children ?? []).filter((c) => c.inEffect && c.status === 'met').flatMap(leavesOf);
}

/**
 * One limit set: met when some alternative both applies and fits (Kleene OR
 * of AND(applies, fits)). When none fits, the suggestion is built from the
 * most generous alternative that surely applies (else one that may apply).
 */
export function checkLimitSet(set: DoseLimitSet, facts: ClinicalFacts): DoseCheck {
  const setNeeds = new Needs();
  const { status: setApplies, condition: setCondition } = applicability(set.when, facts, setNeeds);
  if (setApplies === 'not-met') return { status: 'not-applicable', limitSetId: set.id, evidence: [], source: set.source };
  const order = orderFacts(facts);
  const outcomes = set.alternatives.map((alt) => evaluateAlternative(alt, facts, order));
  const perAlternative = outcomes.map((o) => allStatus([o.applies, o.fits]));
  const fitsSome = anyStatus(perAlternative);
  // A set that may not apply cannot be failed on: "not documented" until the facts settle it.
  const status: Status = fitsSome === 'not-met' && setApplies === 'not-documented' ? 'not-documented' : fitsSome;
  const check: DoseCheck = { status, limitSetId: set.id, evidence: [], source: set.source };
  if (order.amount.value === null && set.alternatives.some((a) => a.dose !== undefined)) check.amountUnknown = true;

  if (status === 'met') {
    const chosen = outcomes.find((_, i) => perAlternative[i] === 'met');
    if (chosen !== undefined) {
      check.alternativeId = chosen.alternative.id;
      check.limits = [limitValue(chosen.alternative)];
      const ordered = orderedDose(chosen, order);
      if (ordered !== undefined) check.ordered = ordered;
      return finish(check, chosen.needs);
    }
  }
  if (status === 'not-documented') {
    const open = outcomes.filter((_, i) => perAlternative[i] === 'not-documented');
    mergeNeeds(open, setNeeds);
    const first = open[0] ?? outcomes[0];
    if (first !== undefined) {
      check.alternativeId = first.alternative.id;
      check.limits = open.map((o) => limitValue(o.alternative));
    }
    return finish(check, setNeeds);
  }
  // not met: every alternative that may apply is exceeded
  const sure = outcomes.filter((o) => o.applies === 'met');
  const candidates = sure.length > 0 ? sure : outcomes.filter((o) => o.applies === 'not-documented');
  const ranked = candidates
    .map((o) => ({ o, max: coveredMaximum(o, order) }))
    .sort((a, b) => (b.max?.intensity ?? -1) - (a.max?.intensity ?? -1));
  const best = ranked[0];
  if (best === undefined) return finish(check, setNeeds);
  check.alternativeId = best.o.alternative.id;
  check.exceeds = best.o.exceeds;
  check.limits = [limitValue(best.o.alternative)];
  const reasons = limitFor([setCondition, best.o.condition]);
  if (reasons.length > 0) check.limitFor = reasons;
  const ordered = orderedDose(best.o, order);
  if (ordered !== undefined) check.ordered = ordered;
  if (best.max !== undefined) check.covered = best.max.covered;
  else if (!best.o.exceeds.includes('cumulative')) {
    // The order is over the limit either way; the suggestion needs the body measure.
    const needs = new Needs();
    const amount = order.amount.value;
    if (amount !== null) orderedAbsoluteUg(amount, needs, order.scale);
    if (best.o.alternative.dose !== undefined) capAbsoluteUg(best.o.alternative.dose, needs, order.scale);
    if (needs.missing.size > 0) check.missing = [...needs.missing];
  }
  mergeNeeds([best.o], setNeeds);
  check.evidence = dedupeEvidence(setNeeds.evidence);
  return check;
}

const SEVERITY: Readonly<Record<DoseCheck['status'], number>> = {
  'not-met': 3,
  'not-documented': 2,
  met: 1,
  'not-applicable': 0,
};

/** Every applicable set must be met: report the one that decides (not met, else open, else met). */
export function checkDoseLimits(sets: DoseLimitSet[] | undefined, facts: ClinicalFacts): DoseCheck {
  const checks = (sets ?? []).map((s) => checkLimitSet(s, facts));
  const worst = checks.reduce<DoseCheck | undefined>(
    (acc, c) => (acc === undefined || SEVERITY[c.status] > SEVERITY[acc.status] ? c : acc),
    undefined,
  );
  return worst === undefined || worst.status === 'not-applicable' ? { status: 'not-applicable', evidence: [] } : worst;
}
