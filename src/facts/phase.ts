/**
 * Treatment phase when the order does not state one, inferred as a clinical reviewer would from the disease state
 * and the treatment history (conventions, "leukaemia state"):
 *   relapse or refractory disease                         → relapsed-refractory
 *   remission with POMP drugs ordered or active           → maintenance
 *   remission after prior therapy, no POMP                → consolidation
 *   not in remission after prior therapy                  → relapsed-refractory (refractory)
 *   not in remission, no prior therapy                    → induction
 * A phase stated on the order always wins. When the chart narrows the phase without settling it, the fact stays
 * unknown and lists the phases still possible, so the engine can check whether they all lead to the same answer.
 */
import type { Catalog, LeukaemiaState } from '../catalog/types.js';
import type { Evidence, Fact } from './types.js';
import { unknown } from './fact.js';

/** The class a catalog drug carries when it belongs to POMP maintenance (catalog/drugs.json). */
const POMP_CLASS = 'pomp';

interface PhaseInput {
  stated: Fact<string>;
  state: Fact<LeukaemiaState>;
  partnerClasses: Fact<string[]>;
  priorLines: Fact<number>;
  catalog: Catalog;
}

function inferred(phase: string, why: string, cites: Evidence[]): Fact<string> {
  const [first, ...rest] = cites;
  const lead: Evidence = { reference: first?.reference ?? 'unknown', ...(first?.date !== undefined ? { date: first.date } : {}), text: `Treatment phase inferred as ${phase} (not stated on the order): ${why}`, supports: [phase] };
  // the facts behind the inference are cited too, each supporting the inferred phase
  return { value: phase, evidence: [lead, ...[first, ...rest].filter((e): e is Evidence => e !== undefined).map((e) => ({ ...e, supports: [phase] }))] };
}

export function inferPhase(input: PhaseInput): Fact<string> {
  const { stated, state, partnerClasses, priorLines, catalog } = input;
  if (stated.value !== null) return stated;
  const all = catalog.phases.map((p) => p.phase);
  const open = (reason: string, possible: string[], evidence: Evidence[] = []): Fact<string> => ({ ...unknown<string>(reason, evidence), possibleValues: possible });
  if (state.value === null) {
    // a state the chart leaves between values (ICD character vs clinicalStatus): the phases each would lead to
    const possible = state.possibleValues ?? [];
    if (possible.length === 0) return open(stated.unknownReason ?? 'Treatment phase not stated on the order', all);
    const each = possible.map((value) => inferPhase({ ...input, state: { value, evidence: state.evidence } }));
    const phases = [...new Set(each.flatMap((p) => (p.value !== null ? [p.value] : (p.possibleValues ?? all))))];
    const [only] = phases;
    const why = state.unknownReason ?? 'disease state not settled';
    if (phases.length === 1 && only !== undefined) return inferred(only, `${why}; each reading leads to ${only}`, [...state.evidence, ...each.flatMap((p) => p.evidence.slice(1))]);
    return open(`Treatment phase not stated on the order; ${why}`, phases, state.evidence);
  }
  const stateCites = state.evidence;
  switch (state.value) {
    case 'relapse':
    case 'refractory':
      return inferred('relapsed-refractory', `disease ${state.value === 'relapse' ? 'in relapse' : 'refractory'}`, stateCites);
    case 'remission': {
      if (partnerClasses.value?.includes(POMP_CLASS) === true) {
        const pomp = partnerClasses.evidence.filter((e) => e.supports === undefined || e.supports.includes(POMP_CLASS));
        return inferred('maintenance', 'disease in remission, POMP maintenance drugs ordered or active', [...stateCites, ...pomp]);
      }
      if (priorLines.value !== null && priorLines.value > 0) {
        return inferred('consolidation', 'disease in remission after prior therapy, no POMP maintenance', [...stateCites, ...priorLines.evidence]);
      }
      return open('Treatment phase not stated on the order; in remission, consolidation or maintenance', ['consolidation', 'maintenance'], stateCites);
    }
    case 'not-in-remission':
      if (priorLines.value === null) return open('Treatment phase not stated on the order; not in remission, prior therapy unknown', ['induction', 'relapsed-refractory'], stateCites);
      return priorLines.value > 0
        ? inferred('relapsed-refractory', 'no remission after prior therapy (refractory)', [...stateCites, ...priorLines.evidence])
        : inferred('induction', 'not in remission and no prior therapy (newly diagnosed)', [...stateCites, ...priorLines.evidence]);
  }
}
