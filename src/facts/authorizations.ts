/** Prior authorizations on file: every ClaimResponse, with whether it applies to this order and why not. */
import type { Claim, ClaimResponse } from 'fhir/r4.js';
import { identifyDrug } from '../catalog/drugs.js';
import type { Catalog } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { AuthorizationFact } from './types.js';
import { datePart } from './dates.js';
import { referenceId } from './fhir.js';

const APPROVED_OUTCOMES = new Set(['complete', 'partial']);

function requestedClaim(response: ClaimResponse, chart: GatheredChart): Claim | undefined {
  const ref = response.request?.reference;
  if (ref === undefined) return undefined;
  if (ref.startsWith('#')) return response.contained?.find((r): r is Claim => r.resourceType === 'Claim' && r.id === ref.slice(1));
  const id = referenceId(ref);
  return chart.claims.find((c) => c.id === id);
}

/** Drugs named by the response's addItem, else by the items of the Claim it answers. */
function authorizedDrugs(response: ClaimResponse, chart: GatheredChart, catalog: Catalog): string[] {
  const added = (response.addItem ?? []).map((i) => identifyDrug(i.productOrService, catalog).drug);
  const fromClaim = (requestedClaim(response, chart)?.item ?? []).map((i) => identifyDrug(i.productOrService, catalog).drug);
  const drugs = [...added, ...fromClaim].filter((d): d is string => d !== null);
  return [...new Set(drugs)];
}

function whyNot(response: ClaimResponse, drug: string | null, orderDrug: string | null, serviceDate: string, patientId: string): string | undefined {
  const start = datePart(response.preAuthPeriod?.start);
  const end = datePart(response.preAuthPeriod?.end);
  if (response.patient?.reference !== undefined && referenceId(response.patient) !== patientId) return 'for another patient';
  if (response.use !== 'preauthorization') return `not a preauthorization (use ${response.use})`;
  if (response.status !== 'active') return `not active (status ${response.status})`;
  if (!APPROVED_OUTCOMES.has(response.outcome)) return `not approved (outcome ${response.outcome})`;
  if (response.preAuthRef === undefined || response.preAuthRef.trim() === '') return 'not approved (no preAuthRef)';
  if (end !== undefined && serviceDate > end && !serviceDate.startsWith(end)) return `expired ${end}`;
  if (start !== undefined && serviceDate < start && !serviceDate.startsWith(start)) return `not yet valid (from ${start})`;
  if (drug === null) return 'drug not identified on the authorization';
  if (orderDrug === null || drug !== orderDrug) return 'for another drug';
  return undefined;
}

export function authorizationFacts(chart: GatheredChart, catalog: Catalog, orderDrug: string | null, serviceDate: string): AuthorizationFact[] {
  return chart.claimResponses.map((response) => {
    const drugs = authorizedDrugs(response, chart, catalog);
    const drug = orderDrug !== null && drugs.includes(orderDrug) ? orderDrug : (drugs[0] ?? null);
    const reason = whyNot(response, drug, orderDrug, serviceDate, chart.patientId);
    const start = datePart(response.preAuthPeriod?.start);
    const end = datePart(response.preAuthPeriod?.end);
    return {
      reference: `ClaimResponse/${response.id ?? 'unknown'}`,
      preAuthRef: response.preAuthRef ?? '',
      drug,
      ...(start !== undefined ? { periodStart: start } : {}),
      ...(end !== undefined ? { periodEnd: end } : {}),
      appliesToOrder: reason === undefined,
      ...(reason !== undefined ? { whyNot: reason } : {}),
    };
  });
}

/** The authorizations on file could not be looked up (error outcome, error or timeout on the ClaimResponse search). */
export function authorizationLookupFailed(chart: Pick<GatheredChart, 'unavailable'>): boolean {
  return chart.unavailable.some((u) => u.key === 'claimResponses');
}
