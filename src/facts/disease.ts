/** Extent and course of the disease: metastatic, locally advanced, recurrent, relapsed/refractory, response. */
import type { MedicationRequest, Observation } from 'fhir/r4.js';
import type { Catalog, ValueKey } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, DiseaseResponse, Evidence, Fact } from './types.js';
import { evidence, known, notFound, unavailableReason, unknown } from './fact.js';
import { conditionDate, currentConditions, icd10Codes, snomedCodes } from './diagnoses.js';
import { codings, newestFirst, observationsWithFactCode, observationDate, relativeReference, usableObservation, valueIs } from './fhir.js';
import type { TherapyEpisode } from './therapy.js';

export interface DiseaseInput {
  chart: GatheredChart;
  catalog: Catalog;
  order: MedicationRequest;
  /** the order's stated attestations (catalog/attestations.json) with their evidence */
  attestations: Fact<string[]>;
  /** prior systemic therapy, oldest first */
  episodes: TherapyEpisode[];
  her2: ClinicalFacts['biomarkers']['her2'];
  er: ClinicalFacts['biomarkers']['er'];
  pr: ClinicalFacts['biomarkers']['pr'];
}

function observationsOf(input: DiseaseInput, key: 'mCategory' | 'tCategory' | 'stageGroup' | 'diseaseStatus'): Observation[] {
  const { chart, catalog } = input;
  const list = catalog.observations.facts[key];
  return newestFirst(
    observationsWithFactCode(chart.observations, list, catalog.observations.systems).filter(usableObservation),
    observationDate,
  );
}

function valueMatches(observation: Observation, key: ValueKey, catalog: Catalog): boolean {
  return valueIs(
    { concept: observation.valueCodeableConcept, ...(observation.valueString !== undefined ? { text: observation.valueString } : {}) },
    key,
    catalog.observations,
  );
}

function cite(observation: Observation, text: string, supports: string[]): Evidence {
  return evidence(relativeReference(observation), observationDate(observation), text, supports);
}

type Stage = 'IV' | 'III' | 'early';

function stageOf(observation: Observation, catalog: Catalog): Stage | null {
  if (valueMatches(observation, 'stageIV', catalog)) return 'IV';
  if (valueMatches(observation, 'stageIII', catalog)) return 'III';
  if (valueMatches(observation, 'stageEarly', catalog)) return 'early';
  return null;
}

/**
 * Distant disease: a distant-site code (C78–C79, SNOMED metastasis), M1 or stage IV. Lymph-node codes (C77) are
 * regional or distant depending on the primary: a documented M category or stage group decides, and without one
 * they leave the fact unknown (conventions, "metastatic"; a documented stage outranks an ambiguous code).
 */
function metastatic(input: DiseaseInput): Fact<boolean> {
  const { catalog } = input;
  const codes = catalog.diagnoses.metastatic;
  const cites: Evidence[] = [];
  const nodal: Evidence[] = [];
  for (const condition of currentConditions(input.chart)) {
    const icdCodes = icd10Codes(condition.code, catalog);
    const icd = icdCodes.filter((c) => codes.icd10Prefixes.some((p) => c.startsWith(p)));
    const snomed = snomedCodes(condition.code, catalog).filter((c) => codes.snomed.includes(c));
    if (icd.length + snomed.length > 0) {
      cites.push(evidence(relativeReference(condition), conditionDate(condition), `Metastatic disease (${[...icd, ...snomed].join(', ')})`, [...icd, ...snomed]));
    }
    const nodes = icdCodes.filter((c) => catalog.diagnoses.nodal.icd10Prefixes.some((p) => c.startsWith(p)));
    if (nodes.length > 0) nodal.push(evidence(relativeReference(condition), conditionDate(condition), `Lymph-node involvement (${nodes.join(', ')}): regional or distant, decided by stage`, nodes));
  }
  const mCategory = observationsOf(input, 'mCategory');
  const stage = observationsOf(input, 'stageGroup');
  for (const o of mCategory.filter((o) => valueMatches(o, 'm1', catalog))) cites.push(cite(o, 'Distant metastasis M1', ['M1']));
  for (const o of stage.filter((o) => stageOf(o, catalog) === 'IV')) cites.push(cite(o, 'Stage group IV', ['IV']));
  if (cites.length > 0) return known(true, cites);
  // the chart rules metastasis out only when the latest staging says so
  const latestM = mCategory[0];
  if (latestM !== undefined && valueMatches(latestM, 'm0', catalog)) return known(false, [cite(latestM, 'No distant metastasis (M0)', ['M0']), ...nodal]);
  const latestStage = stage[0];
  const latestStageValue = latestStage === undefined ? null : stageOf(latestStage, catalog);
  if (latestStage !== undefined && latestStageValue !== null) {
    return known(false, [cite(latestStage, `Stage group ${latestStageValue === 'III' ? 'III' : 'I-II'}`, [latestStageValue]), ...nodal]);
  }
  if (nodal.length > 0) return unknown('Lymph-node involvement (C77) without a documented stage or M category: regional or distant is not stated', nodal);
  return notFound(input.chart, 'conditions', 'Metastatic disease');
}

function locallyAdvanced(input: DiseaseInput): Fact<boolean> {
  const latest = observationsOf(input, 'stageGroup').find((o) => stageOf(o, input.catalog) !== null);
  if (latest === undefined) return notFound(input.chart, 'observations', 'Stage group');
  const stage = stageOf(latest, input.catalog);
  return known(stage === 'III', [cite(latest, `Stage group ${stage === 'early' ? 'I-II' : (stage ?? '')}`, [stage ?? ''])]);
}

/** Recurrence: a Condition whose clinicalStatus is recurrence/relapse, or coded "recurrent" (SNOMED). */
function recurrenceCites(input: DiseaseInput): Evidence[] {
  const { catalog } = input;
  return currentConditions(input.chart).flatMap((condition) => {
    const status = codings(condition.clinicalStatus).map((c) => c.code);
    const recurrentCode = snomedCodes(condition.code, catalog).some((c) => catalog.diagnoses.recurrent.snomed.includes(c));
    if (!status.includes('recurrence') && !status.includes('relapse') && !recurrentCode) return [];
    const why = recurrentCode ? 'coded recurrent' : `clinical status ${status.join(', ')}`;
    return [evidence(relativeReference(condition), conditionDate(condition), `Recurrent disease (${why})`, ['recurrent'])];
  });
}

function recurrent(input: DiseaseInput): Fact<boolean> {
  const cites = recurrenceCites(input);
  return cites.length > 0 ? known(true, cites) : notFound(input.chart, 'conditions', 'Recurrence');
}

/** Relapse in the chart (status, ICD "in relapse") or relapse / refractoriness stated on the order. */
function relapsedOrRefractory(input: DiseaseInput): Fact<boolean> {
  const { catalog } = input;
  const cites = recurrenceCites(input);
  for (const condition of currentConditions(input.chart)) {
    const inRelapse = icd10Codes(condition.code, catalog).filter((c) => catalog.inRelapse.test(c));
    if (inRelapse.length > 0) cites.push(evidence(relativeReference(condition), conditionDate(condition), `In relapse (${inRelapse.join(', ')})`, inRelapse));
  }
  const stated: string[] = (input.attestations.value ?? []).filter((a) => a === 'relapsed' || a === 'refractory');
  if (stated.length > 0) cites.push(...input.attestations.evidence.filter((e) => e.supports?.some((s) => stated.includes(s))));
  return cites.length > 0 ? known(true, cites) : notFound(input.chart, 'conditions', 'Relapsed or refractory disease');
}

function unresectable(input: DiseaseInput): Fact<boolean> {
  // not codable: only a statement on the order confirms it
  if (input.attestations.value?.includes('unresectable') === true) {
    return known(true, input.attestations.evidence.filter((e) => e.supports?.includes('unresectable')));
  }
  return unknown('Unresectable disease not stated on the order');
}

function inflammatory(input: DiseaseInput): Fact<boolean> {
  const { catalog } = input;
  const { snomed: codes, icd10Prefixes } = catalog.diagnoses.inflammatoryBreast;
  const cites: Evidence[] = currentConditions(input.chart).flatMap((c) => {
    const coded = [
      ...snomedCodes(c.code, catalog).filter((s) => codes.includes(s)),
      ...icd10Codes(c.code, catalog).filter((code) => icd10Prefixes.some((p) => code.startsWith(p))),
    ];
    return coded.length === 0 ? [] : [evidence(relativeReference(c), conditionDate(c), `Inflammatory breast cancer (${coded.join(', ')})`, ['inflammatory'])];
  });
  for (const o of observationsOf(input, 'tCategory').filter((o) => valueMatches(o, 't4d', catalog))) cites.push(cite(o, 'Primary tumour T4d (inflammatory)', ['T4d']));
  return cites.length > 0 ? known(true, cites) : notFound(input.chart, 'conditions', 'Inflammatory breast cancer');
}

function tripleNegative(input: DiseaseInput): Fact<boolean> {
  const { catalog, her2, er, pr } = input;
  const coded = currentConditions(input.chart).filter((c) => snomedCodes(c.code, catalog).some((s) => catalog.diagnoses.tripleNegative.snomed.includes(s)));
  if (coded.length > 0) return known(true, coded.map((c) => evidence(relativeReference(c), conditionDate(c), 'Triple-negative breast cancer', ['triple-negative'])));
  const markers = [her2, er, pr];
  if (markers.every((m) => m.value === 'negative')) return known(true, markers.flatMap((m) => m.evidence));
  const positive = markers.filter((m) => m.value === 'positive');
  if (positive.length > 0) return known(false, positive.flatMap((m) => m.evidence));
  return unknown('HER2, ER and PR results not all documented');
}

const RESPONSE_KEYS: Array<{ key: ValueKey; response: DiseaseResponse }> = [
  { key: 'worsened', response: 'worsened' },
  { key: 'stable', response: 'stable' },
  { key: 'improved', response: 'improved' },
];

export interface StatusReading {
  observation: Observation;
  response: DiseaseResponse;
}

export function statusReadings(input: DiseaseInput): StatusReading[] {
  return observationsOf(input, 'diseaseStatus').flatMap((observation) => {
    const found = RESPONSE_KEYS.find(({ key }) => valueMatches(observation, key, input.catalog));
    return found === undefined ? [] : [{ observation, response: found.response }];
  });
}

function statusCite(reading: StatusReading): Evidence {
  return cite(reading.observation, `Disease status: ${reading.response}`, [reading.response]);
}

/** Facts read here; leukaemia state, lineage and diagnosis date come from disease-state.ts. */
/**
 * "No response to preoperative systemic therapy" (001): stable or worsened status documented after systemic therapy
 * was given. Without any therapy before that status there was nothing to respond to: not met (the history was read).
 */
function noResponseToPriorTherapy(latest: StatusReading | undefined, input: DiseaseInput, response: Fact<DiseaseResponse>): Fact<boolean> {
  if (latest === undefined) return unknown(response.unknownReason ?? 'Disease status not documented');
  const date = observationDate(latest.observation);
  const given = input.episodes.filter((e) => e.classes.includes('antineoplastic') && (date === undefined || e.start <= date));
  if (given.length === 0) {
    const gap = unavailableReason(input.chart, 'medicationRequests');
    if (gap !== undefined) return unknown(gap, [statusCite(latest)]);
    return known(false, [{ ...statusCite(latest), text: `Disease status: ${latest.response}, but no systemic therapy was given before it` }]);
  }
  const therapy = given[given.length - 1] as TherapyEpisode;
  return known(latest.response !== 'improved', [statusCite(latest), therapy.cite]);
}

/**
 * "Responding positively" on continued therapy (002 §II): the latest status improved; or stable with an earlier
 * improvement documented (a plateau after a response); worsened is not responding; stable with no documented
 * improvement leaves it not documented (conventions, "response to therapy").
 */
function respondingToTherapy(readings: StatusReading[], response: Fact<DiseaseResponse>): Fact<boolean> {
  const [latest, ...earlier] = readings;
  if (latest === undefined) return unknown(response.unknownReason ?? 'Disease status not documented');
  if (latest.response === 'improved') return known(true, [statusCite(latest)]);
  if (latest.response === 'worsened') return known(false, [statusCite(latest)]);
  const improvement = earlier.find((r) => r.response === 'improved');
  if (improvement !== undefined) {
    return known(true, [{ ...statusCite(latest), text: 'Disease status: stable after a documented improvement (responding)' }, statusCite(improvement)]);
  }
  return unknown('Disease status stable with no documented improvement: a positive response is not shown', [statusCite(latest)]);
}

/** `progressionWithin60DaysOfLastTherapy` is the last therapy's fact (therapy.ts lastTherapyFacts): one definition. */
export type ExtentAndCourse = Omit<ClinicalFacts['disease'], 'leukaemiaState' | 'lineage' | 'diagnosisDate' | 'progressionWithin60DaysOfLastTherapy'>;

export function diseaseFacts(input: DiseaseInput): ExtentAndCourse {
  const readings = statusReadings(input);
  const latest = readings[0];
  const response: Fact<DiseaseResponse> = latest === undefined ? notFound(input.chart, 'observations', 'Disease status') : known(latest.response, [statusCite(latest)]);
  const noResponse = noResponseToPriorTherapy(latest, input, response);
  const progressions = readings.filter((r) => r.response === 'worsened');
  const progression: Fact<boolean> =
    progressions.length > 0 ? known(true, progressions.map(statusCite)) : latest !== undefined ? known(false, readings.map(statusCite)) : unknown(response.unknownReason ?? 'Disease status not documented');
  return {
    metastatic: metastatic(input),
    locallyAdvanced: locallyAdvanced(input),
    recurrent: recurrent(input),
    relapsedOrRefractory: relapsedOrRefractory(input),
    unresectable: unresectable(input),
    inflammatory: inflammatory(input),
    tripleNegative: tripleNegative(input),
    response,
    noResponse,
    respondingToTherapy: respondingToTherapy(readings, response),
    progression,
  };
}
