/**
 * ALL lineage from SNOMED CT concepts, immunophenotype results and condition text, in the catalog's order of
 * precedence; leukaemia state from SNOMED CT "in remission" concepts. Charts hold more than the one fact: other
 * diagnoses, other labs, older and newer results.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Condition, Observation } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { markersInText } from '../../src/facts/immunophenotype.js';
import { ICD10CM, LOINC, RXNORM, SNOMED, code, condition, draftOrder, observation } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const blin = draftOrder('blin', code(RXNORM, '1597262'));
const markers = catalog.diagnoses.lineage.immunophenotype.markers;

function all(id: string, icd: string, text: string, status: string, onset: string, more: Partial<Condition> = {}): Condition {
  return condition(id, { coding: [{ system: ICD10CM, code: icd }], text }, { clinicalStatus: code(CLINICAL, status), onsetDateTime: onset, ...more });
}
const C91_01 = all('dx-all', 'C91.01', 'Acute lymphoblastic leukemia, in remission', 'remission', '2026-02-10');
const HTN = condition('dx-htn', code(ICD10CM, 'I10'), { onsetDateTime: '2019-05-01' });
const ANC = observation('anc', '751-8', '2026-11-20', { valueQuantity: { value: 2.1, unit: '10*3/uL' } });

function panel(id: string, date: string, text: string): Observation {
  return observation(id, '101119-6', date, { valueString: text });
}
const POS = { valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA6576-8', display: 'Positive' }] } };
const NEG = { valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA6577-6', display: 'Negative' }] } };

function lineageOf(conditions: Condition[], observations: Observation[] = []) {
  return buildFacts(emptyChart({ conditions: [...conditions, HTN], observations: [ANC, ...observations] }), blin, catalog).disease.lineage;
}

describe('immunophenotype narrative', () => {
  it('reads each marker with the status written after it, else the nearest "positive for" / "negative for" in its clause', () => {
    const read = markersInText('Blasts positive for CD10, CD79a, TdT, CD19, and CD20; negative for cCD3 and CD7. CD34 positive.', markers);
    expect(read.map((r) => `${r.marker.marker} ${r.status}`)).toEqual(['CD79a positive', 'CD19 positive', 'cytoplasmic CD3 negative', 'CD7 negative']);
    const signs = markersInText('CD19+ cyCD79a+ CD22-positive, cyCD3- CD7 negative', markers);
    expect(signs.map((r) => `${r.marker.marker} ${r.status}`)).toEqual(['CD19 positive', 'CD79a positive', 'CD22 positive', 'cytoplasmic CD3 negative', 'CD7 negative']);
  });

  it('reads the forms flow reports use: "CD19: negative", "not expressed", dim / partial expression, a list ending in its status', () => {
    const read = (t: string) => markersInText(t, markers).map((r) => `${r.marker.marker} ${r.status}`);
    expect(read('CD19: negative. CD22 not expressed')).toEqual(['CD19 negative', 'CD22 negative']);
    expect(read('CD19 dim, CD22 partial, CD79a weak')).toEqual(['CD19 positive', 'CD22 positive', 'CD79a positive']);
    expect(read('CD19 and CD22 negative; cCD3 and CD7 positive')).toEqual(['CD19 negative', 'CD22 negative', 'cytoplasmic CD3 positive', 'CD7 positive']);
    // B-ALL with aberrant CD7: each marker keeps its own status
    expect(read('cCD3-negative, CD7 positive, CD19 positive')).toEqual(['cytoplasmic CD3 negative', 'CD7 positive', 'CD19 positive']);
  });

  it('a negative surface CD3 is not a cytoplasmic CD3 result; a positive one still is T-lineage evidence', () => {
    const read = (t: string) => markersInText(t, markers).map((r) => `${r.marker.marker} ${r.status}`);
    expect(read('TdT+, sCD3-, cyCD3+, CD19-')).toEqual(['cytoplasmic CD3 positive', 'CD19 negative']);
    expect(read('surface CD3 negative; CD19 positive')).toEqual(['CD19 positive']);
    expect(read('sCD3+')).toEqual(['cytoplasmic CD3 positive']);
  });

  it('does not read a marker it cannot place, nor CD34 as CD3', () => {
    expect(markersInText('Flow cytometry performed; CD19, CD3 and CD34 analysed', markers)).toEqual([]);
    expect(markersInText('not expressing CD3', markers).map((r) => r.status)).toEqual(['negative']);
  });
});

describe('ALL lineage', () => {
  it('B-cell precursor from the mCODE-style narrative panel (LOINC 101119-6), cited with the Observation', () => {
    const fact = lineageOf([C91_01], [panel('flow', '2026-02-08', 'positive for CD10, CD79a, TdT, CD19, and CD20')]);
    expect(fact).toMatchObject({ value: 'b-precursor', evidence: [{ reference: 'Observation/flow', supports: ['b-precursor'] }] });
    expect(fact.evidence[0]?.text).toContain('CD79a, CD19 positive');
  });

  it('T-lineage from cytoplasmic CD3 positive (blast-gated percentage at the EGIL 10% threshold) with CD19 and CD79a negative', () => {
    const fact = lineageOf(
      [C91_01],
      [
        observation('ccd3', '51137-8', '2026-02-08', { valueQuantity: { value: 62, unit: '%', code: '%' } }),
        observation('cd79a', '52993-3', '2026-02-08', NEG),
        panel('flow', '2026-02-08', 'CD19 negative, CD22 negative'),
      ],
    );
    expect(fact.value).toBe('t-cell');
    expect(fact.evidence.map((e) => e.reference).sort()).toEqual(['Observation/ccd3', 'Observation/cd79a', 'Observation/flow']);
    const low = lineageOf([C91_01], [observation('ccd3', '51137-8', '2026-02-08', { valueQuantity: { value: 4, unit: '%', code: '%' } })]);
    expect(low.value).toBeNull();
  });

  it('T-lineage from CD7 only when every B marker tested is negative; CD7 alone settles nothing', () => {
    const cd7 = observation('cd7', '35641-0', '2026-02-08', { interpretation: [code(INTERPRETATION, 'POS')] });
    expect(lineageOf([C91_01], [cd7, panel('flow', '2026-02-08', 'negative for CD19, CD79a and CD22')]).value).toBe('t-cell');
    expect(lineageOf([C91_01], [cd7]).value).toBeNull();
  });

  it('conflicting results (B and T markers both positive) leave lineage unknown and say why', () => {
    const fact = lineageOf([C91_01], [observation('ccd3', '51137-8', '2026-02-08', POS), panel('flow', '2026-02-08', 'CD19+, CD79a+, CD10+')]);
    expect(fact.value).toBeNull();
    expect(fact.unknownReason).toBe('Immunophenotype: B-lineage CD19, CD79a and T-lineage cytoplasmic CD3 both positive (mixed phenotype): lineage not settled');
    expect(fact.possibleValues).toEqual(['t-cell', 'b-precursor']);
    expect(fact.evidence.map((e) => e.reference).sort()).toEqual(['Observation/ccd3', 'Observation/flow']);
  });

  it('the newest statement per marker counts: a later CD19-negative relapse phenotype with CD22 positive stays B', () => {
    const fact = lineageOf([C91_01], [panel('dx-flow', '2026-02-08', 'positive for CD19, CD22'), panel('relapse-flow', '2026-11-02', 'CD19 negative; CD22 positive; cCD3 negative')]);
    expect(fact.value).toBe('b-precursor');
    expect(fact.evidence[0]?.text).toContain('CD22 positive; CD19, cytoplasmic CD3 negative');
  });

  it('ICD-O-3 morphology as registries write it: 9819/3 (ICD-O-3.2 BCR-ABL1-like) is B, 98373 and M9837/3 are T, 9835/3 names no lineage', () => {
    const morphology = (m: string) => lineageOf([condition('dx', { coding: [{ system: ICD10CM, code: 'C91.02' }, { system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: m }] })]).value;
    expect(['9811/3', '9819/3', '9728/3', '98363'].map(morphology)).toEqual(['b-precursor', 'b-precursor', 'b-precursor', 'b-precursor']);
    expect(['98373', 'M9837/3', '9729/3'].map(morphology)).toEqual(['t-cell', 't-cell', 't-cell']);
    expect(morphology('9835/3')).toBeNull();
  });

  it('B-cell precursor from a SNOMED CT concept (277571004 B-cell ALL, 277572006 precursor B-cell ALL)', () => {
    for (const concept of ['277571004', '277572006', '277573001']) {
      const coded = condition('dx-sct', { coding: [{ system: SNOMED, code: concept }] }, { clinicalStatus: code(CLINICAL, 'active'), onsetDateTime: '2026-02-10' });
      expect(lineageOf([coded])).toMatchObject({ value: 'b-precursor', evidence: [{ reference: 'Condition/dx-sct' }] });
    }
  });

  it('precedence: the coded concept outranks the immunophenotype, which outranks the text; the evidence names what it overruled', () => {
    const coded = condition('dx-sct', { coding: [{ system: SNOMED, code: '277571004' }, { system: ICD10CM, code: 'C91.01' }], text: 'T-ALL in remission' }, { clinicalStatus: code(CLINICAL, 'remission') });
    const tFlow = panel('flow', '2026-02-08', 'cCD3+, CD7+, CD19-, CD79a-');
    const byCode = lineageOf([coded], [tFlow]);
    expect(byCode.value).toBe('b-precursor');
    expect(byCode.evidence[0]?.text).toContain('the immunophenotype (Observation 2026-02-08) reads T-lineage ALL; the coded diagnosis outranks it');
    expect(byCode.evidence[0]?.text).toContain('the diagnosis text (Condition 2026-01-10) reads T-lineage ALL');

    const textB = all('dx-all', 'C91.02', 'B-ALL in relapse', 'relapse', '2026-10-01');
    const byPhenotype = lineageOf([textB], [tFlow]);
    expect(byPhenotype.value).toBe('t-cell');
    expect(byPhenotype.evidence[0]).toMatchObject({ reference: 'Observation/flow' });
    expect(byPhenotype.evidence[0]?.text).toContain('the diagnosis text (Condition 2026-10-01) reads B-cell precursor ALL; the immunophenotype outranks it');
  });

  it('a conflicting immunophenotype does not stop the diagnosis text from deciding, and is named beside it', () => {
    const fact = lineageOf([all('dx-all', 'C91.01', 'Pre-B ALL in first remission', 'remission', '2026-01-01')], [panel('flow', '2026-02-08', 'CD19+, cCD3+')]);
    expect(fact.value).toBe('b-precursor');
    expect(fact.evidence[0]?.text).toContain('mixed phenotype');
  });

  it('CD19 lymphocyte counts (LOINC 97597-9, CD19 cells/Lymphocytes) are not an immunophenotype of the leukaemia', () => {
    const subsets = observation('cd19-lymphocytes', '97597-9', '2026-11-01', { valueQuantity: { value: 12, unit: '%' }, interpretation: [code(INTERPRETATION, 'POS')] });
    expect(lineageOf([C91_01], [subsets]).value).toBeNull();
  });
});

describe('leukaemia state from SNOMED CT', () => {
  it('"acute lymphoid leukemia in remission" (91856007) coded without ICD-10-CM is remission', () => {
    const chart = emptyChart({
      conditions: [condition('dx', { coding: [{ system: SNOMED, code: '91856007', display: 'Acute lymphoid leukemia in remission' }] }, { clinicalStatus: code(CLINICAL, 'active'), onsetDateTime: '2026-06-01' }), HTN],
    });
    const state = buildFacts(chart, blin, catalog).disease.leukaemiaState;
    expect(state).toMatchObject({ value: 'remission', evidence: [{ reference: 'Condition/dx', supports: ['remission'] }] });
    expect(state.evidence[0]?.text).toContain('SNOMED CT 91856007');
  });

  it('the ICD-10-CM remission character outranks a SNOMED CT concept on the same diagnosis', () => {
    const chart = emptyChart({
      conditions: [condition('dx', { coding: [{ system: ICD10CM, code: 'C91.02' }, { system: SNOMED, code: '91856007' }] }, { onsetDateTime: '2026-06-01' })],
    });
    expect(buildFacts(chart, blin, catalog).disease.leukaemiaState.value).toBe('relapse');
  });
});

describe('catalog: lineage codes', () => {
  it('every immunophenotype code is fetched (observation-codes.json "immunophenotype") and every SNOMED concept has a source', () => {
    const fetched = new Set(catalog.observations.facts.immunophenotype.loinc ?? []);
    const imm = catalog.diagnoses.lineage.immunophenotype;
    for (const c of [...imm.panels, ...imm.markers.flatMap((m) => m.loinc.map((l) => l.code))]) expect(fetched.has(c), c).toBe(true);
    const lineageSources = (catalog.diagnoses.lineage as unknown as { snomedSources: Record<string, string> }).snomedSources;
    for (const v of catalog.diagnoses.lineage.values) for (const s of v.snomed) expect(lineageSources[s], s).toBeTruthy();
    const stateSources = (catalog.diagnoses.leukaemiaState as unknown as { snomedSources: Record<string, string> }).snomedSources;
    for (const s of Object.keys(catalog.diagnoses.leukaemiaState.snomed)) expect(stateSources[s], s).toBeTruthy();
    expect(catalog.diagnoses.lineage.precedence).toEqual(['coded', 'immunophenotype', 'text']);
  });

  it('a catalog whose lineage precedence or immunophenotype block is broken is refused at start-up, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    cpSync('catalog', dir, { recursive: true });
    const file = join(dir, 'diagnosis-codes.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { lineage: { precedence: string[]; immunophenotype?: unknown } };
    json.lineage.precedence = ['text', 'coded'];
    writeFileSync(file, JSON.stringify(json));
    expect(() => loadCatalog(dir)).toThrow(/lineage\.precedence/);
    json.lineage.precedence = ['coded', 'immunophenotype', 'text'];
    delete json.lineage.immunophenotype;
    writeFileSync(file, JSON.stringify(json));
    expect(() => loadCatalog(dir)).toThrow(/immunophenotype/);
    rmSync(dir, { recursive: true, force: true });
  });
});
