/** The patient's active Coverage: payer (registry id) and line of business. */
import type { Coverage } from 'fhir/r4.js';
import { resolveLineOfBusiness, resolvePayer } from '../catalog/payers.js';
import type { Catalog } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts } from './types.js';
import { withinPeriod } from './dates.js';
import { evidence, known, notFound, unknown } from './fact.js';
import { referenceId, relativeReference } from './fhir.js';

const COVERAGE_CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';

/** The plan a Coverage names: its class of type `plan` (HL7 coverage-class), by name, else by value. */
export function coveragePlanName(coverage: Coverage): string | undefined {
  const plan = (coverage.class ?? []).find((c) => (c.type.coding ?? []).some((t) => t.code === 'plan' && (t.system === undefined || t.system === COVERAGE_CLASS)));
  const name = (plan?.name ?? plan?.value)?.trim();
  return name === undefined || name === '' ? undefined : name;
}

/** Active, for this patient, in force on the service date; the lowest `order` first (primary coverage). */
export function activeCoverages(chart: GatheredChart, serviceDate: string): Coverage[] {
  return chart.coverages
    .filter((c) => c.status === 'active')
    .filter((c) => c.beneficiary?.reference === undefined || referenceId(c.beneficiary) === chart.patientId)
    .filter((c) => withinPeriod(serviceDate, c.period?.start, c.period?.end))
    .sort((a, b) => (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER));
}

export function coverageFacts(chart: GatheredChart, catalog: Catalog, serviceDate: string): ClinicalFacts['coverage'] {
  const coverages = activeCoverages(chart, serviceDate);
  // prefer a coverage whose payer the registry knows (a secondary plan may be the one with a policy)
  const resolved = coverages.map((coverage) => ({ coverage, payer: resolvePayer(coverage, chart, catalog) }));
  const chosen = resolved.find((r) => r.payer.payerId !== null) ?? resolved[0];
  if (chosen === undefined) {
    const missing = notFound<string>(chart, 'coverage', 'Active coverage');
    return { reference: null, payerId: missing, payerName: missing, lineOfBusiness: notFound(chart, 'coverage', 'Active coverage') };
  }
  const { coverage, payer } = chosen;
  const reference = relativeReference(coverage);
  const start = coverage.period?.start;
  const payerCite = evidence(reference, start, `Payer ${payer.payerName ?? 'unnamed'}${payer.matchedBy !== undefined ? ` (matched by ${payer.matchedBy})` : ''}`, payer.payerId !== null ? [payer.payerId] : []);
  const lob = resolveLineOfBusiness(coverage, catalog);
  return {
    reference,
    payerId: payer.payerId !== null ? known(payer.payerId, [payerCite]) : unknown('Payer not in the payer registry', [payerCite]),
    payerName: payer.payerName !== null ? known(payer.payerName, [payerCite]) : unknown('Payer not named on the coverage'),
    lineOfBusiness:
      lob !== undefined
        ? known(lob.lineOfBusiness, [evidence(reference, start, `Line of business ${lob.lineOfBusiness} (${lob.matched})`, [lob.lineOfBusiness])])
        : unknown('Line of business not stated on the coverage'),
  };
}
