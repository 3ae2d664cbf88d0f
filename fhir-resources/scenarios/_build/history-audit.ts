/**
 * Scenarios of the treatment-history audit (issue 14, lane audit-history): charts as real EHRs send them, each one a
 * wrong answer found and fixed (the scenario's description says what the service answered before). Each is derived
 * from a shipped scenario (named in its description) by changing only the history; only these files are written.
 *
 *   npx tsx fhir-resources/scenarios/_build/history-audit.ts
 */
import type { Bundle, MedicationAdministration, MedicationRequest } from 'fhir/r4.js';
import { RXNORM, addDays, administrationsBundle, deriveScenario, prefetchResources, setPrefetchResources, writeScenarios, type ScenarioFile, type ScenarioRequest } from './common.js';

type Request = ScenarioRequest;

/** The derived request: new hookInstance and scenario identifier, a deep copy of everything else. */
function derive(policy: string, base: string, name: string, change: (r: Request) => void): Request {
  return deriveScenario('history-audit', policy, base, name, change);
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

function medicationRequests(request: Request): MedicationRequest[] {
  return prefetchResources<MedicationRequest>(request, 'medicationRequests', 'MedicationRequest');
}

/** Set an order's dosage period (and, when given, its status). */
function period(order: MedicationRequest | undefined, start: string, end: string, status?: MedicationRequest['status']): void {
  if (order === undefined) throw new Error('no such order');
  const dosage = order.dosageInstruction?.[0] ?? {};
  order.dosageInstruction = [{ ...dosage, timing: { ...dosage.timing, repeat: { ...dosage.timing?.repeat, boundsPeriod: { start, end } } } }];
  order.authoredOn = start;
  if (status !== undefined) order.status = status;
}

// ---- 000: THP stopped and replaced by T-DXd with no progression charted ------------------------------------------
{
  const name = 'her2pos-thp-stopped-then-tdxd-4th-line';
  const request = derive('bsc-ixabepilone', 'her2pos-trastuzumab-4th-line-2026', name, (r) => {
    const orders = medicationRequests(r);
    const byDrug = (word: string) => orders.find((o) => (o.id ?? '').includes(word));
    // paclitaxel for 6 cycles, trastuzumab + pertuzumab continued until stopped 2024-07-31; T-DXd from 2024-08-19
    period(byDrug('trastuzumab-150'), '2023-09-14', '2024-07-31', 'stopped');
    period(byDrug('pertuzumab'), '2023-09-14', '2024-07-31', 'stopped');
  });
  scenarios.push({
    policy: 'bsc-ixabepilone',
    name,
    request,
    expect: {
      description:
        '000 §2 2 HER2+ (issue 14 audit, a regimen stopped and replaced): as her2pos-trastuzumab-4th-line-2026, but trastuzumab and pertuzumab ran on after paclitaxel until stopped 2024-07-31, and fam-trastuzumab deruxtecan started 19 days later with no progression charted. THP stopped and replaced by T-DXd is a new line: THP, T-DXd, docetaxel = 3 prior lines, ixabepilone 4th line: covered. Before the fix T-DXd joined the THP line (started within 28 days of it) and ixabepilone read as 3rd line: not covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'bsc-ixa-2b-4th-plus-from-20231030': 'met', 'bsc-ixa-2b': 'met' },
    },
  });
}

// ---- 002: VRd retreatment after two years off therapy, no progression charted between ----------------------------
{
  const name = 'mm-5b-vrd-retreatment-after-observation-two-lines';
  const request = derive('centene-ixazomib', 'mm-5b-pom-dex-refractory-charted', name, (r) => {
    const orders = medicationRequests(r);
    const [bortezomib, lenalidomide, dexamethasone] = orders;
    period(bortezomib, '2022-01-10', '2022-12-31');
    period(lenalidomide, '2022-01-10', '2022-12-31');
    period(dexamethasone, '2022-01-10', '2022-12-31');
    // the second line: VRd again from 2025-03-03 (in place of DKd), after two years of observation off therapy
    const template = [bortezomib, lenalidomide, dexamethasone];
    const again = template.map((o, i) => {
      const copy = structuredClone(o) as MedicationRequest;
      copy.id = `${o?.id ?? 'order'}-retreatment-${i + 1}`;
      period(copy, '2025-03-03', '2026-10-05');
      return copy;
    });
    setPrefetchResources(r, 'medicationRequests', [...template, ...again] as MedicationRequest[]);
  });
  scenarios.push({
    policy: 'centene-ixazomib',
    name,
    request,
    expect: {
      description:
        '002 I.A.5.b.ii (issue 14 audit, retreatment after a period of observation): VRd 2022-01-10 to 2022-12-31, two years off therapy, VRd again 2025-03-03 to 2026-10-05 with no progression charted between, progression 2026-10-20 (lenalidomide-refractory), pomalidomide + dexamethasone + ixazomib: two prior lines (IMWG: treatment after a planned observation off therapy is a new line) with an IMiD and a PI: covered. Before the fix the retreatment joined the 2022 line (the same drugs) and 5.b.ii read one line: not covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'ia-5b-ii-two-lines': 'met', 'ia-5b-refractory-charted': 'met', 'ia-5b-iii-progression': 'met', 'ia-5b': 'met' },
    },
  });
}

// ---- 002 §5.d: relapse on lenalidomide maintenance after VRd induction --------------------------------------------
{
  const name = 'mm-5d-relapse-on-maintenance-after-vrd-induction';
  const request = derive('centene-ixazomib', 'mm-5d-relapse-ird-after-vrd-induction', name, (r) => {
    const [bortezomib, lenalidomide, dexamethasone] = medicationRequests(r);
    // VRd for 8 cycles, then lenalidomide maintenance straight on (non-transplant, SWOG S0777) until stopped at relapse
    period(bortezomib, '2024-01-08', '2024-06-24');
    period(dexamethasone, '2024-01-08', '2024-06-24');
    period(lenalidomide, '2024-01-08', '2026-10-10', 'stopped');
  });
  scenarios.push({
    policy: 'centene-ixazomib',
    name,
    request,
    expect: {
      description:
        '002 I.A.5.d relapse branch (issue 14 audit, induction vs maintenance): as mm-5d-relapse-ird-after-vrd-induction, but VRd ran 8 cycles (2024-01-08 to 2024-06-24) and lenalidomide went on as maintenance until stopped 2026-10-10; relapse 2026-10-20. The induction ended with the last bortezomib: relapse 27 months after it, 5.d met (5.a too): covered. Before the fix the months were counted from the end of the maintenance (0): 5.d not met (the order stayed covered through 5.a)',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'ia-5d-induction-vrd-krd': 'met', 'ia-5d-same-regimen': 'met', 'ia-5d-relapse-6-months': 'met', 'ia-5d-relapse': 'met', 'ia-5d': 'met' },
    },
  });
}

// ---- 000: the trastuzumab partner given as Phesgo (pertuzumab, trastuzumab and hyaluronidase) --------------------
{
  const name = 'her2pos-with-phesgo-4th-line-2026';
  const PHESGO = { code: '2383305', display: '10 ML hyaluronidase-zzxf 2000 UNT/ML / pertuzumab-zzxf 60 MG/ML / trastuzumab-zzxf 60 MG/ML Injection' };
  const request = derive('bsc-ixabepilone', 'her2pos-trastuzumab-4th-line-2026', name, (r) => {
    const partner = (r.context.draftOrders.entry ?? []).map((e) => e.resource as MedicationRequest).find((o) => o.id === 'draft-partner-1');
    if (partner === undefined) throw new Error('no partner order');
    partner.medicationCodeableConcept = { coding: [{ system: RXNORM, ...PHESGO }], text: 'Phesgo (pertuzumab, trastuzumab, and hyaluronidase-zzxf) 600 mg/600 mg subcutaneous' };
    // the first line's trastuzumab and pertuzumab were Phesgo too: one order in place of two
    const value = r.prefetch['medicationRequests'] as Bundle;
    const orders = medicationRequests(r);
    const trastuzumab = orders.find((o) => (o.id ?? '').includes('trastuzumab-150'));
    if (trastuzumab === undefined) throw new Error('no trastuzumab order');
    trastuzumab.medicationCodeableConcept = { coding: [{ system: RXNORM, ...PHESGO }], text: PHESGO.display };
    value.entry = (value.entry ?? []).filter((e) => !(e.resource?.id ?? '').includes('pertuzumab'));
  });
  scenarios.push({
    policy: 'bsc-ixabepilone',
    name,
    request,
    expect: {
      description:
        '000 §2 2 HER2+ (issue 14 audit, a combination product): as her2pos-trastuzumab-4th-line-2026, but the trastuzumab signed with ixabepilone is Phesgo (RxNorm 2383305: pertuzumab, trastuzumab and hyaluronidase), and the first line gave paclitaxel with Phesgo. Phesgo is read as both its antibodies: "with trastuzumab" met, the first line is still THP, 4th line: covered. Before the fix Phesgo read as pertuzumab alone: "with trastuzumab" not met, not covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'bsc-ixa-2b-trastuzumab': 'met', 'bsc-ixa-2b-4th-plus-from-20231030': 'met', 'bsc-ixa-2b': 'met' },
    },
  });
}

// ---- 002: the second line's orders on hold --------------------------------------------------------------------
{
  const name = 'mm-5b-second-line-orders-on-hold';
  const request = derive('centene-ixazomib', 'mm-5b-pom-dex-refractory-charted', name, (r) => {
    for (const order of medicationRequests(r)) {
      if (!/daratumumab|carfilzomib/.test(order.id ?? '')) continue;
      // held after the last infusion (2026-10-05) for neutropenia; the EHR leaves the orders on hold
      order.status = 'on-hold';
      order.statusReason = { text: 'Held for grade 4 neutropenia' };
    }
  });
  scenarios.push({
    policy: 'centene-ixazomib',
    name,
    request,
    expect: {
      description:
        '002 I.A.5.b (issue 14 audit, orders on hold): as mm-5b-pom-dex-refractory-charted, but the daratumumab and carfilzomib orders (2025-03-03 to 2026-10-05) were left on hold for neutropenia after the last infusion; progression 2026-10-20. An order on hold was given before the hold: still two prior lines, daratumumab-refractory, progression within 60 days of the last therapy: covered. Before the fix on-hold orders were dropped from the history (one line, not refractory): not covered',
      covered: 'covered',
      paNeeded: 'auth-needed',
      cards: ['coverage-info'],
      criteria: { 'ia-5b-ii-two-lines': 'met', 'ia-5b-refractory-charted': 'met', 'ia-5b-iii-progression': 'met', 'ia-5b': 'met' },
    },
  });
}

const written = writeScenarios(scenarios);
process.stdout.write(`${written} scenarios written\n`);
