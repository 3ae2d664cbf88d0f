/**
 * TEMPORARY placeholder so `npm start` runs on the protocol branch: answers every hook with no cards and
 * reports no policies. Replaced at integration by the real gather → facts → policy → cards pipeline.
 * It decides nothing, so it never says "covered".
 */
import type { AppConfig } from './config.js';
import type { PolicySummary } from './protocol/health.js';
import type { HookPipeline } from './protocol/pipeline.js';

export interface AssembledPipeline {
  pipeline: HookPipeline;
  policiesSummary: () => PolicySummary[];
}

export function createPipeline(_config: AppConfig): AssembledPipeline {
  return {
    pipeline: { evaluate: () => Promise.resolve({ response: { cards: [] }, audit: [] }) },
    policiesSummary: () => [],
  };
}
