/**
 * Response assessment: the category (CR, CRi, CRh, PR, SD, PD) and MRD of the latest response-assessment Observation
 * on or before the service date. No standard code carries these categories, so they are recognised from the result's
 * words as catalog/observation-codes.json `responseCategories` lists them (project convention, said in the README).
 */
import type { Observation } from 'fhir/r4.js';
import type { Catalog } from '../catalog/types.js';
import { normaliseText, phraseNeedle } from '../catalog/text.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Fact } from './types.js';
import { evidence, known, notFound } from './fact.js';
import { conceptTexts, newestFirst, observationDate, observationsWithFactCode, relativeReference, usableObservation } from './fhir.js';

function resultText(observation: Observation): string {
  return normaliseText([...conceptTexts(observation.valueCodeableConcept), observation.valueString ?? ''].join(' ; '));
}

const says = (text: string, phrases: readonly string[]): boolean => phrases.some((p) => text.includes(phraseNeedle(p)));

export function responseFacts(chart: GatheredChart, catalog: Catalog, serviceDate: string): ClinicalFacts['response'] {
  const { categories, mrd } = catalog.observations.responseCategories;
  const assessments = newestFirst(
    observationsWithFactCode(chart.observations, catalog.observations.facts.responseAssessment, catalog.observations.systems).filter((o) => {
      const date = observationDate(o);
      return usableObservation(o) && date !== undefined && date <= serviceDate;
    }),
    observationDate,
  ).map((observation) => ({ observation, text: resultText(observation), date: observationDate(observation) }));

  let category: Fact<string> = notFound(chart, 'observations', 'Response assessment');
  for (const a of assessments) {
    const found = categories.find((c) => says(a.text, c.texts));
    if (found === undefined) continue;
    category = known(found.category, [evidence(relativeReference(a.observation), a.date, `Response ${found.category}`, [found.category])]);
    break;
  }
  let residual: Fact<'positive' | 'negative'> = notFound(chart, 'observations', 'MRD');
  for (const a of assessments) {
    const value = says(a.text, mrd.negative) ? 'negative' : says(a.text, mrd.positive) ? 'positive' : undefined;
    if (value === undefined) continue;
    residual = known(value, [evidence(relativeReference(a.observation), a.date, `MRD ${value}`, [value])]);
    break;
  }
  return { category, mrd: residual };
}
