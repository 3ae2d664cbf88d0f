/**
 * Scenarios of the treatment-history audit (issue 14, lane audit-history): charts as real EHRs send them, each one a
 * wrong answer found and fixed (the scenario's description says what the service answered before). Each is derived
 * from a shipped scenario (named in its description) by changing only the history; only these files are written.
 *
 *   npx tsx fhir-resources/scenarios/_build/history-audit.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, FhirResource, MedicationAdministration, MedicationRequest } from 'fhir/r4.js';
import { RXNORM, SCENARIOS_DIR, addDays, writeScenarios, type ScenarioFile } from './common.js';

interface Request {
  hookInstance: string;
  context: { draftOrders: Bundle };
  prefetch: Record<string, Bundle | FhirResource | null>;
}

function load(policy: string, name: string): Request {
  return JSON.parse(readFileSync(join(SCENARIOS_DIR, policy, `${name}.json`), 'utf8')) as Request;
}

/** A stable hookInstance per scenario name (UUID-shaped). */
function hookInstance(name: string): string {
  const h = createHash('sha256').update(`history-audit/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The derived request: new hookInstance and scenario identifier, a deep copy of everything else. */
function derive(policy: string, base: string, name: string, change: (r: Request) => void): Request {
  const request = structuredClone(load(policy, base));
  request.hookInstance = hookInstance(name);
  for (const entry of request.context.draftOrders.entry ?? []) {
    const order = entry.resource as MedicationRequest | undefined;
    for (const id of order?.identifier ?? []) if (id.system === 'urn:oncology-pa:scenario-order') id.value = name;
  }
  change(request);
  return request;
}

function administrationsBundle(given: MedicationAdministration[], base = 'http://localhost:8080/fhir'): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', entry: given.map((resource) => ({ fullUrl: `${base}/MedicationAdministration/${resource.id ?? ''}`, resource, search: { mode: 'match' } })) };
}

const scenarios: ScenarioFile[] = [];

// ---- 004: blinatumomab bags charted by their start only ------------------------------------------------------------
{
  const name = 'rr-cycle-from-history-72h-bags-charted-by-start';
  const BLINCYTO = { code: '1597267', display: 'blinatumomab 0.035 MG Injection [Blincyto]' };
  const request = derive('bsc-blinatumomab', 'rr-cycle-from-history-none-earlier-28-ug-over-step-dose', name, (r) => {
    const patient = (r.prefetch['patient'] as { id?: string } | null)?.id ?? 'unknown';
    // cycle 1 in clinic: a 72-hour bag hung every 3 days from 2026-09-08, the last one 2026-10-02 to 2026-10-05;
    // the EHR charts each bag change as one administration, effectiveDateTime only (no period)
    const given: MedicationAdministration[] = [];
    for (let date = '2026-09-08', i = 1; date <= '2026-10-02'; date = addDays(date, 3), i += 1) {
      given.push({
        resourceType: 'MedicationAdministration',
        id: `ma-blin-bag-${i}`,
        status: 'completed',
        medicationCodeableConcept: { coding: [{ system: RXNORM, ...BLINCYTO }], text: BLINCYTO.display },
        subject: { reference: `Patient/${patient}` },
        effectiveDateTime: `${date}T09:00:00Z`,
      });
    }
    r.prefetch['medicationAdministrations'] = administrationsBundle(given);
  });
  scenarios.push({
    policy: 'bsc-blinatumomab',
    name,
    request,
    expect: {
      description:
        '004 R/R, cycles from administrations charted by their start (issue 14 audit): as rr-cycle-from-history-none-earlier-28-ug-over-step-dose (28 mcg/day for 28 days, no cycle stated), but cycle 1 was given as 72-hour bags hung every 3 days (2026-09-08 to 2026-10-02), each charted as one MedicationAdministration with effectiveDateTime only. The bags are one run, so this order is cycle 2 day 1, 59 treatment-free days after the last charted bag (its 72 hours are not charted): covered. Before the fix every bag was its own run and the order read as cycle 10, past the 9 cycles of the R/R course: not covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'bsc-blin-1c-cycles': 'met', 'bsc-blin-1c-treatment-free': 'met', 'bsc-blin-1c-all': 'met' },
    },
  });
}

const written = writeScenarios(scenarios);
process.stdout.write(`${written} scenarios written\n`);
