/** The ordered amount and schedule: every dose line's amount, the schedule from dosageInstruction[0]. */
import type { Dosage, MedicationAdministration, MedicationRequest, Quantity } from 'fhir/r4.js';
import type { HcpcsCode, UnitStrength } from '../catalog/types.js';
import type { DoseHistory, Evidence, Fact, GivenDose, OrderedAmount, OrderedDoseLine, OrderedSchedule, UnreadableDose } from './types.js';
import { evidence, known, unknown } from './fact.js';
import { referenceId, relativeReference } from './fhir.js';
import { durationDays, SCHEDULE_PERIOD_DAYS } from './durations.js';
import { addDays, daysBetween, datePart } from './dates.js';
import { doseUnitSpelling } from '../units.js';

type Parsed = Omit<OrderedAmount, 'value' | 'asWritten'> & { factor: number };

/** Unit spellings accepted beside UCUM (conventions: `mcg`, `m^2`); `factor` converts to the target mass unit. */
export function parseDoseUnit(raw: string): Parsed | undefined {
  const unit = doseUnitSpelling(raw);
  const match = /^(g|mg|ug)(\/m2|\/kg)?(\/d)?$/.exec(unit);
  if (match === null) return undefined;
  const [, mass = 'mg', basis, perDay] = match;
  return {
    unit: mass === 'ug' ? 'ug' : 'mg',
    factor: mass === 'g' ? 1000 : 1,
    basis: basis === '/m2' ? 'per-m2' : basis === '/kg' ? 'per-kg' : 'absolute',
    per: perDay !== undefined ? 'day' : 'administration',
  };
}

/** HCPCS billing units: `{unit}`, `U`, `[arb'U]`, "units". */
export function isBillingUnit(raw: string): boolean {
  return /^(\{units?\}|u|\[arb'u\]|units?|billing ?units?|\{billing ?units?\})$/i.test(raw.trim());
}

/**
 * A count of dose units rather than an amount: UCUM annotations such as `{pill}` (what the CDS Hooks sandbox
 * sends for every drug), `{tbl}`, `{capsule}`, `{vial}`, and the bare words. `{unit}` is not one: it is a HCPCS
 * billing unit (isBillingUnit), a fixed amount.
 */
export function isCountUnit(raw: string): boolean {
  return /^\{?(pills?|tbl|tabs?|tablets?|caps?|capsules?|vials?|each|ea|ampoules?|syringes?|doses?)\}?$/i.test(raw.trim());
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** A count of units that no catalog strength turns into an amount ("1 {pill}" of an injection). */
interface CountOnly {
  count: string;
}

/**
 * More than this in one administration (or one day) is no dose any patient is given: a typing error, or a unit
 * mixed up. 100 g covers every dose of every drug by a wide margin, in any unit the order may use.
 */
const IMPLAUSIBLE_MG = 100_000;

/** Why an amount cannot be real (not positive, not finite, absurdly large), or undefined when it can. */
function implausibleAmount(amount: OrderedAmount): string | undefined {
  if (!Number.isFinite(amount.value)) return `${amount.asWritten} is not a finite amount`;
  if (amount.value <= 0) return `${amount.asWritten} is not a positive amount`;
  const mg = amount.unit === 'ug' ? amount.value / 1000 : amount.value;
  if (mg > IMPLAUSIBLE_MG) return `${amount.asWritten} is more than any dose given`;
  return undefined;
}

function quantityAmount(quantity: Quantity, isRate: boolean, hcpcs: HcpcsCode | undefined, unitStrength: UnitStrength | undefined): OrderedAmount | CountOnly | string {
  const value = quantity.value;
  const written = quantity.unit ?? quantity.code ?? '';
  if (value === undefined) return 'dose has no value';
  const asWritten = `${value} ${written}`.trim();
  const amount = convertedAmount(quantity, value, asWritten, isRate, hcpcs, unitStrength);
  if (typeof amount === 'string' || 'count' in amount) return amount;
  const implausible = implausibleAmount(amount);
  return implausible === undefined ? amount : `not checkable: ${implausible}`;
}

function convertedAmount(
  quantity: Quantity,
  value: number,
  asWritten: string,
  isRate: boolean,
  hcpcs: HcpcsCode | undefined,
  unitStrength: UnitStrength | undefined,
): OrderedAmount | CountOnly | string {
  for (const raw of [quantity.code, quantity.unit]) {
    if (raw === undefined) continue;
    if (isCountUnit(raw) && !isRate) {
      // One capsule of a solid oral product holds a fixed amount; a vial of an injection does not make a dose
      // (doses are by body size, vials are partly used), so a count of those stays unchecked.
      if (unitStrength === undefined) return { count: asWritten };
      return { value: round(value * unitStrength.amount), unit: unitStrength.unit, basis: 'absolute', per: 'administration', asWritten: `${asWritten} of ${unitStrength.name} (${round(value * unitStrength.amount)} ${unitStrength.unit})` };
    }
    if (isBillingUnit(raw)) {
      if (hcpcs === undefined) return `dose in billing units (${asWritten}) without a HCPCS code to size them`;
      // one HCPCS billing unit is a fixed amount (J9229 = 0.1 mg): convert to mass
      return { value: round(value * hcpcs.unitAmount), unit: hcpcs.unit, basis: 'absolute', per: isRate ? 'day' : 'administration', asWritten: `${asWritten} (${hcpcs.code})` };
    }
    const parsed = parseDoseUnit(raw);
    if (parsed === undefined) continue;
    if (isRate && parsed.per !== 'day') return `infusion rate in an unsupported unit (${asWritten})`;
    return { value: round(value * parsed.factor), unit: parsed.unit, basis: parsed.basis, per: parsed.per, asWritten };
  }
  return `dose in an unsupported unit (${asWritten})`;
}

/** Days a ratio's denominator spans (`1 d`, `24 h`), for a rate per day; undefined when it is not a time. */
function denominatorDays(denominator: Quantity | undefined): number | undefined {
  if (denominator === undefined) return 1; // FHIR: a missing denominator is 1 (of the numerator's per-day unit)
  const unit = (denominator.code ?? denominator.unit ?? '').trim().toLowerCase();
  const days = SCHEDULE_PERIOD_DAYS[unit === 'day' || unit === 'days' ? 'd' : unit === 'hour' || unit === 'hours' ? 'h' : unit];
  const value = denominator.value ?? 1;
  return days === undefined || !(value > 0) ? undefined : value * days;
}

/** A rate written as a ratio (15 ug/m2 per 1 d) as a per-day quantity (15 ug/m2/d). */
function rateFromRatio(dosage: Dosage): Quantity | undefined {
  for (const entry of dosage.doseAndRate ?? []) {
    const ratio = entry.rateRatio;
    if (ratio?.numerator?.value === undefined) continue;
    const days = denominatorDays(ratio.denominator);
    const unit = ratio.numerator.code ?? ratio.numerator.unit;
    if (days === undefined || unit === undefined) continue;
    return { value: ratio.numerator.value / days, unit: `${unit}/d` };
  }
  return undefined;
}

export function orderedAmount(
  dosage: Dosage | undefined,
  hcpcs: HcpcsCode | undefined,
  cite: (text: string, supports: string[]) => Evidence,
  unitStrength?: UnitStrength,
): Fact<OrderedAmount> {
  const entries = dosage?.doseAndRate ?? [];
  // a range is covered only when its top is: the high value is what may be given
  const dose = entries.find((e) => e.doseQuantity !== undefined)?.doseQuantity ?? entries.find((e) => e.doseRange?.high?.value !== undefined)?.doseRange?.high;
  const rate = entries.find((e) => e.rateQuantity !== undefined)?.rateQuantity ?? (dosage !== undefined ? rateFromRatio(dosage) : undefined);
  const quantity = dose ?? rate;
  if (quantity === undefined) return unknown('Dose not stated as a quantity on the order');
  const amount = quantityAmount(quantity, dose === undefined, hcpcs, unitStrength);
  if (typeof amount === 'string') return unknown(amount.startsWith('not checkable: ') ? `Dose ${amount}` : `Dose not understood: ${amount}`);
  if ('count' in amount) {
    return unknown(`Dose not checkable: ${amount.count} is a count of units, not an amount; record the dose in mg (or mg/m², mg/kg) on the order`);
  }
  return known(amount, [cite(`Ordered ${amount.asWritten}`, [`${amount.value} ${amount.unit}`])]);
}


export function orderedSchedule(dosage: Dosage | undefined, cite: (text: string, supports: string[]) => Evidence): Fact<OrderedSchedule> {
  const repeat = dosage?.timing?.repeat;
  if (repeat?.period === undefined || repeat.periodUnit === undefined) return unknown('Schedule (timing.repeat period) not stated on the order');
  const unitDays = SCHEDULE_PERIOD_DAYS[repeat.periodUnit];
  if (unitDays === undefined) return unknown(`Schedule period unit ${repeat.periodUnit} not understood`);
  const administrations = repeat.frequency ?? 1;
  const periodDays = repeat.period * unitDays;
  const impossible = implausibleSchedule(administrations, repeat.period, repeat.periodUnit, periodDays);
  if (impossible !== undefined) return unknown(`Schedule not checkable: ${impossible}`);
  const bounded = durationDays(repeat.boundsDuration);
  const start = datePart(repeat.boundsPeriod?.start);
  const end = datePart(repeat.boundsPeriod?.end);
  const durationFromPeriod = start !== undefined && end !== undefined && start.length === 10 && end.length === 10 ? daysBetween(start, end) + 1 : undefined;
  const durationDaysValue = bounded ?? durationFromPeriod;
  const asWritten = `${administrations} per ${repeat.period} ${repeat.periodUnit}${durationDaysValue !== undefined ? ` for ${durationDaysValue} d` : ''}`;
  const schedule: OrderedSchedule = { administrations, periodDays, asWritten, ...(durationDaysValue !== undefined ? { durationDays: durationDaysValue } : {}) };
  return known(schedule, [cite(`Schedule ${asWritten}`, [`${administrations}/${periodDays}d`])]);
}

/** More administrations a day than this is no schedule any infusion or capsule follows. */
const MAX_ADMINISTRATIONS_PER_DAY = 24;

/** Why a schedule cannot be real (a period or frequency not positive, absurdly frequent), or undefined. */
function implausibleSchedule(administrations: number, period: number, unit: string, periodDays: number): string | undefined {
  if (!Number.isFinite(period) || period <= 0) return `a period of ${period} ${unit}`;
  if (!Number.isFinite(administrations) || administrations <= 0 || !Number.isInteger(administrations)) return `${administrations} administrations per period`;
  if (administrations / periodDays > MAX_ADMINISTRATIONS_PER_DAY) return `${administrations} administrations per ${period} ${unit}`;
  return undefined;
}

/**
 * Requested duration: every fill the order allows (expected supply × (refills + 1)), no longer than the validity
 * period when one is given; else the validity period (inclusive days). Months are calendar months.
 */
export function requestedDuration(request: MedicationRequest, cite: (text: string, supports: string[]) => Evidence): Fact<number> {
  const dispense = request.dispenseRequest;
  const supply = durationDays(dispense?.expectedSupplyDuration);
  const refills = Math.max(0, dispense?.numberOfRepeatsAllowed ?? 0);
  const start = datePart(dispense?.validityPeriod?.start);
  const end = datePart(dispense?.validityPeriod?.end);
  const validity = start?.length === 10 && end?.length === 10 ? daysBetween(start, end) + 1 : undefined;
  if (supply !== undefined) {
    const fills = Math.round(supply * (refills + 1));
    const days = validity === undefined ? fills : Math.min(fills, validity);
    const what = `Expected supply ${Math.round(supply)} days × ${refills + 1} fill${refills === 0 ? '' : 's'} (${refills} refill${refills === 1 ? '' : 's'})`;
    const capped = validity !== undefined && validity < fills ? `, limited by validity ${start ?? ''} to ${end ?? ''}` : '';
    return known(days, [cite(`${what} = ${fills} days${capped}`, [String(days)])]);
  }
  if (validity !== undefined) return known(validity, [cite(`Valid ${start ?? ''} to ${end ?? ''} (${validity} days)`, [String(validity)])]);
  return unknown('Requested duration not stated on the order');
}

/** How many times the order gives one line: repeat.count, else its event dates, else its schedule over a bounded course. */
function lineAdministrations(dosage: Dosage): number | undefined {
  const timing = dosage.timing;
  const count = timing?.repeat?.count;
  if (count !== undefined && Number.isInteger(count) && count > 0) return count;
  if (timing?.event !== undefined && timing.event.length > 0) return timing.event.length;
  const schedule = orderedSchedule(dosage, () => ({ reference: '', supports: [] })).value;
  if (schedule?.durationDays === undefined) return undefined;
  return schedule.administrations * Math.ceil(schedule.durationDays / schedule.periodDays - 1e-9);
}

/** Micrograms per unit of body measure (or absolute): comparable only between lines of the same basis and per. */
function comparableUg(a: OrderedAmount): number {
  return a.value * (a.unit === 'mg' ? 1000 : 1);
}

/**
 * Every dose line (dosageInstruction) of the order: day-specific doses (0.8 mg/m² on day 1, 0.5 mg/m² on days 8
 * and 15) are several lines. Unknown when a line's amount cannot be read: a total or a largest dose would be wrong.
 */
export function orderedDoseLines(
  dosages: readonly Dosage[],
  hcpcs: HcpcsCode | undefined,
  cite: (text: string, supports: string[]) => Evidence,
  unitStrength?: UnitStrength,
): Fact<OrderedDoseLine[]> {
  if (dosages.length === 0) return unknown('Dose not stated as a quantity on the order');
  const lines: OrderedDoseLine[] = [];
  const evidenceList: Evidence[] = [];
  for (const [i, dosage] of dosages.entries()) {
    const amount = orderedAmount(dosage, hcpcs, cite, unitStrength);
    if (amount.value === null) return unknown(dosages.length === 1 ? (amount.unknownReason ?? 'Dose not understood') : `Dose line ${i + 1}: ${amount.unknownReason ?? 'dose not understood'}`);
    const administrations = lineAdministrations(dosage);
    lines.push({ amount: amount.value, ...(administrations !== undefined ? { administrations } : {}) });
    const times = administrations === undefined ? '' : ` × ${administrations}`;
    evidenceList.push(cite(`Ordered ${amount.value.asWritten}${times}${dosage.text !== undefined && dosages.length > 1 ? ` (${dosage.text})` : ''}`, [`${amount.value.value} ${amount.value.unit}`]));
  }
  return known(lines, evidenceList);
}

/**
 * The amount per administration a per-administration limit reads: the one line, or the largest of several lines
 * written in the same kind of unit (the largest day's dose is the one a cap can exceed). Lines in different kinds of
 * unit (mg/m² beside mg) are not ranked here: unknown, with the reason.
 */
export function largestAmount(lines: Fact<OrderedDoseLine[]>, first: Fact<OrderedAmount>): Fact<OrderedAmount> {
  const all = lines.value;
  if (all === null || all.length <= 1) return first;
  const [head] = all;
  if (head === undefined) return first;
  if (!all.every((l) => l.amount.basis === head.amount.basis && l.amount.per === head.amount.per)) {
    return unknown(`Dose lines in different kinds of unit (${all.map((l) => l.amount.asWritten).join(', ')}): the largest dose cannot be told without the body measure`);
  }
  const largest = all.reduce((a, b) => (comparableUg(b.amount) > comparableUg(a.amount) ? b : a), head);
  return known(largest.amount, lines.evidence);
}

// ---------------------------------------------------------------- doses already given (a total per course reads them)

/** Statuses of an earlier order whose doses were (or are being) given; drafts, cancellations and errors were not. */
const GIVEN_ORDER_STATUSES: ReadonlySet<string> = new Set(['active', 'completed', 'stopped']);

/** More implied doses than this in one dose line is no real order (daily for over ten years): not read. */
const MAX_IMPLIED_DOSES = 4000;

export interface DoseHistoryInput {
  /** catalog id of the ordered drug */
  drug: string;
  serviceDate: string;
  /** ids of the draft orders being signed: never history */
  draftIds: ReadonlySet<string>;
  /** which catalog drug an order or administration names, with the HCPCS code that sizes its billing units (needs the chart's Medications: the caller knows them) */
  identify: (resource: MedicationRequest | MedicationAdministration) => { drug: string | null; hcpcs?: HcpcsCode };
  /** what one unit of the drug's solid oral product holds, when the catalog says */
  unitStrength?: UnitStrength;
  /** why the medication history could not be read (a failed query), when it could not */
  historyGap?: string;
  /** the other draft orders of this signing: those of the drug add their doses to the course (signedTogether) */
  companions?: readonly MedicationRequest[];
}

/** When an earlier order starts: the dosing period, else the dispense validity, else when it was written. */
function orderStart(request: MedicationRequest): string | undefined {
  const bounds = request.dosageInstruction?.find((d) => d.timing?.repeat?.boundsPeriod?.start !== undefined)?.timing?.repeat?.boundsPeriod?.start;
  const day = datePart(bounds ?? request.dispenseRequest?.validityPeriod?.start ?? request.authoredOn);
  return day !== undefined && day.length === 10 ? day : undefined;
}

/**
 * The dates of one dose line's doses: its event dates, else `count` (or its bounded duration's worth) from its start, one
 * period ÷ frequency apart (days 1, 8 and 15 written as "3 per 28 days" are spread evenly: the count is exact, the
 * days approximate). A reason when the line does not say how many times it is given.
 */
function lineDoseDates(dosage: Dosage, start: string): string[] | string {
  const events = dosage.timing?.event ?? [];
  if (events.length > 0) {
    const days = events.map((e) => datePart(e));
    if (days.some((d) => d === undefined || d.length !== 10)) return 'an event date of its timing is not a calendar date';
    return days as string[];
  }
  const schedule = orderedSchedule(dosage, () => ({ reference: '', supports: [] }));
  const count = lineAdministrations(dosage);
  if (count === undefined) return 'how many times it was given is not stated (timing.repeat.count, event dates or a bounded period)';
  if (count > MAX_IMPLIED_DOSES) return `${count} doses is more than any order gives`;
  const first = datePart(dosage.timing?.repeat?.boundsPeriod?.start) ?? start;
  if (first.length !== 10) return 'its start is not a calendar date';
  // a count with no period: doses on consecutive days is not known; one date for all keeps them in the same course
  const step = schedule.value === null ? 0 : schedule.value.periodDays / schedule.value.administrations;
  return Array.from({ length: count }, (_, k) => addDays(first, Math.floor(k * step + 1e-9)));
}

/** A dose line's amount, when it is a dose (not a rate per day) the order states in a unit that can be read. */
function givenAmount(dosage: Dosage, hcpcs: HcpcsCode | undefined, unitStrength: UnitStrength | undefined): OrderedAmount | string {
  const amount = orderedAmount(dosage, hcpcs, () => ({ reference: '', supports: [] }), unitStrength);
  if (amount.value === null) return amount.unknownReason ?? 'dose not understood';
  if (amount.value.per === 'day') return `${amount.value.asWritten} is a rate per day (continuous infusion), not doses that add up`;
  return amount.value;
}

interface OrderReading {
  request: MedicationRequest;
  reference: string;
  start: string;
  /** every implied dose (also those on or after the service date), or why they cannot be read */
  doses: GivenDose[] | string;
}

function readOrder(request: MedicationRequest, start: string, hcpcs: HcpcsCode | undefined, unitStrength: UnitStrength | undefined): OrderReading {
  const reference = relativeReference(request);
  const lines = request.dosageInstruction ?? [];
  if (lines.length === 0) return { request, reference, start, doses: 'the order states no dose' };
  const doses: GivenDose[] = [];
  for (const [i, dosage] of lines.entries()) {
    const where = lines.length > 1 ? `dose line ${i + 1}: ` : '';
    const amount = givenAmount(dosage, hcpcs, unitStrength);
    if (typeof amount === 'string') return { request, reference, start, doses: `${where}${amount}` };
    const dates = lineDoseDates(dosage, start);
    if (typeof dates === 'string') return { request, reference, start, doses: `${where}${dates}` };
    for (const date of dates) doses.push({ date, amount, reference, source: 'order' });
  }
  return { request, reference, start, doses };
}

function administrationDate(a: MedicationAdministration): string | undefined {
  const day = datePart(a.effectiveDateTime ?? a.effectivePeriod?.start);
  return day !== undefined && day.length === 10 ? day : undefined;
}

const formatDoses = (n: number): string => (n === 1 ? '1 dose' : `${n} doses`);

/**
 * The doses of `drug` given before the service date. Pure: reads the patient's MedicationRequests and
 * MedicationAdministrations only. An earlier order's doses are its recorded administrations when there are any
 * (linked by `request`, or dated within the order's doses; those charted `not-done` count as the record of doses not
 * given), else what its timing implies; an administration no
 * order accounts for counts on its own. Whatever cannot be read is listed, with its date when known, so a total over a
 * course can tell whether it matters.
 */
export function givenDoses(
  medicationRequests: readonly MedicationRequest[],
  medicationAdministrations: readonly MedicationAdministration[],
  input: DoseHistoryInput,
): Fact<DoseHistory> {
  if (input.historyGap !== undefined) return unknown(input.historyGap);
  const { drug, serviceDate } = input;
  const orders: OrderReading[] = [];
  for (const request of medicationRequests) {
    if (!GIVEN_ORDER_STATUSES.has(request.status) || (request.id !== undefined && input.draftIds.has(request.id))) continue;
    const start = orderStart(request);
    if (start !== undefined && start >= serviceDate) continue;
    const identified = input.identify(request);
    if (identified.drug !== drug) continue;
    if (start === undefined) {
      orders.push({ request, reference: relativeReference(request), start: '', doses: 'its start is not stated as a calendar date' });
      continue;
    }
    orders.push(readOrder(request, start, identified.hcpcs, input.unitStrength));
  }
  const given: Array<{ administration: MedicationAdministration; date: string; amount: OrderedAmount | string; order?: string }> = [];
  const unreadable: UnreadableDose[] = [];
  // an order whose doses were charted not given (held, refused) is accounted for: its timing is not the record
  const notGiven: Array<{ date: string | undefined; order?: string }> = [];
  for (const administration of medicationAdministrations) {
    if (administration.status === 'not-done') {
      if (input.identify(administration).drug === drug) {
        const linked = referenceId(administration.request);
        notGiven.push({ date: administrationDate(administration), ...(linked !== undefined ? { order: linked } : {}) });
      }
      continue;
    }
    if (administration.status !== 'completed') continue;
    const identified = input.identify(administration);
    if (identified.drug !== drug) continue;
    const date = administrationDate(administration);
    const reference = relativeReference(administration);
    if (date === undefined) {
      unreadable.push({ reference, reason: 'the administration has no calendar date (effectiveDateTime)' });
      continue;
    }
    if (date >= serviceDate) continue;
    const dose = administration.dosage?.dose;
    const amount = dose === undefined ? 'the administration records no dose (dosage.dose)' : givenAmount({ doseAndRate: [{ doseQuantity: dose }] }, identified.hcpcs, input.unitStrength);
    const linked = referenceId(administration.request);
    given.push({ administration, date, amount, ...(linked !== undefined ? { order: linked } : {}) });
  }

  // which orders the administrations account for: linked ones, else one whose implied doses span the date
  const documented = new Set<OrderReading>();
  const byId = new Map(orders.flatMap((o) => (o.request.id === undefined ? [] : [[o.request.id, o] as const])));
  for (const g of [...given, ...notGiven]) {
    const order = g.order !== undefined ? byId.get(g.order) : g.date === undefined ? undefined : orders.find((o) => o.start !== '' && g.date !== undefined && g.date >= o.start && g.date <= lastDate(o));
    if (order !== undefined) documented.add(order);
  }

  const doses: GivenDose[] = [];
  const evidenceList: Evidence[] = [];
  for (const g of given) {
    const reference = relativeReference(g.administration);
    if (typeof g.amount === 'string') {
      unreadable.push({ date: g.date, reference, reason: g.amount });
      continue;
    }
    doses.push({ date: g.date, amount: g.amount, reference, source: 'administration' });
    evidenceList.push(evidence(reference, g.date, `${drug} ${g.amount.asWritten} given ${g.date}`, [`${g.amount.value} ${g.amount.unit}`]));
  }
  for (const o of orders) {
    if (documented.has(o)) continue;
    if (typeof o.doses === 'string') {
      unreadable.push({ ...(o.start !== '' ? { date: o.start } : {}), reference: o.reference, reason: o.doses });
      continue;
    }
    const before = o.doses.filter((d) => d.date < serviceDate);
    if (before.length === 0) continue;
    doses.push(...before);
    const amounts = [...new Set(before.map((d) => d.amount.asWritten))].join(' / ');
    const first = before[0]!.date;
    const last = before[before.length - 1]!.date;
    const span = first === last ? `on ${first}` : `${first} to ${last}`;
    evidenceList.push(evidence(o.reference, o.start, `${drug} ${amounts}, ${formatDoses(before.length)} ${span} (order ${o.request.status}; doses from its timing)`, [drug]));
  }
  doses.sort((a, b) => a.date.localeCompare(b.date));
  const signedTogether: GivenDose[] = [];
  for (const companion of input.companions ?? []) {
    const identified = input.identify(companion);
    if (identified.drug !== drug) continue;
    const read = readOrder(companion, orderStart(companion) ?? serviceDate, identified.hcpcs, input.unitStrength);
    if (typeof read.doses === 'string') {
      unreadable.push({ reference: read.reference, reason: `signed with this order: ${read.doses}` });
      continue;
    }
    signedTogether.push(...read.doses.map((d) => ({ ...d, source: 'signed-together' as const })));
    evidenceList.push(evidence(read.reference, read.start, `${drug} ${formatDoses(read.doses.length)} in an order signed with this one`, [drug]));
  }
  return known({ doses, unreadable, ...(signedTogether.length > 0 && { signedTogether }) }, evidenceList);
}

function lastDate(o: OrderReading): string {
  if (typeof o.doses === 'string' || o.doses.length === 0) return o.start;
  return o.doses.reduce((latest, d) => (d.date > latest ? d.date : latest), o.start);
}
