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
import { patientFacts } from './demographics.js';
import { diagnosisFacts } from './diagnoses.js';
import { diseaseFacts } from './disease.js';
import { draftOrderFacts, serviceDateOf } from './order.js';
import { prescriberFacts } from './prescriber.js';
import { therapyFacts } from './therapy.js';

export function buildFacts(chart: GatheredChart, order: MedicationRequest, catalog: Catalog, today: string = todayUtc()): ClinicalFacts {
  const serviceDate = serviceDateOf(order, today);
  const therapy = therapyFacts(chart, catalog, serviceDate);
  const orderFacts = draftOrderFacts(order, chart, catalog, serviceDate, therapy);
  const biomarkers = biomarkerFacts(chart, catalog);
  return {
    serviceDate,
    patient: patientFacts(chart, serviceDate),
    body: bodyFacts(chart, catalog, serviceDate),
    diagnoses: diagnosisFacts(chart, order, catalog),
    disease: diseaseFacts({
      chart,
      catalog,
      order,
      attestations: orderFacts.attestations,
      episodes: therapy.episodes,
      her2: biomarkers.her2,
      er: biomarkers.er,
      pr: biomarkers.pr,
    }),
    biomarkers,
    therapy: therapy.facts,
    prescriber: prescriberFacts(order, chart),
    coverage: coverageFacts(chart, catalog, serviceDate),
    order: orderFacts,
    authorizations: authorizationFacts(chart, catalog, orderFacts.drug, serviceDate),
    ...(authorizationLookupFailed(chart) && { authorizationLookupFailed: true as const }),
  };
}

export { serviceDateOf } from './order.js';
export { authorizationLookupFailed } from './authorizations.js';
export { isObservationOfInterest, observationSearchCodes } from './fhir.js';
export { mosteller } from './body.js';
export { normaliseIcd10 } from './diagnoses.js';
export { groupIntoLines, LINE_WINDOW_DAYS, DAYS_PER_MONTH } from './therapy.js';
export type * from './types.js';
