/**
 * buildFacts: the chart and one draft order → ClinicalFacts. Pure: no I/O, no clock
 * except `today` (defaulting to the current UTC date) for orders without any date.
 */
import type { MedicationRequest } from 'fhir/r4.js';
import type { Catalog } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts } from './types.js';
import { authorizationFacts, authorizationLookupFailed } from './authorizations.js';
import { biomarkerFacts } from './biomarkers.js';
import { bodyFacts } from './body.js';
import { coverageFacts } from './coverage.js';
import { todayUtc } from './dates.js';
import { unavailableReason } from './fact.js';
import { patientFacts } from './demographics.js';
import { inferPhase } from './phase.js';
import { diagnosisFacts } from './diagnoses.js';
import { diseaseFacts, statusReadings, type DiseaseInput } from './disease.js';
import { labFacts } from './labs.js';
import { responseFacts } from './response.js';
import { refractoryTo } from './refractory.js';
import { observationDate, relativeReference } from './fhir.js';
import { diagnosisTiming, diseaseGroups, leukaemiaState, lineage } from './disease-state.js';
import { draftOrderFacts, serviceDateOf } from './order.js';
import { prescriberFacts } from './prescriber.js';
import { advancedSettingFrom, groupIntoLines, therapyFacts, therapyHistory, type LineContext, type LineCounting } from './therapy.js';
import { regimenFacts } from './regimens.js';

/** How facts are read for one policy: its reading of which lines count (policy-level `lineCounting`). */
export interface FactOptions {
  lineCounting?: LineCounting;
}

export function buildFacts(chart: GatheredChart, order: MedicationRequest, catalog: Catalog, today: string = todayUtc(), options: FactOptions = {}): ClinicalFacts {
  const serviceDate = serviceDateOf(order, today);
  const history = therapyHistory(chart, catalog, serviceDate);
  const orderFacts = draftOrderFacts(order, chart, catalog, serviceDate, history);
  const biomarkers = biomarkerFacts(chart, catalog);
  const timing = diagnosisTiming(chart, order, catalog);
  const diseaseInput: DiseaseInput = { chart, catalog, order, attestations: orderFacts.attestations, episodes: history.episodes, her2: biomarkers.her2, er: biomarkers.er, pr: biomarkers.pr };
  const readings = statusReadings(diseaseInput);
  const progressions = readings.flatMap((r) => {
    const date = observationDate(r.observation);
    return r.response === 'worsened' && date !== undefined ? [{ reference: relativeReference(r.observation), date }] : [];
  });
  const statusGap = readings.length === 0 ? (unavailableReason(chart, 'observations') ?? 'Disease status not documented') : undefined;
  const extent = diseaseFacts(diseaseInput);
  // lines need the progressions (retreatment after one is a new line) and the first metastatic evidence (setting)
  const advancedFrom = advancedSettingFrom(extent.metastatic);
  const lineContext: LineContext = { progressions, ...(advancedFrom !== undefined && { advancedFrom }), ...(options.lineCounting !== undefined && { lineCounting: options.lineCounting }) };
  // grouped once: the line count, last therapy and the lines' regimens read the same lines
  const lines = groupIntoLines(history.episodes, lineContext);
  const therapy = therapyFacts(history, chart, serviceDate, lineContext, statusGap, lines);
  const response = responseFacts(chart, catalog, serviceDate);
  const state = leukaemiaState(chart, catalog, response.category);
  const phase = inferPhase({ stated: orderFacts.phase, state, partnerClasses: orderFacts.partnerClasses, priorLines: therapy.priorLines, catalog });
  // ---- regimen recognition (src/facts/regimens.ts): the lines' regimens, the induction, the requested regimen
  const { regimen, ...regimenHistory } = regimenFacts({ lines, episodes: history.episodes, progressions, statusGap, order: orderFacts, chart, catalog, serviceDate });
  return {
    serviceDate,
    patient: { ...patientFacts(chart, serviceDate), ageAtDiagnosisMonths: timing.ageMonths },
    body: bodyFacts(chart, catalog, serviceDate),
    diagnoses: { ...diagnosisFacts(chart, order, catalog), diseases: diseaseGroups(chart, catalog) },
    disease: {
      leukaemiaState: state,
      lineage: lineage(chart, catalog),
      diagnosisDate: timing.date,
      ...extent,
      // one definition of "the last therapy": the most recent line (therapy.ts lastTherapyFacts)
      progressionWithin60DaysOfLastTherapy: therapy.lastTherapy.progressionWithin60Days,
    },
    biomarkers,
    labs: labFacts(chart, catalog, serviceDate),
    response,
    therapy: { ...therapy, refractoryTo: refractoryTo(history.episodes, progressions, chart, statusGap), ...regimenHistory },
    prescriber: prescriberFacts(order, chart, catalog),
    coverage: coverageFacts(chart, catalog, serviceDate),
    order: { ...orderFacts, phase, regimen },
    authorizations: authorizationFacts(chart, catalog, orderFacts.drug, serviceDate),
    authorizationLookupFailed: authorizationLookupFailed(chart),
  };
}

export { serviceDateOf, serviceDateReading, type ServiceDateProblem } from './order.js';
export { authorizationLookupFailed } from './authorizations.js';
export { isObservationOfInterest, observationSearchCodes } from './fhir.js';
export { mosteller } from './body.js';
export { normaliseIcd10 } from './diagnoses.js';
export { groupIntoLines, LINE_WINDOW_DAYS, EARLY_RELAPSE_MONTHS, DEFAULT_LINE_COUNTING, type LineCounting } from './therapy.js';
export { CYCLE_DAYS_PER_MONTH, CALENDAR_DAYS_PER_MONTH, durationDays } from './durations.js';
export type * from './types.js';
