/**
 * Refractory to a drug (IMWG): progression while on it, or within 60 days of its last dose. Each progression is tied
 * to the drugs that were running, or had ended at most 60 days before it, so "lenalidomide-refractory" needs a
 * progression on lenalidomide, not lenalidomide somewhere in the history and a progression somewhere else.
 */
import type { GatheredChart } from '../gather/types.js';
import type { Evidence, Fact } from './types.js';
import { addDays } from './dates.js';
import { evidence, known, unavailableReason, unique, unknown } from './fact.js';
import type { TherapyEpisode } from './therapy.js';
import { partitionPoint } from './sorted.js';

/** Days after the last dose within which a progression still counts as on that drug (IMWG). */
export const REFRACTORY_WINDOW_DAYS = 60;

export interface Progression {
  reference: string;
  date: string;
}

/** Drug ids and their catalog classes the disease progressed on (e.g. lenalidomide, anti-cd38). */
export function refractoryTo(episodes: TherapyEpisode[], progressions: Progression[], chart: GatheredChart, statusUnknownReason: string | undefined): Fact<string[]> {
  const gap = unavailableReason(chart, 'medicationRequests');
  if (gap !== undefined) return unknown(gap);
  if (progressions.length === 0) {
    return statusUnknownReason !== undefined ? unknown(statusUnknownReason) : known([], [evidence(`Patient/${chart.patientId}`, undefined, 'No progression documented')]);
  }
  const values: string[] = [];
  const cites: Evidence[] = [];
  // each episode looks up the progressions inside its window [start, last dose + 60 days]: progressions sorted once,
  // a binary search per episode, so the cost grows with the history, not with history × progressions
  const sorted = [...progressions].sort((a, b) => a.date.localeCompare(b.date));
  for (const episode of episodes) {
    if (!episode.classes.includes('antineoplastic')) continue;
    const windowEnd = addDays(episode.end, REFRACTORY_WINDOW_DAYS);
    for (let i = firstOnOrAfter(sorted, episode.start); i < sorted.length && (sorted[i] as Progression).date <= windowEnd; i += 1) {
      const progression = sorted[i] as Progression;
      const what = unique([episode.drug, ...episode.classes.filter((c) => c !== 'antineoplastic')]);
      values.push(...what);
      cites.push({ ...episode.cite, text: `Progression ${progression.date} on or within ${REFRACTORY_WINDOW_DAYS} days of ${episode.drug} (${episode.start} to ${episode.end})`, supports: what });
      cites.push(evidence(progression.reference, progression.date, `Progression documented ${progression.date}`, what));
    }
  }
  return known(unique(values), cites.length > 0 ? cites : progressions.map((p) => evidence(p.reference, p.date, `Progression ${p.date}, not on or within ${REFRACTORY_WINDOW_DAYS} days of any antineoplastic in the history`)));
}

/** Index of the first progression dated on or after `date` (progressions sorted by date). */
function firstOnOrAfter(sorted: Progression[], date: string): number {
  return partitionPoint(sorted, (p) => p.date < date);
}
