/**
 * Scenarios of the treatment-history model (issue 14, lane 14-episodes): episodes dated by MedicationAdministration,
 * in-clinic infusions charted only as administrations, a drug stopped for intolerance, a completed drug followed by
 * the next one, and "last therapy" as the most recent line. Each is derived from a shipped scenario (named in its
 * description) by changing only the history, so the base scenario's other facts hold; only these files are written.
 *
 *   npx tsx fhir-resources/scenarios/_build/episodes.ts
 */
import type { MedicationAdministration, MedicationRequest, Observation } from 'fhir/r4.js';
import { RXNORM, SNOMED, addDays, administrationsBundle, deriveScenario, prefetchBase, prefetchResources, setPrefetchResources, writeScenarios, type ScenarioFile, type ScenarioRequest } from './common.js';

type Request = ScenarioRequest;

const STATUS_REASON = 'http://terminology.hl7.org/CodeSystem/medicationrequest-status-reason';

const entries = prefetchResources;

const setEntries = setPrefetchResources;

/** The derived request: new hookInstance and scenario identifier, a deep copy of everything else. */
function derive(policy: string, base: string, name: string, change: (r: Request) => void): Request {
  return deriveScenario('episodes', policy, base, name, change);
}

/** Administrations of one drug every `every` days from `start` through `end` (inclusive), linked to its order or not. */
function administrations(patient: string, idPrefix: string, drug: { code: string; display: string }, start: string, end: string, every: number, request?: string): MedicationAdministration[] {
  const out: MedicationAdministration[] = [];
  for (let date = start, i = 1; date <= end; date = addDays(date, every), i += 1) {
    out.push({
      resourceType: 'MedicationAdministration',
      id: `${idPrefix}-${i}`,
      status: 'completed',
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: drug.code, display: drug.display }], text: drug.display },
      subject: { reference: `Patient/${patient}` },
      effectiveDateTime: `${date}T10:00:00Z`,
      ...(request !== undefined && { request: { reference: `MedicationRequest/${request}` } }),
    });
  }
  return out;
}

function withAdministrations(request: Request, given: MedicationAdministration[]): void {
  request.prefetch['medicationAdministrations'] = administrationsBundle(given, prefetchBase(request, 'medicationRequests'));
}

const DARA = { code: '1726439', display: '20 ML daratumumab 20 MG/ML Injection' };
const CARFILZOMIB = { code: '1658116', display: 'carfilzomib 60 MG Injection' };

function carfilzomibCode(request: Request): { code: string; display: string } {
  const carfilzomib = entries<MedicationRequest>(request, 'medicationRequests', 'MedicationRequest').find((r) => r.id?.includes('carfilzomib'));
  const coding = carfilzomib?.medicationCodeableConcept?.coding?.[0];
  return coding?.code !== undefined ? { code: coding.code, display: coding.display ?? CARFILZOMIB.display } : CARFILZOMIB;
}

const scenarios: ScenarioFile[] = [];

// ---- 002: dates from administrations ------------------------------------------------------------------------------
{
  const name = 'mm-5b-last-therapy-dated-by-administrations';
  const request = derive('centene-ixazomib', 'mm-5b-progression-after-60-days', name, (r) => {
    const carfilzomib = carfilzomibCode(r);
    // the DKd orders' dosage periods end 2026-06-30, but the infusions were given (every 28 days) until 2026-09-14
    withAdministrations(r, [
      ...administrations('pat-mm-1', 'ma-dara', DARA, '2025-03-03', '2026-09-14', 28, 'hist-4-20-ml-daratumumab-20-2025-03-03'),
      ...administrations('pat-mm-1', 'ma-kyprolis', carfilzomib, '2025-03-03', '2026-09-14', 28, 'hist-5-carfilzomib-60-mg-in-2025-03-03'),
    ]);
  });
  scenarios.push({
    policy: 'centene-ixazomib',
    name,
    request,
    expect: {
      description:
        '002 I.A.5.b.iii (issue 14, dates from administrations): as mm-5b-progression-after-60-days (DKd orders whose dosage periods end 2026-06-30, progression 2026-10-20), but the daratumumab and carfilzomib infusions are charted as MedicationAdministrations (by request) until 2026-09-14: the last therapy is dated by its last administration, the progression is 36 days after it, daratumumab-refractory from the chart: covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'ia-5b-iii-progression': 'met', 'ia-5b-refractory-charted': 'met', 'ia-5b': 'met' },
    },
  });
}

// ---- 002: in-clinic infusions charted only as administrations ----------------------------------------------------
{
  const name = 'mm-5b-second-line-charted-as-infusions-only';
  const request = derive('centene-ixazomib', 'mm-5b-pom-dex-refractory-charted', name, (r) => {
    const carfilzomib = carfilzomibCode(r);
    const orders = entries<MedicationRequest>(r, 'medicationRequests', 'MedicationRequest');
    // daratumumab and carfilzomib were given in clinic with no MedicationRequest on file: only administrations
    setEntries(r, 'medicationRequests', orders.filter((o) => !(o.id ?? '').includes('daratumumab') && !(o.id ?? '').includes('carfilzomib')));
    withAdministrations(r, [
      ...administrations('pat-mm-1', 'ma-dara', DARA, '2025-03-03', '2026-10-05', 28),
      ...administrations('pat-mm-1', 'ma-kyprolis', carfilzomib, '2025-03-03', '2026-10-05', 28),
    ]);
  });
  scenarios.push({
    policy: 'centene-ixazomib',
    name,
    request,
    expect: {
      description:
        '002 I.A.5.b (issue 14, administrations with no order are episodes): as mm-5b-pom-dex-refractory-charted, but the daratumumab and carfilzomib of the second line were given in clinic and charted only as MedicationAdministrations (2025-03-03 to 2026-10-05, no MedicationRequest): still two prior lines, daratumumab-refractory, progression within 60 days of the last administration: covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'ia-5b-ii-two-lines': 'met', 'ia-5b-refractory-charted': 'met', 'ia-5b-iii-progression': 'met', 'ia-5b': 'met' },
    },
  });
}

// ---- 002: last therapy is the most recent line, not the line before an old progression ---------------------------
{
  const name = 'mm-5b-old-progression-not-on-last-therapy';
  const request = derive('centene-ixazomib', 'mm-5b-pom-dex-refractory-charted', name, (r) => {
    const observations = entries<Observation>(r, 'observations', 'Observation');
    const status = observations.find((o) => o.id === 'obs-disease-status');
    if (status === undefined) throw new Error('no disease status to move');
    // progression after VRd (2025-02-10), then DKd; today the disease is stable on DKd
    const old: Observation = { ...structuredClone(status), id: 'obs-disease-status-2025', effectiveDateTime: '2025-02-10' };
    const now: Observation = {
      ...structuredClone(status),
      valueCodeableConcept: { coding: [{ system: SNOMED, code: '359746009', display: "Patient's condition stable" }], text: "Patient's condition stable" },
    };
    setEntries(r, 'observations', [...observations.filter((o) => o.id !== 'obs-disease-status'), old, now]);
  });
  scenarios.push({
    policy: 'centene-ixazomib',
    name,
    request,
    expect: {
      description:
        '002 I.A.5.b.iii (issue 14, last therapy = the most recent line): VRd 2024, progression 2025-02-10 (on it: lenalidomide-refractory), then DKd 2025-03-03 to 2026-10-05 with the disease stable 2026-10-20. The last therapy is DKd and no progression is documented on it or within 60 days of it: 5.b.iii not met (the old progression after VRd no longer stands in for it), not covered',
      covered: 'not-covered',
      cards: ['off-guideline'],
      criteria: { 'ia-5b-refractory-charted': 'met', 'ia-5b-iii-progression': 'not-met', 'ia-5b': 'not-met' },
    },
  });
}

// ---- 000: a drug stopped for intolerance; a completed drug followed by the next --------------------------------------
const CAPECITABINE = { code: '200328', display: 'capecitabine 500 MG Oral Tablet' };

function capecitabine(id: string, start: string, end: string, template: MedicationRequest): MedicationRequest {
  return {
    ...structuredClone(template),
    id,
    status: 'completed',
    medicationCodeableConcept: { coding: [{ system: RXNORM, ...CAPECITABINE }], text: CAPECITABINE.display },
    authoredOn: start,
    dosageInstruction: [{ text: 'Capecitabine 1000 mg/m2 by mouth twice daily, days 1-14 of a 21-day cycle', timing: { repeat: { boundsPeriod: { start, end } } } }],
  };
}

{
  const name = 'her2neg-hrpos-paclitaxel-stopped-for-intolerance-then-capecitabine-3rd-line';
  const request = derive('bsc-ixabepilone', 'her2neg-hrpos-2nd-line-tdxd-candidacy-not-stated', name, (r) => {
    const [paclitaxel] = entries<MedicationRequest>(r, 'medicationRequests', 'MedicationRequest');
    if (paclitaxel === undefined) throw new Error('no paclitaxel order');
    const stopped: MedicationRequest = {
      ...paclitaxel,
      status: 'stopped',
      statusReason: { coding: [{ system: STATUS_REASON, code: 'sintol', display: 'Suspected intolerance' }], text: 'Stopped after cycle 2: grade 3 peripheral neuropathy' },
      dosageInstruction: [{ ...(paclitaxel.dosageInstruction?.[0] ?? {}), timing: { repeat: { boundsPeriod: { start: '2025-05-06', end: '2025-06-16' } } } }],
    };
    setEntries(r, 'medicationRequests', [stopped, capecitabine('prior-2-capecitabine-500-mg-tab', '2025-06-30', '2026-01-26', paclitaxel)]);
  });
  scenarios.push({
    policy: 'bsc-ixabepilone',
    name,
    request,
    expect: {
      description:
        '000 §2 2 HER2-/HR+ (issue 14, intolerance ends a line): paclitaxel stopped 2025-06-16 for grade 3 neuropathy (statusReason sintol), capecitabine started 14 days later (2025-06-30 to 2026-01-26): a regimen changed for intolerance is a new line (IMWG, conventions), so ixabepilone is third line: covered (as a 28-day join it would be second line, and conditional on the fam-trastuzumab deruxtecan statement)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'bsc-ixa-2a-3rd-plus': 'met', 'bsc-ixa-2a-2nd-line': 'not-met', 'bsc-ixa-2a': 'met' },
    },
  });
}

{
  const name = 'her2neg-hrpos-paclitaxel-completed-then-capecitabine-one-line';
  const request = derive('bsc-ixabepilone', 'her2neg-hrpos-2nd-line-tdxd-candidacy-not-stated', name, (r) => {
    const [paclitaxel] = entries<MedicationRequest>(r, 'medicationRequests', 'MedicationRequest');
    if (paclitaxel === undefined) throw new Error('no paclitaxel order');
    const completed: MedicationRequest = {
      ...paclitaxel,
      status: 'completed',
      statusReason: { text: 'Planned 12 weekly doses completed' },
      dosageInstruction: [{ ...(paclitaxel.dosageInstruction?.[0] ?? {}), timing: { repeat: { boundsPeriod: { start: '2025-05-06', end: '2025-07-22' } } } }],
    };
    setEntries(r, 'medicationRequests', [completed, capecitabine('prior-2-capecitabine-500-mg-tab', '2025-08-05', '2026-01-26', paclitaxel)]);
  });
  scenarios.push({
    policy: 'bsc-ixabepilone',
    name,
    request,
    expect: {
      description:
        '000 §2 2 HER2-/HR+ (issue 14, completion does not end a line): paclitaxel completed as planned 2025-07-22, capecitabine started 14 days later with no progression or intolerance between: one line (a completed drug followed by the next continues it), ixabepilone is second line, and without the fam-trastuzumab deruxtecan statement: conditional',
      covered: 'conditional',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'bsc-ixa-2a-2nd-line': 'met', 'bsc-ixa-2a-3rd-plus': 'not-met', 'bsc-ixa-2a-2nd-not-tdxd': 'not-documented' },
    },
  });
}

// ---- 004: blinatumomab cycles from the bags charted as administrations ---------------------------------------------
{
  const name = 'rr-cycle-from-history-bags-charted-as-administrations';
  const BLINCYTO = { code: '1597267', display: 'blinatumomab 0.035 MG Injection [Blincyto]' };
  const request = derive('bsc-blinatumomab', 'rr-cycle-from-history-none-earlier-28-ug-over-step-dose', name, (r) => {
    const patient = (r.prefetch['patient'] as { id?: string } | null)?.id ?? 'unknown';
    // cycle 1 given in clinic as four 7-day bags (2026-09-08 to 2026-10-05), charted only as administrations
    const bags = administrations(patient, 'ma-blin-c1', BLINCYTO, '2026-09-08', '2026-09-29', 7).map((a) => {
      const start = (a.effectiveDateTime ?? '').slice(0, 10);
      const { effectiveDateTime: _when, ...rest } = a;
      return { ...rest, effectivePeriod: { start: `${start}T09:00:00Z`, end: `${addDays(start, 6)}T09:00:00Z` } };
    });
    withAdministrations(r, bags);
  });
  scenarios.push({
    policy: 'bsc-blinatumomab',
    name,
    request,
    expect: {
      description:
        '004 R/R, cycles from administrations (issue 14): as rr-cycle-from-history-none-earlier-28-ug-over-step-dose (no blinatumomab order in the chart, 28 mcg/day for 28 days, no cycle stated), but cycle 1 was given in clinic as four 7-day bags charted as MedicationAdministrations (2026-09-08 to 2026-10-05): this order is cycle 2 day 1 after 56 treatment-free days, so the days 1-7 step dose does not apply and 28 mcg/day is within the limit: covered, no dose card',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'bsc-blin-1c-cycles': 'met', 'bsc-blin-1c-treatment-free': 'met', 'bsc-blin-1c-all': 'met' },
    },
  });
}

const written = writeScenarios(scenarios);
process.stdout.write(`${written} scenarios written\n`);
