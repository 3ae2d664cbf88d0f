/** Facts about the draft order under evaluation. */
import type { MedicationRequest } from 'fhir/r4.js';
import { classesOf, identifyOrderedDrug, ingredientsOf } from '../catalog/drugs.js';
import type { Catalog, UnitStrength } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { DoseHistory, DraftOrderFacts, Evidence, Fact, GivenDose } from './types.js';
import { bodyFacts } from './body.js';
import { addDays, datePart, daysBetween, isRealDate } from './dates.js';
import { evidence, known, unavailableReason, unique, unknown } from './fact.js';
import { firstOfDosages } from './fhir.js';
import { givenDoses, largestAmount, orderedAmount, orderedDoseLines, orderedSchedule, requestedDuration } from './order-dose.js';
import { attestationsFact, cycleFacts, phaseFact } from './order-text.js';
import type { TherapyEpisode } from './therapy.js';
import type { Administration } from './episodes.js';
import { cyclesFromHistory } from './cycles.js';

export function orderReference(order: MedicationRequest): string {
  return `MedicationRequest/${order.id ?? 'draft'}`;
}

/** A service date further than this after today cannot be a real one (a typo'd year, a placeholder like 2099-12-31). */
export const SERVICE_DATE_HORIZON_DAYS = 730;

/** A stated service date the order cannot be judged on: the element, what it said, and why it was set aside. */
export interface ServiceDateProblem {
  element: 'timing.repeat.boundsPeriod.start' | 'dispenseRequest.validityPeriod.start' | 'authoredOn';
  value: string;
  problem: 'not-a-date' | 'far-future';
}

export interface ServiceDateReading {
  date: string;
  /** the stated dates set aside on the way (unreadable facts: the answer names them) */
  problems: ServiceDateProblem[];
}

function serviceDateProblem(element: ServiceDateProblem['element'], value: string, horizon: string): ServiceDateProblem | undefined {
  const day = datePart(value);
  if (day === undefined || (day.length === 10 && !isRealDate(day))) return { element, value, problem: 'not-a-date' };
  if (day > horizon) return { element, value, problem: 'far-future' };
  return undefined;
}

/**
 * Conventions: boundsPeriod.start, else dispenseRequest.validityPeriod.start, else authoredOn, else today. A stated
 * date that is no calendar date, or is more than SERVICE_DATE_HORIZON_DAYS after today, is set aside (and reported),
 * and the next one is read: a 2090 start must not make every "current" fact look decades ahead.
 */
export function serviceDateReading(order: MedicationRequest, today: string): ServiceDateReading {
  const stated: Array<[ServiceDateProblem['element'], string | undefined]> = [
    ['timing.repeat.boundsPeriod.start', firstOfDosages(order, (d) => d.timing?.repeat?.boundsPeriod?.start)],
    ['dispenseRequest.validityPeriod.start', order.dispenseRequest?.validityPeriod?.start],
    ['authoredOn', order.authoredOn],
  ];
  const horizon = addDays(today, SERVICE_DATE_HORIZON_DAYS);
  const problems: ServiceDateProblem[] = [];
  for (const [element, value] of stated) {
    if (typeof value !== 'string') continue;
    const problem = serviceDateProblem(element, value, horizon);
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    const day = datePart(value);
    if (day !== undefined && day.length === 10) return { date: day, problems };
  }
  return { date: today, problems };
}

export function serviceDateOf(order: MedicationRequest, today: string): string {
  return serviceDateReading(order, today).date;
}

interface Partner {
  drug: string;
  cite: Evidence;
}

/** Other draft orders' drugs and the active medications on the service date, never this order's own drug. */
function partnersOf(order: MedicationRequest, drug: string | null, chart: GatheredChart, catalog: Catalog, active: TherapyEpisode[]): Partner[] {
  const fromDrafts = chart.draftOrders
    .filter((d) => d !== order && (order.id === undefined || d.id !== order.id))
    .flatMap((d): Partner[] => {
      const other = identifyOrderedDrug(d, chart, catalog).drug;
      // a combination product (Phesgo) partners as each of its ingredients
      return other === null ? [] : ingredientsOf(other, catalog).map((given) => ({ drug: given, cite: evidence(orderReference(d), datePart(d.authoredOn), `${given} ordered with this order${given === other ? '' : ` (${other})`}`, [given]) }));
    });
  const fromActive = active.map((a) => ({ drug: a.drug, cite: a.cite }));
  return [...fromDrafts, ...fromActive].filter((p) => p.drug !== drug);
}

/**
 * Named regimens among the partners: a regimen counts only when one of its recognising drug sets is there whole
 * (prednisone alone is not POMP; the dexamethasone premedication of inotuzumab is not mini-hyper-CVD).
 */
function regimensAmong(partners: Partner[], catalog: Catalog): Array<{ id: string; cites: Evidence[] }> {
  const drugs = new Set(partners.map((p) => p.drug));
  return catalog.regimens.flatMap((regimen) => {
    const set = regimen.recognisedBy.find((needed) => needed.every((d) => drugs.has(d)));
    // a drug the regimen never has shows another one sharing its drugs (doxorubicin: hyper-CVAD, not mini-hyper-CVD)
    if (set === undefined || regimen.notWith?.some((d) => drugs.has(d)) === true) return [];
    const present = partners.filter((p) => regimen.components.includes(p.drug));
    return [{ id: regimen.id, cites: present.map((p) => ({ ...p.cite, text: `${p.cite.text ?? p.drug} (${regimen.name}: ${present.map((q) => q.drug).join(', ')})`, supports: [regimen.id] })) }];
  });
}

function partnerFacts(partners: Partner[], catalog: Catalog, historyGap: string | undefined, cite: Evidence) {
  const drugs = unique(partners.map((p) => p.drug));
  const regimens = regimensAmong(partners, catalog);
  const classes = unique([...drugs.flatMap((d) => classesOf(d, catalog)), ...regimens.map((r) => r.id)]);
  const cites = partners.map((p) => p.cite);
  const antineoplastic = partners.filter((p) => classesOf(p.drug, catalog).includes('antineoplastic'));
  // without the medication list, an empty partner list could hide an active antineoplastic
  const listFact = <T>(value: T, evidenceList: Evidence[]): Fact<T> =>
    historyGap !== undefined && partners.length === 0 ? unknown(historyGap) : known(value, evidenceList.length > 0 ? evidenceList : [cite]);
  const singleAgent: Fact<boolean> =
    antineoplastic.length > 0
      ? known(false, antineoplastic.map((p) => p.cite))
      : historyGap !== undefined
        ? unknown(historyGap)
        : known(true, [cite]);
  return {
    partners: listFact(drugs, cites),
    partnerClasses: listFact(classes, [...partners.map((p) => ({ ...p.cite, supports: classesOf(p.drug, catalog) })), ...regimens.flatMap((r) => r.cites)]),
    singleAgent,
  };
}

/** Days already on this drug before the service date: the union of its earlier orders' periods. */
function daysOnDrug(drug: string | null, episodes: TherapyEpisode[], serviceDate: string, historyGap: string | undefined, none: Evidence): Fact<number> {
  if (drug === null) return unknown('Ordered drug not recognised');
  const mine = episodes.filter((e) => e.drug === drug);
  if (mine.length === 0) return historyGap !== undefined ? unknown(historyGap) : known(0, [none]);
  let total = 0;
  let coveredUntil = '';
  for (const e of mine) {
    const end = e.end >= serviceDate ? addDays(serviceDate, -1) : e.end;
    const start = e.start > coveredUntil ? e.start : addDays(coveredUntil, 1);
    if (end >= start) total += daysBetween(start, end) + 1;
    if (end > coveredUntil) coveredUntil = end;
  }
  return known(total, mine.map((e) => e.cite));
}

/** What one unit of the ordered product holds, when the order names a solid oral product the catalog sizes. */
function unitStrengthOf(drug: string | null, codes: readonly string[], catalog: Catalog): UnitStrength | undefined {
  const strengths = drug === null ? undefined : catalog.drugs.get(drug)?.unitStrengths;
  if (strengths === undefined) return undefined;
  for (const key of codes) {
    const bar = key.lastIndexOf('|');
    // as written on the order: compare loosely (http/https, a trailing slash)
    if (!key.slice(0, bar).toLowerCase().includes('rxnorm')) continue;
    const strength = strengths[key.slice(bar + 1)];
    if (strength !== undefined) return strength;
  }
  return undefined;
}

/** The drug's doses before the service date, for a total per course. */
function dosesGivenFact(drug: string | null, chart: GatheredChart, catalog: Catalog, serviceDate: string, historyGap: string | undefined, unitStrength: UnitStrength | undefined, order: MedicationRequest): Fact<DoseHistory> {
  if (drug === null) return unknown('Ordered drug not recognised');
  const companions = chart.draftOrders.filter((d) => d !== order && orderReference(d) !== orderReference(order));
  const draftIds = new Set(chart.draftOrders.flatMap((d) => (d.id === undefined ? [] : [d.id])));
  const history = givenDoses(
    chart.medicationRequests,
    chart.medicationAdministrations,
    {
      drug,
      serviceDate,
      draftIds,
      identify: (resource) => identifyOrderedDrug(resource, chart, catalog),
      ...(unitStrength !== undefined ? { unitStrength } : {}),
      ...(historyGap !== undefined ? { historyGap } : {}),
      companions,
    },
  );
  return history.value === null ? history : { ...history, value: { ...history.value, doses: withBodyOnDate(history.value.doses, chart, catalog, serviceDate) } };
}

/**
 * Each earlier dose with the BSA and weight of its own date: a course that started before a weight change converts
 * its mg doses with the BSA they were given at, not today's. Read once per distinct date.
 */
function withBodyOnDate(doses: GivenDose[], chart: GatheredChart, catalog: Catalog, serviceDate: string): GivenDose[] {
  const byDate = new Map<string, { bsa: number | null; weight: number | null }>();
  return doses.map((dose) => {
    if (dose.date >= serviceDate) return dose;
    let body = byDate.get(dose.date);
    if (body === undefined) {
      const read = bodyFacts(chart, catalog, dose.date);
      body = { bsa: read.bodySurfaceArea.value, weight: read.weightKg.value };
      byDate.set(dose.date, body);
    }
    return { ...dose, ...(body.bsa !== null && { bsaM2: body.bsa }), ...(body.weight !== null && { weightKg: body.weight }) };
  });
}

export function draftOrderFacts(
  order: MedicationRequest,
  chart: GatheredChart,
  catalog: Catalog,
  serviceDate: string,
  history: { episodes: TherapyEpisode[]; active: TherapyEpisode[]; administrations?: { ofDrug(drug: string): Administration[] } },
): Omit<DraftOrderFacts, 'regimen'> {
  const reference = orderReference(order);
  const identified = identifyOrderedDrug(order, chart, catalog);
  const authored = datePart(order.authoredOn);
  const cite = (text: string, supports: string[]): Evidence => evidence(reference, authored, text, supports);
  const historyGap = unavailableReason(chart, 'medicationRequests');
  const dosage = order.dosageInstruction?.[0];
  const partners = partnersOf(order, identified.drug, chart, catalog, history.active);
  const strength = unitStrengthOf(identified.drug, identified.codes, catalog);
  const doseLines = orderedDoseLines(order.dosageInstruction ?? [], identified.hcpcs, cite, strength);
  const none = cite(`No ${identified.drug ?? 'matching'} therapy before ${serviceDate} in the medication history`, []);
  const stated = cycleFacts(order, cite);
  const pattern = identified.drug === null ? undefined : catalog.drugs.get(identified.drug)?.cyclePattern;
  const cycles =
    identified.drug === null || pattern === undefined
      ? { ...stated, cycleDayEnd: unknown<number>('No cycle pattern for this drug'), treatmentFreeDaysBefore: unknown<number>('No cycle pattern for this drug') }
      : cyclesFromHistory({ order, drug: identified.drug, pattern, serviceDate, episodes: history.episodes, administrations: history.administrations?.ofDrug(identified.drug) ?? [], stated, historyGap, cite });
  return {
    reference,
    drug: identified.drug,
    drugCodes: identified.codes,
    serviceDate,
    amount: largestAmount(doseLines, orderedAmount(dosage, identified.hcpcs, cite, strength)),
    doseLines,
    schedule: orderedSchedule(dosage, cite),
    dosesGiven: dosesGivenFact(identified.drug, chart, catalog, serviceDate, historyGap, strength, order),
    ...partnerFacts(partners, catalog, historyGap, cite('Single agent: no other antineoplastic ordered or active', [])),
    phase: phaseFact(order, catalog, cite),
    cycleNumberStated: stated.cycleNumber,
    ...cycles,
    attestations: attestationsFact(order, catalog, cite),
    daysOnThisDrug: daysOnDrug(identified.drug, history.episodes, serviceDate, historyGap, none),
    requestedDurationDays: requestedDuration(order, cite),
  };
}
