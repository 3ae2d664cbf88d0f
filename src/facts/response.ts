/**
 * Response assessment: the category (CR, CRi, CRh, PR, SD, PD) and MRD of the latest response-assessment Observation
 * on or before the service date. Codes first (catalog/observation-codes.json `responseCategories`: mCODE, SNOMED CT
 * and LOINC answers, each with where it was checked), the result's words as the fallback; trend codes (improved,
 * stable) keep an earlier category as the catalog says. MRD is read from words only (no coded answer was found).
 */
import type { Coding, Observation } from 'fhir/r4.js';
import type { Catalog, ResponseCategories, SourcedCode } from '../catalog/types.js';
import { normaliseSystem } from '../catalog/systems.js';
import { normaliseText, phraseNeedle, statesPhrase } from '../catalog/text.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence, Fact } from './types.js';
import { evidence, known, notFound, unknown } from './fact.js';
import { codings, conceptTexts, newestFirst, observationDate, observationsWithFactCode, relativeReference, usableObservation } from './fhir.js';

type Category = ResponseCategories['categories'][number];
type Trend = NonNullable<ResponseCategories['trends']>[number];

const SYSTEM_NAMES: Readonly<Record<SourcedCode['system'], string>> = { loinc: 'LOINC', snomed: 'SNOMED CT' };

function resultText(observation: Observation): string {
  return normaliseText([...conceptTexts(observation.valueCodeableConcept), observation.valueString ?? ''].join(' ; '));
}

const says = (text: string, phrases: readonly string[]): boolean => phrases.some((p) => text.includes(phraseNeedle(p)));

/** The catalog code among the result's codings, if any. */
function matchingCode(values: readonly Coding[], codes: readonly SourcedCode[] | undefined, systems: Catalog['observations']['systems']): SourcedCode | undefined {
  if (codes === undefined) return undefined;
  for (const coding of values) {
    const system = normaliseSystem(coding.system);
    const code = coding.code?.trim();
    const hit = codes.find((c) => c.code === code && normaliseSystem(systems[c.system]) === system);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** What one assessment states: a category (coded or worded), a trend, or nothing the catalog knows. */
type Reading = { kind: 'category'; category: string; cite: Evidence } | { kind: 'trend'; trend: Trend; cite: Evidence } | { kind: 'none' };

/** A category word stated, not negated ("no evidence of progressive disease" is no PD). */
const statesAny = (text: string, phrases: readonly string[], negations: ReadonlySet<string>): boolean => phrases.some((p) => statesPhrase(text, p, negations));

function readAssessment(observation: Observation, response: ResponseCategories, systems: Catalog['observations']['systems'], negations: ReadonlySet<string>): Reading {
  const reference = relativeReference(observation);
  const date = observationDate(observation);
  // the category coded in the value, else (some systems code it as the result's interpretation) in interpretation
  const valueCodings = codings(observation.valueCodeableConcept);
  const values = valueCodings.length > 0 ? valueCodings : (observation.interpretation ?? []).flatMap((i) => codings(i));
  const text = resultText(observation);
  const worded = response.categories.find((c) => statesAny(text, c.texts, negations));
  let coded: { category: Category; code: SourcedCode } | undefined;
  for (const category of response.categories) {
    const code = matchingCode(values, category.codes, systems);
    if (code !== undefined) {
      coded = { category, code };
      break;
    }
  }
  if (coded !== undefined) {
    // "In full remission" coded, "CRi" in the words: the words name the finer category of the same response
    if (worded?.refines === coded.category.category) return { kind: 'category', category: worded.category, cite: evidence(reference, date, `Response ${worded.category} (coded ${coded.code.display}, stated ${worded.category})`, [worded.category]) };
    const name = `${SYSTEM_NAMES[coded.code.system]} ${coded.code.code} ${coded.code.display}`;
    return { kind: 'category', category: coded.category.category, cite: evidence(reference, date, `Response ${coded.category.category} (coded ${name})`, [coded.category.category]) };
  }
  for (const trend of response.trends ?? []) {
    const code = matchingCode(values, trend.codes, systems);
    if (code !== undefined) return { kind: 'trend', trend, cite: evidence(reference, date, `Disease ${trend.trend} (coded ${SYSTEM_NAMES[code.system]} ${code.code} ${code.display})`) };
  }
  if (worded !== undefined) return { kind: 'category', category: worded.category, cite: evidence(reference, date, `Response ${worded.category}`, [worded.category]) };
  return { kind: 'none' };
}

/** A trend (improved, stable) keeps the earlier category the catalog lists, else means its `otherwise`, else says no category. */
function fromTrend(trend: Trend, cite: Evidence, earlier: Extract<Reading, { kind: 'category' }> | undefined): Fact<string> {
  if (earlier !== undefined && trend.keeps.includes(earlier.category)) {
    return known(earlier.category, [earlier.cite, { ...cite, text: `${cite.text ?? ''}: ${earlier.category} kept`, supports: [earlier.category] }]);
  }
  const before = earlier === undefined ? [] : [earlier.cite];
  if (trend.otherwise !== undefined) return known(trend.otherwise, [{ ...cite, text: `${cite.text ?? ''}: read as ${trend.otherwise}`, supports: [trend.otherwise] }, ...before]);
  return unknown(`Disease ${trend.trend} on ${cite.date ?? 'an undated assessment'}, with no earlier response category: "${trend.trend}" does not say which response (CR or PR)`, [cite, ...before]);
}

export function responseFacts(chart: GatheredChart, catalog: Catalog, serviceDate: string): ClinicalFacts['response'] {
  const response = catalog.observations.responseCategories;
  const systems = catalog.observations.systems;
  const assessments = newestFirst(
    observationsWithFactCode(chart.observations, catalog.observations.facts.responseAssessment, systems).filter((o) => {
      const date = observationDate(o);
      return usableObservation(o) && date !== undefined && date <= serviceDate;
    }),
    observationDate,
  );

  let category: Fact<string> = notFound(chart, 'observations', 'Response assessment');
  const readings = assessments.map((o) => readAssessment(o, response, systems, catalog.negations));
  const latest = readings.findIndex((r) => r.kind !== 'none');
  const first = readings[latest];
  if (first?.kind === 'category') category = known(first.category, [first.cite]);
  else if (first?.kind === 'trend') {
    const earlier = readings.slice(latest + 1).find((r): r is Extract<Reading, { kind: 'category' }> => r.kind === 'category');
    category = fromTrend(first.trend, first.cite, earlier);
  }

  const { mrd } = response;
  let residual: Fact<'positive' | 'negative'> = notFound(chart, 'observations', 'MRD');
  for (const observation of assessments) {
    const text = resultText(observation);
    const value = says(text, mrd.negative) ? 'negative' : says(text, mrd.positive) ? 'positive' : undefined;
    if (value === undefined) continue;
    residual = known(value, [evidence(relativeReference(observation), observationDate(observation), `MRD ${value}`, [value])]);
    break;
  }
  return { category, mrd: residual };
}
