import { describe, expect, it } from 'vitest';
import type { ClaimResponse, MedicationRequest } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { ICD10CM, LOINC, RXNORM, SNOMED, code, coded, condition, draftOrder, medicationRequest, observation } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const HCPCS_HTTP = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const HCPCS_HTTPS = 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';

const ixabepilone = draftOrder('draft-ixa', code(RXNORM, '1726276'), {
  dosageInstruction: [
    {
      text: 'Ixabepilone 40 mg/m2 IV every 3 weeks; metastatic, unresectable. No relapse.',
      timing: { repeat: { frequency: 1, period: 3, periodUnit: 'wk' } },
      doseAndRate: [{ doseQuantity: { value: 40, unit: 'mg/m2', code: 'mg/m2' } }],
    },
  ],
  dispenseRequest: { validityPeriod: { start: '2026-12-03', end: '2027-03-02' } },
});

describe('buildFacts: order', () => {
  it('service date, amount, schedule, attestations (negation ignored) and requested duration', () => {
    const facts = buildFacts(emptyChart({ draftOrders: [ixabepilone] }), ixabepilone, catalog, '2026-11-01');
    expect(facts.serviceDate).toBe('2026-12-03');
    expect(facts.order.drug).toBe('ixabepilone');
    expect(facts.order.amount.value).toEqual({ value: 40, unit: 'mg', basis: 'per-m2', per: 'administration', asWritten: '40 mg/m2' });
    expect(facts.order.schedule.value).toMatchObject({ administrations: 1, periodDays: 21 });
    expect(facts.order.attestations.value).toEqual(['unresectable']);
    expect(facts.disease.unresectable.value).toBe(true);
    expect(facts.disease.relapsedOrRefractory.value).toBeNull();
    expect(facts.order.requestedDurationDays.value).toBe(90);
  });

  it('falls back to authoredOn and then today for the service date', () => {
    const bare = draftOrder('b', code(RXNORM, '1726276'), { authoredOn: '2026-10-10' });
    expect(buildFacts(emptyChart(), bare, catalog, '2026-01-01').serviceDate).toBe('2026-10-10');
    const { authoredOn: _ignored, ...undated } = bare;
    expect(buildFacts(emptyChart(), undated, catalog, '2026-01-01').serviceDate).toBe('2026-01-01');
  });

  it('converts HCPCS billing units by the catalog unit size (http and https systems)', () => {
    const j9229 = draftOrder('ino', code(HCPCS_HTTP, 'J9229'), {
      dosageInstruction: [{ doseAndRate: [{ doseQuantity: { value: 14, unit: 'units', code: '{unit}' } }] }],
    });
    expect(buildFacts(emptyChart(), j9229, catalog).order.amount.value).toMatchObject({ value: 1.4, unit: 'mg', basis: 'absolute' });
    const j9039 = draftOrder('blin', code(HCPCS_HTTPS, 'J9039'), {
      dosageInstruction: [{ doseAndRate: [{ doseQuantity: { value: 28, code: "[arb'U]" } }] }],
    });
    const facts = buildFacts(emptyChart(), j9039, catalog);
    expect(facts.order.drug).toBe('blinatumomab');
    expect(facts.order.amount.value).toMatchObject({ value: 28, unit: 'ug' });
  });

  it('reads a continuous-infusion rate per day, phase, cycle and day from text', () => {
    const blin = draftOrder('blin', { text: 'Blincyto 35 mcg vial' }, {
      dosageInstruction: [
        {
          text: 'Blinatumomab 15 mcg/m2/day continuous infusion, C2D8, relapsed/refractory',
          timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', boundsDuration: { value: 21, code: 'd' } } },
          doseAndRate: [{ rateQuantity: { value: 15, unit: 'mcg/m2/d' } }],
        },
      ],
    });
    const facts = buildFacts(emptyChart(), blin, catalog);
    expect(facts.order.drug).toBe('blinatumomab');
    expect(facts.order.drugCodes).toEqual([]);
    expect(facts.order.amount.value).toMatchObject({ value: 15, unit: 'ug', basis: 'per-m2', per: 'day' });
    expect(facts.order.schedule.value).toMatchObject({ administrations: 1, periodDays: 1, durationDays: 21 });
    expect(facts.order.phase.value).toBe('relapsed-refractory');
    expect(facts.order.cycleNumber.value).toBe(2);
    expect(facts.order.cycleDayStart.value).toBe(8);
    expect(facts.order.attestations.value).toEqual(['relapsed', 'refractory']);
  });

  it('a named regimen is recognised from its drugs together, never from one component (catalog/regimens.json)', () => {
    const ino = draftOrder('ino', code(RXNORM, '1942954'));
    const dexPremed = draftOrder('dex', code(RXNORM, '197582'));
    const alone = buildFacts(emptyChart({ draftOrders: [ino, dexPremed] }), ino, catalog);
    expect(alone.order.partnerClasses.value).not.toContain('mini-hyper-cvd');
    const courseA = [draftOrder('cy', code(RXNORM, '1734919')), draftOrder('vcr', code(RXNORM, '1863343'))];
    const withA = buildFacts(emptyChart({ draftOrders: [ino, dexPremed, ...courseA] }), ino, catalog);
    expect(withA.order.partnerClasses.value).toContain('mini-hyper-cvd');
    const cites = withA.order.partnerClasses.evidence.filter((e) => e.supports?.includes('mini-hyper-cvd'));
    expect(cites.map((e) => e.reference).sort()).toEqual(['MedicationRequest/cy', 'MedicationRequest/dex', 'MedicationRequest/vcr']);
    const pomp = ['197931', '105585'].map((rx, i) => medicationRequest(`m${i}`, rx, '2026-11-01', { status: 'active' }));
    const blin = draftOrder('blin', code(RXNORM, '1597262'));
    expect(buildFacts(emptyChart({ draftOrders: [blin], medicationRequests: pomp }), blin, catalog).order.partnerClasses.value).toContain('pomp');
  });

  it('partners come from other draft orders and active medications, not from this drug', () => {
    const blin = draftOrder('blin', code(RXNORM, '1597262'));
    const dasatinib = draftOrder('das', code(RXNORM, '799047'));
    const activePrednisone = medicationRequest('pred', '312617', '2026-11-20', { status: 'active' });
    const activeVincristine = medicationRequest('vcr', '1863343', '2026-11-25', { status: 'active' });
    const stoppedMtx = medicationRequest('mtx', '105585', '2026-06-01', { status: 'stopped', dispenseRequest: { validityPeriod: { start: '2026-06-01', end: '2026-07-01' } } });
    const chart = emptyChart({ draftOrders: [blin, dasatinib], medicationRequests: [activePrednisone, activeVincristine, stoppedMtx] });
    const facts = buildFacts(chart, blin, catalog);
    expect(facts.order.partners.value).toEqual(['dasatinib', 'prednisone', 'vincristine']);
    expect(facts.order.partnerClasses.value).toEqual(expect.arrayContaining(['tki', 'corticosteroid', 'antineoplastic']));
    // prednisone and vincristine are POMP drugs, but not the regimen: its mercaptopurine + methotrexate backbone is absent
    expect(facts.order.partnerClasses.value).not.toContain('pomp');
    expect(facts.order.singleAgent.value).toBe(false);
    expect(facts.therapy.activeMedications.value).toEqual(['prednisone', 'vincristine']);
  });

  it('a steroid alone leaves the order single-agent', () => {
    const blin = draftOrder('blin', code(RXNORM, '1597262'));
    const dex = draftOrder('dex', code(RXNORM, '197582'));
    const facts = buildFacts(emptyChart({ draftOrders: [blin, dex] }), blin, catalog);
    expect(facts.order.partners.value).toEqual(['dexamethasone']);
    expect(facts.order.singleAgent.value).toBe(true);
  });
});

describe('buildFacts: therapy lines', () => {
  const ixa = draftOrder('draft-ixa', code(RXNORM, '1723770'), { authoredOn: '2026-12-01' });
  const history: MedicationRequest[] = [
    // line 1: bortezomib + lenalidomide + dexamethasone, started within 28 days
    medicationRequest('v1', '402243', '2025-01-05'),
    medicationRequest('r1', '602910', '2025-01-20'),
    medicationRequest('d1', '197582', '2025-01-05'),
    // a new cycle's order of a line-1 drug does not open a line
    medicationRequest('v2', '402243', '2025-03-01'),
    // a steroid alone does not open a line
    medicationRequest('d2', '2261802', '2025-06-01'),
    // line 2: daratumumab + pomalidomide (29 days apart would split; these are 10 apart)
    medicationRequest('dara', '1721951', '2025-09-01'),
    medicationRequest('pom', '1369734', '2025-09-11'),
    // line 3: carfilzomib 40 days later
    medicationRequest('k', '1806940', '2025-10-21'),
    // not given: ignored
    medicationRequest('x1', '403879', '2025-11-01', { status: 'entered-in-error' }),
    medicationRequest('x2', '403879', '2025-11-01', { status: 'cancelled' }),
    // after the service date: not prior
    medicationRequest('late', '1302966', '2026-12-20'),
  ];

  it('groups prior antineoplastic therapy into lines by the 28-day rule', () => {
    const facts = buildFacts(emptyChart({ medicationRequests: history, draftOrders: [ixa] }), ixa, catalog);
    expect(facts.therapy.priorLines.value).toBe(3);
    expect(facts.therapy.lineOfTherapy.value).toBe(4);
    expect(facts.therapy.priorDrugs.value).toEqual(
      expect.arrayContaining(['bortezomib', 'lenalidomide', 'dexamethasone', 'daratumumab', 'pomalidomide', 'carfilzomib']),
    );
    expect(facts.therapy.priorDrugs.value).not.toContain('imatinib');
    expect(facts.therapy.priorDrugClasses.value).toEqual(expect.arrayContaining(['anti-cd38', 'immunomodulatory', 'proteasome-inhibitor']));
  });

  it('counts 0 prior lines with an empty history, and unknown when the history was not available', () => {
    expect(buildFacts(emptyChart(), ixa, catalog).therapy.priorLines.value).toBe(0);
    const gap = emptyChart({ unavailable: [{ what: 'Medication history', key: 'medicationRequests', reason: 'timeout' }] });
    const facts = buildFacts(gap, ixa, catalog);
    expect(facts.therapy.priorLines.value).toBeNull();
    expect(facts.order.singleAgent.value).toBeNull();
  });

  it('excludes the draft order itself from history and counts days on the same drug', () => {
    const earlier = medicationRequest('ixa-old', '1723770', '2026-09-01', { dispenseRequest: { expectedSupplyDuration: { value: 28, code: 'd' } } });
    const asHistory = { ...ixa, status: 'active' as const };
    const facts = buildFacts(emptyChart({ medicationRequests: [earlier, asHistory], draftOrders: [ixa] }), ixa, catalog);
    expect(facts.order.daysOnThisDrug.value).toBe(28);
    expect(facts.therapy.activeMedications.value).toEqual([]);
  });
});

describe('buildFacts: disease', () => {
  it('metastatic from ICD C78 or an M1 observation; triple-negative from three negative markers', () => {
    const chart = emptyChart({
      conditions: [condition('dx', code(ICD10CM, 'C50.911'))],
      observations: [
        observation('m', '21907-1', '2026-03-01', coded(SNOMED, '1229903009', 'cM1')),
        observation('her2', '48676-1', '2026-03-01', coded(LOINC, 'LA6577-6')),
        observation('er', '16112-5', '2026-03-01', coded(LOINC, 'LA6577-6')),
        observation('pr', '16113-3', '2026-03-01', coded(LOINC, 'LA6577-6')),
        observation('status', '97509-4', '2026-11-01', coded(SNOMED, '271299001')),
      ],
    });
    const facts = buildFacts(chart, draftOrder('d', code(RXNORM, '1726276')), catalog);
    expect(facts.disease.metastatic).toMatchObject({ value: true, evidence: [{ reference: 'Observation/m' }] });
    expect(facts.disease.tripleNegative.value).toBe(true);
    expect(facts.disease.response.value).toBe('worsened');
    // worsened, but no systemic therapy before it: nothing to have responded to
    expect(facts.disease.noResponse.value).toBe(false);
    expect(facts.disease.locallyAdvanced.value).toBeNull();
  });

  it('stage group III is locally advanced and not metastatic', () => {
    const chart = emptyChart({ observations: [observation('st', '21908-9', '2026-03-01', { valueCodeableConcept: { text: 'Stage IIIB' } })] });
    const facts = buildFacts(chart, draftOrder('d', code(RXNORM, '1726276')), catalog);
    expect(facts.disease.locallyAdvanced.value).toBe(true);
    expect(facts.disease.metastatic.value).toBe(false);
  });

  it('relapse from ICD "in relapse" and Condition status', () => {
    const chart = emptyChart({ conditions: [condition('all', code(ICD10CM, 'C9102'))] });
    const facts = buildFacts(chart, draftOrder('d', code(RXNORM, '1942954')), catalog);
    expect(facts.diagnoses.icd10.value).toEqual(['C91.02']);
    expect(facts.disease.relapsedOrRefractory.value).toBe(true);
  });
});

describe('buildFacts: prescriber, coverage, age', () => {
  it('reads the requester PractitionerRole specialty, the payer, the line of business and the age', () => {
    const order = draftOrder('d', code(RXNORM, '1726276'), { requester: { reference: 'PractitionerRole/r1' } });
    const chart = emptyChart({
      patient: { resourceType: 'Patient', id: 'p1', birthDate: '2025-06-15' },
      practitionerRoles: [{ resourceType: 'PractitionerRole', id: 'r1', specialty: [code('http://nucc.org/provider-taxonomy', '207RX0202X')] }],
      coverages: [
        { resourceType: 'Coverage', id: 'old', status: 'cancelled', beneficiary: { reference: 'Patient/p1' }, payor: [{ display: 'Centene' }] },
        {
          resourceType: 'Coverage',
          id: 'c1',
          status: 'active',
          beneficiary: { reference: 'Patient/p1' },
          payor: [{ display: 'Ambetter from Centene' }],
          type: { text: 'Marketplace (HIM) Silver' },
        },
      ],
    });
    const facts = buildFacts(chart, order, catalog);
    expect(facts.prescriber).toMatchObject({ reference: 'PractitionerRole/r1', specialties: { value: ['207RX0202X'] } });
    expect(facts.coverage.reference).toBe('Coverage/c1');
    expect(facts.coverage.payerId.value).toBe('centene');
    expect(facts.coverage.lineOfBusiness.value).toBe('marketplace');
    expect(facts.patient.age.value).toBe(1);
    expect(facts.patient.ageMonths.value).toBe(17);
    expect(JSON.stringify(facts.patient)).not.toContain('2025-06-15');
  });

  it('falls back to the hook user when the order names no requester', () => {
    const chart = emptyChart({
      userId: 'Practitioner/u1',
      practitioners: [{ resourceType: 'Practitioner', id: 'u1', qualification: [{ code: code('http://nucc.org/provider-taxonomy', '207RH0000X') }] }],
    });
    expect(buildFacts(chart, draftOrder('d', code(RXNORM, '1726276')), catalog).prescriber.specialties.value).toEqual(['207RH0000X']);
  });
});

describe('buildFacts: authorizations', () => {
  const eligible = { category: code('http://terminology.hl7.org/CodeSystem/adjudication', 'eligible') };
  const blin = draftOrder('blin', code(RXNORM, '1597262'), { dispenseRequest: { validityPeriod: { start: '2026-12-01' } } });
  const response = (id: string, over: Partial<ClaimResponse>): ClaimResponse => ({
    resourceType: 'ClaimResponse',
    id,
    status: 'active',
    type: code('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
    use: 'preauthorization',
    patient: { reference: 'Patient/p1' },
    created: '2026-11-20',
    insurer: { display: 'Blue Shield of California' },
    outcome: 'complete',
    preAuthRef: `PA-${id}`,
    preAuthPeriod: { start: '2026-11-20', end: '2027-11-19' },
    addItem: [{ productOrService: code(HCPCS_HTTPS, 'J9039'), adjudication: [eligible] }],
    ...over,
  });

  it('applies a valid approval, and says why the others do not apply', () => {
    const chart = emptyChart({
      claimResponses: [
        response('ok', {}),
        response('expired', { preAuthPeriod: { start: '2025-11-01', end: '2026-10-31' } }),
        response('future', { preAuthPeriod: { start: '2027-01-01' } }),
        response('other', { addItem: [{ productOrService: code(RXNORM, '1942954'), adjudication: [eligible] }] }),
        response('denied', { outcome: 'error' }),
        response('claim', { use: 'claim' }),
      ],
    });
    const auths = buildFacts(chart, blin, catalog).authorizations;
    expect(auths.map((a) => [a.reference, a.appliesToOrder, a.whyNot])).toEqual([
      ['ClaimResponse/ok', true, undefined],
      ['ClaimResponse/expired', false, 'expired 2026-10-31'],
      ['ClaimResponse/future', false, 'not yet valid (from 2027-01-01)'],
      ['ClaimResponse/other', false, 'for another drug'],
      ['ClaimResponse/denied', false, 'not approved (outcome error)'],
      ['ClaimResponse/claim', false, 'not a preauthorization (use claim)'],
    ]);
    expect(auths[0]).toMatchObject({ preAuthRef: 'PA-ok', drug: 'blinatumomab', periodStart: '2026-11-20', periodEnd: '2027-11-19' });
  });

  it('finds the drug in the items of the Claim the response answers', () => {
    const { addItem: _none, ...withoutItems } = response('via-claim', { request: { reference: 'Claim/c1' } });
    const chart = emptyChart({
      claimResponses: [withoutItems],
      claims: [
        {
          resourceType: 'Claim',
          id: 'c1',
          status: 'active',
          type: code('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
          use: 'preauthorization',
          patient: { reference: 'Patient/p1' },
          created: '2026-11-19',
          provider: { reference: 'Practitioner/u1' },
          priority: code('http://terminology.hl7.org/CodeSystem/processpriority', 'normal'),
          insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/c1' } }],
          item: [{ sequence: 1, productOrService: code('http://hl7.org/fhir/sid/ndc', '55513-160-01') }],
        },
      ],
    });
    const [auth] = buildFacts(chart, blin, catalog).authorizations;
    expect(auth).toMatchObject({ drug: 'blinatumomab', appliesToOrder: true });
  });
});
