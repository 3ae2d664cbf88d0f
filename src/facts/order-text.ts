/** What the order states in words or project extensions: phase, cycle, attestations. */
import type { MedicationRequest } from 'fhir/r4.js';
import type { Catalog } from '../catalog/types.js';
import { normaliseText, statesPhrase } from '../catalog/text.js';
import type { Evidence, Fact } from './types.js';
import { known, unknown } from './fact.js';

export const PHASE_EXTENSION = 'http://oncology-pa.example.org/fhir/StructureDefinition/treatment-phase';
export const CYCLE_EXTENSION = 'http://oncology-pa.example.org/fhir/StructureDefinition/treatment-cycle';
export const CYCLE_DAY_EXTENSION = 'http://oncology-pa.example.org/fhir/StructureDefinition/treatment-cycle-day';

type Cite = (text: string, supports: string[]) => Evidence;

/** The order's free-text statements: note, reasonCode.text, dosageInstruction.text. */
export function orderStatements(order: MedicationRequest): string[] {
  return [
    ...(order.note ?? []).map((n) => n.text),
    ...(order.reasonCode ?? []).map((r) => r.text),
    ...(order.dosageInstruction ?? []).map((d) => d.text),
  ].filter((t): t is string => t !== undefined && t.trim() !== '');
}

function extensionValue(order: MedicationRequest, url: string): { code?: string; int?: number } | undefined {
  const ext = order.extension?.find((e) => e.url === url);
  if (ext === undefined) return undefined;
  const int = ext.valuePositiveInt ?? ext.valueInteger ?? ext.valueUnsignedInt;
  const code = ext.valueCode ?? ext.valueString;
  return { ...(code !== undefined ? { code } : {}), ...(int !== undefined ? { int } : {}) };
}

/**
 * The clauses of a statement, each normalised: sentences, then their clauses (`;` `:` `,` line breaks, "but",
 * "however", "although"), so a negation governs only its own clause — "No fever. Baseline ECG normal." keeps the
 * ECG statement, "denies pain, relapsed disease" keeps "relapsed". A decimal point ("2.5 mg") splits nothing.
 */
export function clausesOf(text: string): string[] {
  return text
    .split(/(?<!\d)[.!?]|[.!?](?=\s|$)|[;:,\n\r]|\s(?:but|however|although|whereas)\s/i)
    .map((clause) => normaliseText(clause))
    .filter((clause) => clause.trim() !== '');
}

/** Every clause of every statement on the order. */
function statedClauses(order: MedicationRequest): string[] {
  return orderStatements(order).flatMap(clausesOf);
}

export function attestationsFact(order: MedicationRequest, catalog: Catalog, cite: Cite): Fact<string[]> {
  const statements = statedClauses(order).map((normalised) => ({ normalised }));
  const found: string[] = [];
  const cites: Evidence[] = [];
  for (const attestation of catalog.attestations) {
    const phrase = attestation.phrases.find((p) => statements.some((s) => statesPhrase(s.normalised, p, catalog.negations)));
    if (phrase === undefined) continue;
    found.push(attestation.id);
    cites.push(cite(`Order states "${phrase}"`, [attestation.id]));
  }
  // a statement can only confirm: saying nothing leaves every attestation not documented
  return found.length > 0 ? known(found, cites) : unknown('No statement on the order');
}

export function phaseFact(order: MedicationRequest, catalog: Catalog, cite: Cite): Fact<string> {
  const stated = extensionValue(order, PHASE_EXTENSION)?.code;
  if (stated !== undefined) return known(stated, [cite(`Treatment phase ${stated} (order extension)`, [stated])]);
  const statements = statedClauses(order);
  for (const { phase, phrases } of catalog.phases) {
    const phrase = phrases.find((p) => statements.some((s) => statesPhrase(s, p, catalog.negations)));
    if (phrase !== undefined) return known(phase, [cite(`Order states "${phrase}"`, [phase])]);
  }
  return unknown('Treatment phase not stated on the order');
}

/** "cycle 2", "cycle 1 days 8-28", "cycle 3, day 8", "C2D8". */
export function cycleFromText(text: string): { cycle?: number; day?: number } {
  const compact = /\bC(\d{1,2})\s*D(\d{1,2})\b/i.exec(text);
  if (compact !== null) return { cycle: Number(compact[1]), day: Number(compact[2]) };
  const spelled = /\bcycle\s*#?\s*(\d{1,2})\b(?:\s*[,;:]?\s*days?\s*(\d{1,2}))?/i.exec(text);
  if (spelled === null) return {};
  return { cycle: Number(spelled[1]), ...(spelled[2] !== undefined ? { day: Number(spelled[2]) } : {}) };
}

export function cycleFacts(order: MedicationRequest, cite: Cite): { cycleNumber: Fact<number>; cycleDayStart: Fact<number> } {
  const cycleExt = extensionValue(order, CYCLE_EXTENSION)?.int;
  const dayExt = extensionValue(order, CYCLE_DAY_EXTENSION)?.int;
  const fromText = orderStatements(order).map(cycleFromText).find((c) => c.cycle !== undefined) ?? {};
  const cycle = cycleExt ?? fromText.cycle;
  const day = dayExt ?? fromText.day;
  const source = (fromExt: boolean) => (fromExt ? 'order extension' : 'order text');
  return {
    cycleNumber: cycle !== undefined ? known(cycle, [cite(`Cycle ${cycle} (${source(cycleExt !== undefined)})`, [String(cycle)])]) : unknown('Cycle number not stated on the order'),
    cycleDayStart: day !== undefined ? known(day, [cite(`Cycle day ${day} (${source(dayExt !== undefined)})`, [String(day)])]) : unknown('Cycle day not stated on the order'),
  };
}
