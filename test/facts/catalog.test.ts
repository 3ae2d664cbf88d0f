import { describe, expect, it } from 'vitest';
import type { CodeableConcept, Coverage, Medication, MedicationRequest } from 'fhir/r4.js';
import { identifyDrug, loadCatalog, resolveLineOfBusiness, resolveMedicationConcept, resolvePayer } from '../../src/catalog/index.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const concept = (system: string, code: string, display?: string): CodeableConcept => ({
  coding: [{ system, code, ...(display !== undefined ? { display } : {}) }],
});

describe('identifyDrug', () => {
  it('recognises an RxNorm SCD and reports the code', () => {
    expect(identifyDrug(concept(RXNORM, '1726276'), catalog)).toMatchObject({
      drug: 'ixabepilone',
      codes: [`${RXNORM}|1726276`],
      matchedBy: 'code',
    });
  });

  it('recognises an RxNorm ingredient', () => {
    expect(identifyDrug(concept(RXNORM, '342369'), catalog).drug).toBe('lenalidomide');
  });

  it('recognises HCPCS under http and https and keeps the billing unit size', () => {
    const http = identifyDrug(concept('http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'J9229'), catalog);
    const https = identifyDrug(concept('https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'j9229'), catalog);
    expect(http.drug).toBe('inotuzumab-ozogamicin');
    expect(https.drug).toBe('inotuzumab-ozogamicin');
    expect(http.hcpcs).toEqual({ code: 'J9229', unitAmount: 0.1, unit: 'mg' });
  });

  it('recognises NDC in the 10-digit hyphenated, 11-digit and 11-digit hyphenated forms', () => {
    const ndc = 'http://hl7.org/fhir/sid/ndc';
    expect(identifyDrug(concept(ndc, '63020-080-01'), catalog).drug).toBe('ixazomib');
    expect(identifyDrug(concept(ndc, '63020008001'), catalog).drug).toBe('ixazomib');
    expect(identifyDrug(concept(ndc, '63020-0080-01'), catalog).drug).toBe('ixazomib');
    expect(identifyDrug(concept(ndc, '0008-0100-01'), catalog).drug).toBe('inotuzumab-ozogamicin');
    expect(identifyDrug(concept(ndc, '00008010001'), catalog).drug).toBe('inotuzumab-ozogamicin');
    expect(identifyDrug(concept(ndc, '5551316001'), catalog).drug).toBe('blinatumomab');
  });

  it('prefers the product code over the shared ingredient (Enhertu vs trastuzumab)', () => {
    const enhertu: CodeableConcept = {
      coding: [
        { system: RXNORM, code: '224905', display: 'trastuzumab' },
        { system: RXNORM, code: '2267581', display: 'fam-trastuzumab deruxtecan-nxki 100 MG Injection [Enhertu]' },
      ],
    };
    expect(identifyDrug(enhertu, catalog).drug).toBe('fam-trastuzumab-deruxtecan');
  });

  it('falls back to the name: brand, generic, longest name first, whole words only', () => {
    expect(identifyDrug({ text: 'Blincyto 35 mcg vial' }, catalog).drug).toBe('blinatumomab');
    expect(identifyDrug({ coding: [{ display: 'Fam-Trastuzumab Deruxtecan-nxki 100 mg' }] }, catalog).drug).toBe(
      'fam-trastuzumab-deruxtecan',
    );
    expect(identifyDrug({ text: 'Ninlaro 4 mg capsule' }, catalog)).toEqual({ drug: 'ixazomib', codes: [], matchedBy: 'name' });
    expect(identifyDrug({ text: 'nonblinatumomabish' }, catalog).drug).toBeNull();
    expect(identifyDrug(undefined, catalog)).toEqual({ drug: null, codes: [] });
  });
});

describe('resolveMedicationConcept', () => {
  const medication = (id: string, code: string): Medication => ({ resourceType: 'Medication', id, code: concept(RXNORM, code) });
  const order = (over: Partial<MedicationRequest>): MedicationRequest => ({
    resourceType: 'MedicationRequest',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    ...over,
  });

  it('reads a contained Medication', () => {
    const mr = order({
      contained: [medication('med1', '1597262')],
      medicationReference: { reference: '#med1' },
    });
    expect(identifyDrug(resolveMedicationConcept(mr, emptyChart()), catalog).drug).toBe('blinatumomab');
  });

  it('reads a Medication from the chart', () => {
    const chart = emptyChart({ medications: [{ resourceType: 'Medication', id: 'm-ino', code: concept(RXNORM, '1942954') }] });
    const mr = order({ medicationReference: { reference: 'Medication/m-ino' } });
    expect(identifyDrug(resolveMedicationConcept(mr, chart), catalog).drug).toBe('inotuzumab-ozogamicin');
  });

  it('reads a Medication contained in another draft order', () => {
    const carrier = order({ id: 'd2', contained: [medication('m-shared', '1723770')] });
    const chart = emptyChart({ draftOrders: [carrier] });
    const mr = order({ medicationReference: { reference: 'Medication/m-shared' } });
    expect(identifyDrug(resolveMedicationConcept(mr, chart), catalog).drug).toBe('ixazomib');
  });
});

describe('resolvePayer and line of business', () => {
  const coverage = (over: Partial<Coverage>): Coverage => ({
    resourceType: 'Coverage',
    id: 'cov',
    status: 'active',
    beneficiary: { reference: 'Patient/p1' },
    payor: [],
    ...over,
  });

  it('matches the registry identifier', () => {
    const cov = coverage({ payor: [{ identifier: { system: 'urn:oncology-pa:payer', value: 'bcbs-nc' } }] });
    expect(resolvePayer(cov, emptyChart(), catalog)).toMatchObject({ payerId: 'bcbs-nc', matchedBy: 'identifier' });
  });

  it('matches the identifier of a referenced Organization', () => {
    const chart = emptyChart({
      organizations: [{ resourceType: 'Organization', id: 'org1', identifier: [{ system: 'urn:oncology-pa:payer', value: 'centene' }] }],
    });
    const cov = coverage({ payor: [{ reference: 'Organization/org1' }] });
    expect(resolvePayer(cov, chart, catalog).payerId).toBe('centene');
  });

  it('matches by name and does not confuse the two Blues', () => {
    expect(resolvePayer(coverage({ payor: [{ display: 'BLUE SHIELD OF CALIFORNIA' }] }), emptyChart(), catalog)).toMatchObject({
      payerId: 'blue-shield-ca',
      payerName: 'Blue Shield of California',
      matchedBy: 'name',
    });
    const chart = emptyChart({ organizations: [{ resourceType: 'Organization', id: 'o2', name: 'Blue Cross and Blue Shield of North Carolina' }] });
    expect(resolvePayer(coverage({ payor: [{ reference: 'Organization/o2' }] }), chart, catalog).payerId).toBe('bcbs-nc');
    expect(resolvePayer(coverage({ payor: [{ display: 'Acme Health' }] }), emptyChart(), catalog)).toEqual({ payerId: null, payerName: 'Acme Health' });
  });

  it('reads the line of business from codes and words, specific programmes first', () => {
    const lob = (over: Partial<Coverage>) => resolveLineOfBusiness(coverage(over), catalog)?.lineOfBusiness;
    expect(lob({ type: { coding: [{ system: 'https://nahdo.org/sopt', code: '5' }], text: 'Commercial PPO' } })).toBe('commercial');
    expect(lob({ type: { coding: [{ system: 'https://nahdo.org/sopt', code: '21' }] } })).toBe('medicaid');
    expect(lob({ type: { text: 'Medicaid HMO' } })).toBe('medicaid');
    expect(lob({ class: [{ type: { coding: [{ code: 'plan' }] }, value: 'AMB-1', name: 'Ambetter HIM Silver' }] })).toBe('marketplace');
    expect(lob({ type: { text: 'Health Insurance Exchange plan' } })).toBe('marketplace');
    expect(lob({ type: { coding: [{ system: 'https://nahdo.org/sopt', code: '1' }], text: 'Medicare' } })).toBe('medicare');
    expect(lob({ type: { text: 'Something else' } })).toBeUndefined();
  });
});
