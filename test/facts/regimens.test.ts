/**
 * Regimen recognition (src/facts/regimens.ts, catalog/regimens.json): named regimens of the lines of therapy, the
 * induction and the relapse after it, the requested regimen, and the corticosteroid rule, on charts that look real.
 */
import { describe, expect, it } from 'vitest';
import type { MedicationRequest, Observation } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { classesOf } from '../../src/catalog/drugs.js';
import { buildFacts } from '../../src/facts/index.js';
import { recogniseRegimen } from '../../src/facts/regimens.js';
import { evaluatePolicy, knownIdsOf, loadPolicies } from '../../src/policy/index.js';
import type { CriterionResult } from '../../src/policy/types.js';
import { ICD10CM, RXNORM, SNOMED, code, coded, condition, draftOrder, medicationRequest, observation } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();

/** RxNorm SCDs (shared/conventions/partner-drugs.md) */
const RX = {
  bortezomib: '402243',
  lenalidomide: '602910',
  dexamethasone: '197582',
  dexamethasone20: '2261802',
  daratumumab: '1726439',
  carfilzomib: '1806940',
  pomalidomide: '1369734',
  cyclophosphamide: '1734919',
  ixazomib: '1723770',
  inotuzumab: '1942954',
  paclitaxel: '312199',
  trastuzumab: '1922509',
  pertuzumab: '1298948',
  doxorubicin: '1790099',
  vincristine: '1863343',
  methotrexate: '105585',
  cytarabine: '240416',
  prednisone: '312617',
  mercaptopurine: '197931',
} as const;

/** A given order with its period (dispense validity), as an EHR keeps a finished course. */
function given(id: string, drug: keyof typeof RX, start: string, end: string, status: MedicationRequest['status'] = 'completed'): MedicationRequest {
  return medicationRequest(id, RX[drug], start, { status, dispenseRequest: { validityPeriod: { start, end } } });
}
const progression = (id: string, date: string): Observation => observation(id, '97509-4', date, coded(SNOMED, '271299001', 'Worsened'));
const order = (drug: keyof typeof RX, id = 'draft-1') => draftOrder(id, code(RXNORM, RX[drug]), { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2026-12-01' } } } }] });

describe('catalog/regimens.json', () => {
  it('names a public source per regimen, components that are catalog drugs, and recognising sets drawn from them', () => {
    const ids = catalog.regimens.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of catalog.regimens) {
      expect(r.source.trim(), r.id).not.toBe('');
      for (const c of r.components) expect(catalog.drugs.has(c), `${r.id}: ${c}`).toBe(true);
      expect(r.recognisedBy.length, r.id).toBeGreaterThan(0);
      for (const set of r.recognisedBy) for (const d of set) expect(r.components, `${r.id}: ${d}`).toContain(d);
      // a drug that shows another regimen is a catalog drug the regimen never has
      for (const d of r.notWith ?? []) {
        expect(catalog.drugs.has(d), `${r.id}: ${d}`).toBe(true);
        expect(r.components, `${r.id}: ${d}`).not.toContain(d);
      }
      // a regimen is never recognised by corticosteroids alone
      for (const set of r.recognisedBy) expect(set.some((d) => classesOf(d, catalog).includes('antineoplastic')), r.id).toBe(true);
    }
    // two regimens of the same drugs would make recognition a coin toss
    const sets = catalog.regimens.map((r) => [...r.components].sort().join('+'));
    expect(new Set(sets).size).toBe(sets.length);
    for (const named of ['hyper-cvad', 'interfant-06', 'rd', 'kd', 'pd', 'cd', 'vrd', 'ird', 'drd', 'krd', 'dvrd', 'dpd', 'isa-pd', 'ac', 'th', 'thp']) expect(ids).toContain(named);
  });
});

describe('recogniseRegimen: a corticosteroid is a component only when a catalog regimen pairs it', () => {
  it('lenalidomide + dexamethasone is Rd; lenalidomide alone is no regimen, with Rd named as what dexamethasone would make', () => {
    expect(recogniseRegimen(['lenalidomide'], ['dexamethasone'], catalog)).toMatchObject({ regimen: { id: 'rd' }, drugs: ['lenalidomide', 'dexamethasone'], premedication: [] });
    const alone = recogniseRegimen(['lenalidomide'], [], catalog);
    expect(alone.regimen).toBeUndefined();
    expect(alone.lacking).toMatchObject({ regimen: { id: 'rd' }, corticosteroids: ['dexamethasone'] });
  });

  it('inotuzumab with its dexamethasone premedication is no regimen with dexamethasone', () => {
    const r = recogniseRegimen(['inotuzumab-ozogamicin'], ['dexamethasone'], catalog);
    expect(r.regimen).toBeUndefined();
    expect(r.lacking).toBeUndefined();
    expect(r.premedication).toEqual(['dexamethasone']);
  });

  it('the most complete regimen wins: mini-hyper-CVD without doxorubicin, hyper-CVAD with it, inotuzumab + mini-hyper-CVD with inotuzumab', () => {
    const backbone = ['cyclophosphamide', 'vincristine', 'methotrexate', 'cytarabine'];
    expect(recogniseRegimen(backbone, ['dexamethasone'], catalog).regimen?.id).toBe('mini-hyper-cvd');
    expect(recogniseRegimen([...backbone, 'doxorubicin'], ['dexamethasone'], catalog).regimen?.id).toBe('hyper-cvad');
    expect(recogniseRegimen(['inotuzumab-ozogamicin', ...backbone], ['dexamethasone'], catalog).regimen?.id).toBe('inotuzumab-mini-hyper-cvd');
  });

  it('antibody-drug conjugates are their own drugs: paclitaxel with ado-trastuzumab emtansine is not TH', () => {
    expect(recogniseRegimen(['paclitaxel', 'trastuzumab'], [], catalog).regimen?.id).toBe('th');
    expect(recogniseRegimen(['paclitaxel', 'ado-trastuzumab-emtansine'], [], catalog).regimen).toBeUndefined();
    expect(recogniseRegimen(['paclitaxel', 'fam-trastuzumab-deruxtecan'], [], catalog).regimen).toBeUndefined();
  });

  it('a corticosteroid alone is no regimen (prednisone is not POMP)', () => {
    expect(recogniseRegimen([], ['prednisone'], catalog).regimen).toBeUndefined();
    expect(recogniseRegimen(['mercaptopurine', 'methotrexate'], ['prednisone'], catalog)).toMatchObject({ regimen: { id: 'pomp' }, drugs: ['mercaptopurine', 'methotrexate', 'prednisone'] });
  });
});

describe('buildFacts: regimens of a myeloma history', () => {
  // VRd induction with a mid-line dexamethasone re-order; progression 8 months after it ended; DKd second line
  const history = [
    given('v1', 'bortezomib', '2023-01-10', '2023-09-02'),
    given('r1', 'lenalidomide', '2023-01-10', '2023-09-02'),
    given('d1', 'dexamethasone', '2023-01-10', '2023-04-30'),
    given('d1b', 'dexamethasone20', '2023-05-01', '2023-09-02'),
    given('dara', 'daratumumab', '2024-06-03', '2026-09-30'),
    given('k', 'carfilzomib', '2024-06-03', '2026-09-30'),
    given('d2', 'dexamethasone20', '2024-06-03', '2026-09-30'),
  ];
  const observations = [progression('pd-1', '2024-05-15'), progression('pd-2', '2026-10-20')];
  const ixa = order('ixazomib');
  const partners = [order('lenalidomide', 'draft-len'), order('dexamethasone20', 'draft-dex')];
  const chart = emptyChart({ medicationRequests: history, observations, conditions: [condition('mm', code(ICD10CM, 'C90.00'))], draftOrders: [ixa, ...partners] });
  const facts = buildFacts(chart, ixa, catalog, '2026-11-20');

  it('names each line\'s regimen, with its dates and drugs as evidence', () => {
    expect(facts.therapy.priorRegimens.value).toEqual(['vrd', 'dkd']);
    expect(facts.therapy.priorRegimens.incomplete).toBeUndefined();
    expect(facts.therapy.priorRegimens.evidence.map((e) => e.text)).toEqual([
      'Line 1 2023-01-10 to 2023-09-02: VRd (bortezomib, lenalidomide, dexamethasone)',
      'Line 2 2024-06-03 to 2026-09-30: DKd (daratumumab, carfilzomib, dexamethasone)',
    ]);
  });

  it('the induction is the first line; the relapse after it is counted in whole calendar months', () => {
    expect(facts.therapy.inductionRegimen).toMatchObject({ value: 'vrd', evidence: [{ reference: 'MedicationRequest/v1', date: '2023-01-10' }] });
    expect(facts.therapy.inductionToRelapseMonths.value).toBe(8);
    expect(facts.therapy.inductionToRelapseMonths.evidence.map((e) => e.reference)).toEqual(['MedicationRequest/v1', 'Observation/pd-1']);
    expect(facts.therapy.inductionToRelapseMonths.evidence[1]?.text).toBe('Progression 2024-05-15: relapse 8 whole calendar months after the induction ended 2023-09-02');
  });

  it('the requested regimen is the ordered drug with its partners: ixazomib + lenalidomide + dexamethasone = IRd', () => {
    expect(facts.order.regimen.value).toBe('ird');
    expect(facts.order.regimen.evidence[0]?.text).toBe('Requested regimen: IRd (ixazomib, lenalidomide, dexamethasone)');
    expect(facts.order.regimen.evidence.map((e) => e.reference)).toEqual(expect.arrayContaining(['MedicationRequest/draft-len', 'MedicationRequest/draft-dex']));
  });

  it('ixazomib with dexamethasone only is no catalog regimen: the value names the drugs', () => {
    const dexOnly = emptyChart({ medicationRequests: history, observations, draftOrders: [ixa, order('dexamethasone20', 'draft-dex')] });
    const f = buildFacts(dexOnly, ixa, catalog, '2026-11-20');
    expect(f.order.regimen.value).toBe('ixazomib');
    expect(f.order.regimen.incomplete).toBeUndefined();
    expect(f.order.regimen.evidence[0]?.text).toBe('Requested regimen: ixazomib: no catalog regimen; dexamethasone with it is premedication or supportive care, not a component');
  });

  it('a progression during the induction is a relapse 0 months after it', () => {
    const early = emptyChart({ medicationRequests: history, observations: [progression('pd-early', '2023-07-01')], draftOrders: [ixa] });
    expect(buildFacts(early, ixa, catalog, '2026-11-20').therapy.inductionToRelapseMonths.value).toBe(0);
  });

  it('a line that would be VRd but for its dexamethasone, absent from the chart, leaves the regimen open (incomplete)', () => {
    const noDex = emptyChart({ medicationRequests: history.filter((h) => !h.id?.startsWith('d1')), draftOrders: [ixa] });
    const f = buildFacts(noDex, ixa, catalog, '2026-11-20');
    expect(f.therapy.inductionRegimen.value).toBe('bortezomib + lenalidomide');
    expect(f.therapy.inductionRegimen.incomplete).toMatch(/VRd would need dexamethasone/);
    expect(f.therapy.inductionRegimen.evidence[0]?.text).toBe('Line 1 2023-01-10 to 2023-09-02: bortezomib, lenalidomide: no catalog regimen; VRd would need dexamethasone, not in the chart with them');
    expect(f.therapy.inductionToRelapseMonths.value).toBeNull();
  });

  it('a dexamethasone started once the next line has begun belongs to that line: lenalidomide maintenance, then Pd after progression', () => {
    const maintenance = [
      given('len-m', 'lenalidomide', '2025-01-06', '2025-12-31'),
      given('pom', 'pomalidomide', '2025-06-02', '2026-09-30'),
      given('dex-pd', 'dexamethasone20', '2025-06-02', '2026-09-30'),
    ];
    const f = buildFacts(emptyChart({ medicationRequests: maintenance, observations: [progression('pd-m', '2025-05-20')], draftOrders: [ixa] }), ixa, catalog, '2026-11-20');
    expect(f.therapy.priorRegimens.value).toEqual(['pd']);
    expect(f.therapy.inductionRegimen.value).toBe('lenalidomide');
    expect(f.therapy.priorRegimens.evidence.map((e) => e.text)).toEqual([
      'Line 1 2025-01-06 to 2025-12-31: lenalidomide: no catalog regimen; Rd would need dexamethasone, not in the chart with them',
      'Line 2 2025-06-02 to 2026-09-30: Pd (pomalidomide, dexamethasone)',
    ]);
  });

  it('no history: the induction and the relapse after it are not documented; an unreadable history says why', () => {
    const none = buildFacts(emptyChart({ draftOrders: [ixa] }), ixa, catalog, '2026-11-20');
    expect(none.therapy.priorRegimens.value).toEqual([]);
    expect(none.therapy.inductionRegimen.value).toBeNull();
    expect(none.therapy.inductionRegimen.unknownReason).toMatch(/induction regimen is not documented/);
    const gap = emptyChart({ draftOrders: [ixa], unavailable: [{ what: 'Medication history', key: 'medicationRequests', reason: 'timeout' }] });
    const f = buildFacts(gap, ixa, catalog, '2026-11-20');
    expect(f.therapy.priorRegimens.value).toBeNull();
    expect(f.therapy.inductionRegimen.unknownReason).toBe('Medication history: not available (timeout)');
  });
});

describe('buildFacts: regimens of ALL and breast cancer histories', () => {
  it('inotuzumab with its dexamethasone premedication: a line of inotuzumab alone, the dexamethasone named as premedication', () => {
    const history = [
      given('ino', 'inotuzumab', '2026-03-02', '2026-06-20'),
      given('dex-pre', 'dexamethasone', '2026-03-02', '2026-06-20'),
    ];
    const blin = draftOrder('blin', code(RXNORM, '1597262'), { authoredOn: '2026-11-20' });
    const f = buildFacts(emptyChart({ medicationRequests: history, draftOrders: [blin] }), blin, catalog, '2026-11-20');
    expect(f.therapy.priorRegimens.value).toEqual([]);
    expect(f.therapy.inductionRegimen.value).toBe('inotuzumab-ozogamicin');
    expect(f.therapy.inductionRegimen.evidence[0]?.text).toBe(
      'Line 1 2026-03-02 to 2026-06-20: inotuzumab ozogamicin: no catalog regimen; dexamethasone with it is premedication or supportive care, not a component',
    );
  });

  it('course A then course B of mini-hyper-CVD with dexamethasone make one mini-hyper-CVD line; prednisone alone later makes none', () => {
    const history = [
      given('cy', 'cyclophosphamide', '2025-01-06', '2025-01-09'),
      given('vcr', 'vincristine', '2025-01-06', '2025-01-13'),
      given('dex', 'dexamethasone', '2025-01-06', '2025-01-17'),
      given('mtx', 'methotrexate', '2025-02-03', '2025-02-03'),
      given('arac', 'cytarabine', '2025-02-04', '2025-02-05'),
      given('pred', 'prednisone', '2025-09-01', '2025-09-05'),
    ];
    const blin = draftOrder('blin', code(RXNORM, '1597262'), { authoredOn: '2026-11-20' });
    const f = buildFacts(emptyChart({ medicationRequests: history, draftOrders: [blin] }), blin, catalog, '2026-11-20');
    expect(f.therapy.priorRegimens.value).toEqual(['mini-hyper-cvd']);
    expect(f.therapy.priorRegimens.evidence).toHaveLength(1);
  });

  it('pertuzumab added to a running TH at cycle 3 makes the line THP; ado-trastuzumab emtansine after progression is its own line, no TH', () => {
    const history = [
      given('t', 'paclitaxel', '2025-01-07', '2025-06-24'),
      given('h', 'trastuzumab', '2025-01-07', '2025-12-30'),
      given('p', 'pertuzumab', '2025-03-04', '2025-12-30'),
      medicationRequest('tdm1', '1371041', '2026-02-10', { dispenseRequest: { validityPeriod: { start: '2026-02-10', end: '2026-10-27' } } }),
    ];
    const ixa = draftOrder('ixa', code(RXNORM, '1726276'), { authoredOn: '2026-11-20' });
    const chart = emptyChart({ medicationRequests: history, observations: [progression('pd', '2026-01-20')], draftOrders: [ixa] });
    const f = buildFacts(chart, ixa, catalog, '2026-11-20');
    expect(f.therapy.priorRegimens.value).toEqual(['thp']);
    expect(f.therapy.priorRegimens.evidence.map((e) => e.text)).toEqual([
      'Line 1 2025-01-07 to 2025-12-30: THP (paclitaxel, trastuzumab, pertuzumab)',
      'Line 2 2026-02-10 to 2026-10-27: ado-trastuzumab emtansine: no catalog regimen',
    ]);
  });
});

describe('002 §5.d on the regimen facts: every substitution pair the policy writes', () => {
  const policy = loadPolicies('policies', knownIdsOf(catalog)).get('centene-ixazomib');
  const find = (r: CriterionResult, id: string): CriterionResult | undefined => (r.id === id ? r : (r.children ?? []).map((c) => find(c, id)).find((x) => x !== undefined));
  /** the status of a 5.d criterion for an ixazomib order with these partners after this induction (relapse 10 months after it) */
  function fiveD(induction: Array<keyof typeof RX>, partners: Array<keyof typeof RX>, id = 'ia-5d-same-regimen'): string | undefined {
    const history = induction.map((d, i) => given(`ind-${i}`, d, '2025-01-06', '2025-12-29'));
    const ixa = order('ixazomib');
    const drafts = [ixa, ...partners.map((d, i) => order(d, `partner-${i}`))];
    const chart = emptyChart({ medicationRequests: history, observations: [progression('pd', '2026-10-30')], draftOrders: drafts });
    const evaluation = evaluatePolicy(policy!, buildFacts(chart, ixa, catalog, '2026-11-20'));
    const mm = evaluation.indications.find((i) => i.id === 'ia-mm');
    return mm === undefined ? undefined : find(mm.criteria, id)?.status;
  }

  it('IRd after KRd, ICd after VCd or KCd, IRd after an IRd induction: the same regimen', () => {
    expect(policy).toBeDefined();
    expect(fiveD(['carfilzomib', 'lenalidomide', 'dexamethasone'], ['lenalidomide', 'dexamethasone'])).toBe('met');
    expect(fiveD(['bortezomib', 'cyclophosphamide', 'dexamethasone'], ['cyclophosphamide', 'dexamethasone'])).toBe('met');
    expect(fiveD(['carfilzomib', 'cyclophosphamide', 'dexamethasone'], ['cyclophosphamide', 'dexamethasone'])).toBe('met');
    expect(fiveD(['ixazomib', 'lenalidomide', 'dexamethasone'], ['lenalidomide', 'dexamethasone'])).toBe('met');
    expect(fiveD(['carfilzomib', 'lenalidomide', 'dexamethasone'], ['lenalidomide', 'dexamethasone'], 'ia-5d-relapse-6-months')).toBe('met');
  });

  it('a crossed pair is not the same regimen: ICd after VRd, IRd after VCd, IRd after DRd', () => {
    expect(fiveD(['bortezomib', 'lenalidomide', 'dexamethasone'], ['cyclophosphamide', 'dexamethasone'])).toBe('not-met');
    expect(fiveD(['bortezomib', 'cyclophosphamide', 'dexamethasone'], ['lenalidomide', 'dexamethasone'])).toBe('not-met');
    expect(fiveD(['daratumumab', 'lenalidomide', 'dexamethasone'], ['lenalidomide', 'dexamethasone'])).toBe('not-met');
  });

  it('primary treatment: no prior line, no relapse, and IRd or ICd; a progression on file or another regimen rules it out', () => {
    const primary = (partners: Array<keyof typeof RX>, observations: Observation[] = []): string | undefined => {
      const ixa = order('ixazomib');
      const chart = emptyChart({ observations, draftOrders: [ixa, ...partners.map((d, i) => order(d, `partner-${i}`))] });
      const mm = evaluatePolicy(policy!, buildFacts(chart, ixa, catalog, '2026-11-20')).indications.find((i) => i.id === 'ia-mm');
      return mm === undefined ? undefined : find(mm.criteria, 'ia-5d-primary')?.status;
    };
    expect(primary(['lenalidomide', 'dexamethasone'])).toBe('met');
    expect(primary(['cyclophosphamide', 'dexamethasone'])).toBe('met');
    expect(primary(['pomalidomide', 'dexamethasone'])).toBe('not-met');
    expect(primary(['lenalidomide', 'dexamethasone'], [progression('pd-0', '2026-10-01')])).toBe('not-met');
  });

  it('an induction of bortezomib + lenalidomide whose dexamethasone is not in the chart leaves it not documented, not not met', () => {
    expect(fiveD(['bortezomib', 'lenalidomide'], ['lenalidomide', 'dexamethasone'])).toBe('not-documented');
    // and ixazomib + lenalidomide without dexamethasone on the order likewise
    expect(fiveD(['bortezomib', 'lenalidomide', 'dexamethasone'], ['lenalidomide'])).toBe('not-documented');
  });
});
