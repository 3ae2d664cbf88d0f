/**
 * Cycles from the medication history, for a drug whose catalog entry has a cycle pattern (continuous infusion runs
 * separated by treatment-free intervals, e.g. blinatumomab 28 days on, 14 or 56 off). When the order does not state
 * its cycle, the earlier runs of the same drug give it: no earlier run = cycle 1 day 1; a run still going on the
 * service date = that run's cycle, day counted from its start; otherwise the next cycle, day 1. The runs come from the
 * drug's MedicationAdministrations when the chart has them, else from its orders' periods.
 */
import type { MedicationRequest } from 'fhir/r4.js';
import type { CyclePattern } from '../catalog/types.js';
import type { Evidence, Fact } from './types.js';
import { addDays, datePart, daysBetween } from './dates.js';
import { durationDays } from './durations.js';
import { evidence, known, unknown } from './fact.js';
import type { Administration } from './episodes.js';
import { firstOfDosages } from './fhir.js';
import type { TherapyEpisode } from './therapy.js';

type Cite = (text: string, supports: string[]) => Evidence;

/** One uninterrupted infusion run: orders that follow each other without a day's gap (bag changes) are one run. */
export interface InfusionRun {
  start: string;
  end: string;
  cites: Evidence[];
}

export interface HistoryCycleFacts {
  cycleNumber: Fact<number>;
  cycleDayStart: Fact<number>;
  /** Last cycle day this order covers: cycleDayStart + the order's infusion days − 1. */
  cycleDayEnd: Fact<number>;
  /** Days without the drug between the end of the previous run and this order's start. */
  treatmentFreeDaysBefore: Fact<number>;
}

/** A stretch of infusion: an episode (an order's period) or one administration (a bag, an infusion). */
interface InfusionSpan {
  start: string;
  end: string;
  cite: Evidence;
}

/** How far a run reaches over days with no charted infusion: the label's interruption, while the cycle is not yet full. */
export interface RunGaps {
  interruptionDays: number;
  infusionDays: number;
}

const NO_GAPS: RunGaps = { interruptionDays: 0, infusionDays: 0 };

/** The last day a run continues to: the next day, or (its cycle not yet full) the end of the interruption allowed. */
function reachOf(run: { start: string; end: string }, gaps: RunGaps): string {
  const full = daysBetween(run.start, run.end) + 1 >= gaps.infusionDays;
  return addDays(run.end, 1 + (full ? 0 : gaps.interruptionDays));
}

/**
 * Spans merged into runs (sorted by start): an overlap or a next-day start continues a run; so does a start after no
 * more than `interruptionDays` days without a charted infusion while the run is shorter than the cycle's infusion days
 * (bags charted by their start every 2–4 days; an interruption the label counts in the same cycle). After a full
 * cycle, any gap is a treatment-free interval.
 */
function runsOf(spans: readonly InfusionSpan[], gaps: RunGaps = NO_GAPS): InfusionRun[] {
  const runs: InfusionRun[] = [];
  for (const s of [...spans].sort((a, b) => a.start.localeCompare(b.start))) {
    const last = runs.at(-1);
    if (last !== undefined && s.start <= reachOf(last, gaps)) {
      if (s.end > last.end) last.end = s.end;
      last.cites.push(s.cite);
    } else {
      runs.push({ start: s.start, end: s.end, cites: [s.cite] });
    }
  }
  return runs;
}

/** Earlier episodes of the drug, merged into runs (sorted by start; an overlap or a next-day start continues a run). */
export function infusionRuns(episodes: readonly TherapyEpisode[], gaps: RunGaps = NO_GAPS): InfusionRun[] {
  return runsOf(episodes.map((e) => ({ start: e.start, end: e.end, cite: e.cite })), gaps);
}

/**
 * The runs of a drug from the chart: its administrations when there are any (each bag or infusion as charted, so two
 * cycles under one order stay two runs), plus the orders no administration dates (older cycles charted only as
 * orders).
 */
export function infusionRunsWithAdministrations(episodes: readonly TherapyEpisode[], administrations: readonly Administration[], drug: string, gaps: RunGaps = NO_GAPS): InfusionRun[] {
  if (administrations.length === 0) return infusionRuns(episodes, gaps);
  const spans: InfusionSpan[] = [
    ...episodes.filter((e) => e.dating.source !== 'administrations').map((e) => ({ start: e.start, end: e.end, cite: e.cite })),
    ...administrations.map((a) => ({ start: a.start, end: a.end, cite: evidence(a.reference, a.start, `${drug} given ${a.start === a.end ? a.start : `${a.start} to ${a.end}`} (administration)`, [drug]) })),
  ];
  return runsOf(spans, gaps);
}

/** Days of infusion this order asks for: boundsDuration, else its boundsPeriod (inclusive); unknown otherwise. */
export function orderInfusionDays(order: MedicationRequest): number | undefined {
  const duration = firstOfDosages(order, (d) => durationDays(d.timing?.repeat?.boundsDuration));
  if (duration !== undefined) return Math.ceil(duration);
  const start = datePart(firstOfDosages(order, (d) => d.timing?.repeat?.boundsPeriod?.start));
  const end = datePart(firstOfDosages(order, (d) => d.timing?.repeat?.boundsPeriod?.end));
  if (start === undefined || end === undefined || start.length !== 10 || end.length !== 10 || end < start) return undefined;
  return daysBetween(start, end) + 1;
}

const runText = (r: InfusionRun): string => `${r.start}–${r.end}`;

/**
 * The cycle facts for an order of a cycled drug. `stated` is what the order itself says (extension or text) and wins;
 * `historyGap` is set when the medication history could not be read (then nothing is derived).
 */
export function cyclesFromHistory(input: {
  order: MedicationRequest;
  drug: string;
  pattern: CyclePattern;
  serviceDate: string;
  episodes: readonly TherapyEpisode[];
  /** the drug's administrations before the service date, when the chart has them (they date the runs) */
  administrations?: readonly Administration[];
  stated: { cycleNumber: Fact<number>; cycleDayStart: Fact<number> };
  historyGap: string | undefined;
  cite: Cite;
}): HistoryCycleFacts {
  const { order, drug, pattern, serviceDate, stated, historyGap, cite } = input;
  const earlier = input.episodes.filter((e) => e.drug === drug && e.start < serviceDate);
  const gaps: RunGaps = { interruptionDays: pattern.sameCycleInterruptionDays ?? 0, infusionDays: pattern.infusionDays };
  const runs = infusionRunsWithAdministrations(earlier, (input.administrations ?? []).filter((a) => a.start < serviceDate), drug, gaps);
  const last = runs.at(-1);
  // the last bag (charted by its start) within the interruption the label allows, its cycle not yet full: this order continues it
  const continuing = last !== undefined && reachOf(last, gaps) >= serviceDate;
  const historyCites = runs.flatMap((r) => r.cites);
  const runsText = runs.map(runText).join(', ');

  let cycleNumber = stated.cycleNumber;
  let cycleDayStart = stated.cycleDayStart;
  if (cycleNumber.value === null && historyGap === undefined) {
    if (last === undefined) {
      cycleNumber = known(1, [cite(`Cycle 1 (no earlier ${drug} infusion in the medication history)`, ['1'])]);
    } else {
      const n = continuing ? runs.length : runs.length + 1;
      const how = continuing ? `continues the run started ${last.start}` : `follows ${runs.length} earlier ${drug} run${runs.length === 1 ? '' : 's'}`;
      cycleNumber = known(n, [cite(`Cycle ${n} from the medication history: this order ${how} (${runsText})`, [String(n)]), ...historyCites]);
    }
  }
  if (cycleDayStart.value === null && historyGap === undefined) {
    const day = continuing && last !== undefined ? daysBetween(last.start, serviceDate) + 1 : 1;
    const why = continuing && last !== undefined ? `day ${day} of the run started ${last.start}` : 'a new run starts on day 1';
    cycleDayStart = known(day, [cite(`Cycle day ${day} from the medication history (${why})`, [String(day)]), ...(continuing ? historyCites : [])]);
  }
  return {
    cycleNumber,
    cycleDayStart,
    cycleDayEnd: cycleDayEndFact(order, cycleDayStart, pattern, cite),
    treatmentFreeDaysBefore: treatmentFreeFact(last, continuing, serviceDate, historyGap, drug, pattern, cite),
  };
}

function cycleDayEndFact(order: MedicationRequest, dayStart: Fact<number>, pattern: CyclePattern, cite: Cite): Fact<number> {
  const days = orderInfusionDays(order);
  if (days === undefined) return unknown('The order does not state how many days the infusion runs');
  if (dayStart.value === null) return unknown('Cycle day of this order not known');
  const end = dayStart.value + days - 1;
  const over = end > pattern.infusionDays ? `, past day ${pattern.infusionDays} of the cycle` : '';
  return known(end, [cite(`Continuous infusion for ${days} days from cycle day ${dayStart.value}: through cycle day ${end}${over}`, [String(end)]), ...dayStart.evidence]);
}

function treatmentFreeFact(last: InfusionRun | undefined, continuing: boolean, serviceDate: string, historyGap: string | undefined, drug: string, pattern: CyclePattern, cite: Cite): Fact<number> {
  if (historyGap !== undefined) return unknown(historyGap);
  if (last === undefined) return unknown(`No earlier ${drug} infusion: no treatment-free interval before this order`);
  if (continuing) return unknown(`This order continues the ${drug} run started ${last.start}`);
  const free = daysBetween(last.end, serviceDate) - 1;
  const shortest = Math.min(...pattern.treatmentFreeDays);
  const short = free < shortest ? ` (shorter than the ${shortest} days of the label's schedule)` : '';
  return known(free, [cite(`${free} treatment-free days since the ${drug} run ${runText(last)} ended${short}`, [String(free)]), ...last.cites]);
}
