/** Constructors for Fact<T>: a known value always carries evidence; an unknown one says why. */
import type { GatheredChart } from '../gather/types.js';
import type { Evidence, Fact } from './types.js';

export function known<T>(value: T, evidence: Evidence[]): Fact<T> {
  return { value, evidence };
}

export function unknown<T>(reason: string, evidence: Evidence[] = []): Fact<T> {
  return { value: null, evidence, unknownReason: reason };
}

/** Why a part of the chart is missing, when gathering reported it (prefetch key, e.g. `observations`). */
export function unavailableReason(chart: Pick<GatheredChart, 'unavailable'>, key: string): string | undefined {
  const gap = chart.unavailable.find((u) => u.key === key);
  return gap === undefined ? undefined : `${gap.what}: not available (${gap.reason})`;
}

/** "Not documented" unless the source itself could not be read. */
export function notFound<T>(chart: Pick<GatheredChart, 'unavailable'>, key: string, what: string): Fact<T> {
  return unknown(unavailableReason(chart, key) ?? `${what} not documented`);
}

export function evidence(reference: string, date: string | undefined, text: string, supports?: Array<string | number>): Evidence {
  return {
    reference,
    ...(date !== undefined ? { date } : {}),
    text,
    ...(supports !== undefined && supports.length > 0 ? { supports: supports.map(String) } : {}),
  };
}

export function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
