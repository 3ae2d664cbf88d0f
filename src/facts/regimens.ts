/**
 * Regimen recognition (catalog/regimens.json): which named regimen each line of therapy was, and which one the draft
 * order makes with its partners. Pure: lines, episodes and progressions in, facts out.
 *
 * A set of drugs is a catalog regimen when every antineoplastic of it is a component of the regimen and one of the
 * regimen's recognising sets is there whole. A corticosteroid counts only when the regimen lists it as a component:
 * lenalidomide + dexamethasone is Rd; inotuzumab + its dexamethasone premedication is inotuzumab alone, because no
 * catalog regimen pairs dexamethasone with inotuzumab alone. Drug ids and regimen ids live in the catalog, not here.
 */
import { classesOf } from '../catalog/drugs.js';
import type { Catalog, Regimen } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, DraftOrderFacts, Evidence, Fact } from './types.js';
import { addDays, ageAt } from './dates.js';
import { evidence, known, unavailableReason, unique, unknown } from './fact.js';
import type { Progression } from './refractory.js';
import { LINE_WINDOW_DAYS, type TherapyEpisode, type TherapyLine } from './therapy.js';
import { partitionPoint } from './sorted.js';

/** Catalog classes that decide how a drug takes part in a regimen. */
const ANTINEOPLASTIC = 'antineoplastic';
const CORTICOSTEROID = 'corticosteroid';

export interface RegimenReading {
  /** the catalog regimen the drugs make, when they make one */
  regimen?: Regimen;
  /** antineoplastics, then the corticosteroids the regimen pairs with them */
  drugs: string[];
  /** corticosteroids given with them that no catalog regimen pairs with these antineoplastics (premedication, supportive care) */
  premedication: string[];
  /**
   * A regimen the antineoplastics would make but for its corticosteroid, absent from the chart (bortezomib +
   * lenalidomide without dexamethasone: VRd?): then "no regimen" is not known, only not documented.
   */
  lacking?: { regimen: Regimen; corticosteroids: string[] };
}

/** How many of the regimen's antineoplastic components the drugs do not have (0 = all there). */
function missingAntineoplastics(regimen: Regimen, present: Set<string>, catalog: Catalog): number {
  return regimen.components.filter((c) => !present.has(c) && classesOf(c, catalog).includes(ANTINEOPLASTIC)).length;
}

/**
 * The catalog regimen that antineoplastics given together make, with the corticosteroids given with them. Of several
 * candidates the most complete wins (fewest antineoplastic components missing, then most components present):
 * cyclophosphamide, vincristine, methotrexate and cytarabine are mini-hyper-CVD, not hyper-CVAD without doxorubicin.
 */
export function recogniseRegimen(antineoplastics: string[], corticosteroids: string[], catalog: Catalog): RegimenReading {
  const given = new Set([...antineoplastics, ...corticosteroids]);
  const fits = (r: Regimen) => antineoplastics.length > 0 && antineoplastics.every((d) => r.components.includes(d));
  let best: { regimen: Regimen; missing: number; present: number } | undefined;
  for (const regimen of catalog.regimens) {
    if (!fits(regimen) || regimen.notWith?.some((d) => given.has(d)) === true || !regimen.recognisedBy.some((set) => set.every((d) => given.has(d)))) continue;
    const missing = missingAntineoplastics(regimen, given, catalog);
    const present = regimen.components.filter((c) => given.has(c)).length;
    if (best === undefined || missing < best.missing || (missing === best.missing && present > best.present)) best = { regimen, missing, present };
  }
  if (best !== undefined) {
    const paired = corticosteroids.filter((c) => best.regimen.components.includes(c));
    return { regimen: best.regimen, drugs: [...antineoplastics, ...paired], premedication: corticosteroids.filter((c) => !paired.includes(c)) };
  }
  const reading: RegimenReading = { drugs: [...antineoplastics], premedication: [...corticosteroids] };
  // the same antineoplastics exactly, recognised once its corticosteroid is there: the chart may just not show it
  const lacking = catalog.regimens.find((r) => fits(r) && missingAntineoplastics(r, given, catalog) === 0 && r.recognisedBy.some((set) => set.every((d) => given.has(d) || classesOf(d, catalog).includes(CORTICOSTEROID))));
  if (lacking !== undefined) reading.lacking = { regimen: lacking, corticosteroids: lacking.components.filter((c) => !given.has(c) && classesOf(c, catalog).includes(CORTICOSTEROID)) };
  return reading;
}

/** The value a regimen fact takes: the catalog regimen id, else the drugs themselves ("inotuzumab-ozogamicin"). */
export function regimenValue(reading: RegimenReading): string {
  return reading.regimen?.id ?? reading.drugs.join(' + ');
}

function nameOf(drug: string, catalog: Catalog): string {
  return catalog.drugs.get(drug)?.generic ?? drug;
}

/** "VRd (bortezomib, lenalidomide, dexamethasone)"; "inotuzumab ozogamicin: no catalog regimen; dexamethasone with it is premedication". */
export function describeRegimen(reading: RegimenReading, catalog: Catalog): string {
  const names = (ids: string[]) => ids.map((d) => nameOf(d, catalog)).join(', ');
  const premedication = reading.premedication.length === 0 ? '' : `; ${names(reading.premedication)} with it is premedication or supportive care, not a component`;
  if (reading.regimen !== undefined) return `${reading.regimen.name} (${names(reading.drugs)})${premedication}`;
  const lacking = reading.lacking === undefined ? '' : `; ${reading.lacking.regimen.name} would need ${names(reading.lacking.corticosteroids)}, not in the chart with them`;
  return `${names(reading.drugs)}: no catalog regimen${lacking}${premedication}`;
}

// ---------------------------------------------------------------- lines

export interface LineRegimen {
  line: TherapyLine;
  /** "Line 2", or "Curative-intent therapy" for a (neo)adjuvant course */
  label: string;
  reading: RegimenReading;
  cite: Evidence;
}

/** Index of the first episode starting on or after `date` (episodes sorted by start). */
function firstStartingFrom(sorted: TherapyEpisode[], date: string): number {
  return partitionPoint(sorted, (e) => e.start < date);
}

/**
 * Each line's regimen. The corticosteroids "given with" a line are those started from 28 days before its first
 * antineoplastic to its last administration (or until the next line starts); the catalog decides whether they are
 * components. Cost: a binary search per line into the corticosteroid episodes (sorted by start), then a walk over the
 * ones inside the line: each is visited about once, so the whole stays linear-logarithmic in the history.
 */
export function lineRegimens(lines: TherapyLine[], episodes: TherapyEpisode[], catalog: Catalog): LineRegimen[] {
  const steroids = episodes.filter((e) => e.classes.includes(CORTICOSTEROID)).sort((a, b) => a.start.localeCompare(b.start));
  let counted = 0;
  return lines.map((line, n) => {
    const withLine: TherapyEpisode[] = [];
    // a corticosteroid started once the next line has begun is that line's, so each one is visited about once
    const next = lines[n + 1]?.start;
    const until = next !== undefined && next <= line.end ? addDays(next, -1) : line.end;
    for (let i = firstStartingFrom(steroids, addDays(line.start, -LINE_WINDOW_DAYS)); i < steroids.length; i++) {
      const s = steroids[i] as TherapyEpisode;
      if (s.start > until) break;
      if (!withLine.some((w) => w.drug === s.drug)) withLine.push(s);
    }
    const reading = recogniseRegimen(line.drugs, withLine.map((s) => s.drug), catalog);
    const label = line.setting === 'curative' ? 'Curative-intent therapy' : `Line ${++counted}`;
    const first = line.episodes[0];
    const cite = evidence(first === undefined ? 'MedicationRequest/unknown' : first.cite.reference, line.start, `${label} ${line.start} to ${line.end}: ${describeRegimen(reading, catalog)}`, [regimenValue(reading)]);
    return { line, label, reading, cite };
  });
}

// ---------------------------------------------------------------- facts

export interface RegimenInput {
  /** every line before the service date, oldest first (src/facts/therapy.ts groupIntoLines) */
  lines: TherapyLine[];
  episodes: TherapyEpisode[];
  /** documented progressions (worsened disease status), any order */
  progressions: Progression[];
  /** why the disease status is unknown, when it is */
  statusGap: string | undefined;
  order: Pick<DraftOrderFacts, 'drug' | 'partners' | 'reference'>;
  chart: GatheredChart;
  catalog: Catalog;
  serviceDate: string;
}

export type RegimenFacts = Pick<ClinicalFacts['therapy'], 'priorRegimens' | 'inductionRegimen' | 'inductionToRelapseMonths'> & Pick<DraftOrderFacts, 'regimen'>;

function regimenFact(reading: RegimenReading, cites: Evidence[]): Fact<string> {
  const fact = known(regimenValue(reading), cites);
  return reading.lacking === undefined ? fact : { ...fact, incomplete: `${reading.lacking.regimen.name} would need ${reading.lacking.corticosteroids.join(', ')}, which the chart does not show with the other drugs` };
}

/** The order's drug with its partners (other draft orders, active medications) as one regimen. */
function requestedRegimen(input: RegimenInput): Fact<string> {
  const { order, catalog } = input;
  if (order.drug === null) return unknown('Ordered drug not recognised');
  if (order.partners.value === null) return unknown(order.partners.unknownReason ?? 'Partner drugs not documented');
  const drugs = unique([order.drug, ...order.partners.value]);
  const reading = recogniseRegimen(
    drugs.filter((d) => classesOf(d, catalog).includes(ANTINEOPLASTIC)),
    drugs.filter((d) => classesOf(d, catalog).includes(CORTICOSTEROID)),
    catalog,
  );
  const own = evidence(order.reference, input.serviceDate, `Requested regimen: ${describeRegimen(reading, catalog)}`, [regimenValue(reading)]);
  const partnerCites = order.partners.evidence.filter((e) => e.supports === undefined || e.supports.some((s) => reading.drugs.includes(s)));
  return regimenFact(reading, [own, ...partnerCites]);
}

/**
 * The last day of the induction: when the first line ran on with only some of its drugs for more than 28 days after
 * one of the drugs it started with ended (VRd, then lenalidomide maintenance, with or without a transplant between),
 * the induction ended with that drug; otherwise with the line. A drug stopped for intolerance does not end the
 * induction (the others carry it on).
 */
function inductionEnd(line: TherapyLine): string {
  const lastByDrug = new Map<string, string>();
  const stoppedForIntolerance = new Set<string>();
  const startedWith = addDays(line.start, LINE_WINDOW_DAYS);
  for (const e of line.episodes) {
    if (e.start > startedWith && !lastByDrug.has(e.drug)) continue;
    if (e.ending?.reason === 'intolerance') stoppedForIntolerance.add(e.drug);
    const last = lastByDrug.get(e.drug);
    if (last === undefined || e.end > last) lastByDrug.set(e.drug, e.end);
  }
  let first: string | undefined;
  for (const [drug, end] of lastByDrug) if (!stoppedForIntolerance.has(drug) && (first === undefined || end < first)) first = end;
  return first !== undefined && line.end > addDays(first, LINE_WINDOW_DAYS) ? first : line.end;
}

/**
 * Whole calendar months from the end of the induction (the first line, without its maintenance phase) to
 * the first progression after the line started (0 when during the induction).
 */
function relapseAfterInduction(first: LineRegimen | undefined, input: RegimenInput, noLine: () => Fact<number>): Fact<number> {
  if (first === undefined) return noLine();
  const { line } = first;
  const relapse = input.progressions.filter((p) => p.date.slice(0, 10) > line.start).sort((a, b) => a.date.localeCompare(b.date))[0];
  if (relapse === undefined) {
    const why = input.statusGap ?? `No progression documented after the first line started (${line.start})`;
    return unknown(why, [first.cite]);
  }
  const date = relapse.date.slice(0, 10);
  const end = inductionEnd(line);
  const maintenance = end < line.end ? ` (induction; the first line's maintenance ran to ${line.end})` : '';
  const months = date <= end ? 0 : ageAt(end, date).months;
  const text = date <= end ? `Progression ${date} during the induction (ended ${end}): relapse 0 months after it` : `Progression ${date}: relapse ${months} whole calendar months after the induction ended ${end}${maintenance}`;
  return known(months, [first.cite, evidence(relapse.reference, date, text, [String(months)])]);
}

export function regimenFacts(input: RegimenInput): RegimenFacts {
  const gap = unavailableReason(input.chart, 'medicationRequests');
  const perLine = lineRegimens(input.lines, input.episodes, input.catalog);
  const first = perLine[0];
  const noLine = <T>(): Fact<T> => unknown(gap ?? `No line of antineoplastic therapy before ${input.serviceDate} in the medication history: the induction regimen is not documented`);
  const lacking = perLine.filter((l) => l.reading.lacking !== undefined);
  const priorRegimens: Fact<string[]> =
    perLine.length > 0
      ? {
          ...known(unique(perLine.flatMap((l) => (l.reading.regimen === undefined ? [] : [l.reading.regimen.id]))), perLine.map((l) => l.cite)),
          ...(lacking.length > 0 ? { incomplete: lacking.map((l) => `${l.label}: ${describeRegimen(l.reading, input.catalog)}`).join('; ') } : {}),
        }
      : gap !== undefined
        ? unknown(gap)
        : known([], [evidence(`Patient/${input.chart.patientId}`, input.serviceDate, `No line of antineoplastic therapy before ${input.serviceDate}`)]);
  return {
    priorRegimens,
    inductionRegimen: first === undefined ? noLine() : regimenFact(first.reading, [first.cite]),
    inductionToRelapseMonths: relapseAfterInduction(first, input, noLine),
    regimen: requestedRegimen(input),
  };
}
