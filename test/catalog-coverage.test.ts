/**
 * Catalog coverage: every drug of the standard regimens of breast cancer, myeloma, ALL, AL amyloidosis and
 * Waldenström (test/fixtures/reference/standard-regimen-drugs.json, written from FDA labels and the policies'
 * regimens, not from the catalog) is recognised by catalog/drugs.json, by its RxNorm code and by its name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { identifyDrug, loadCatalog } from '../src/catalog/index.js';

interface ReferenceDrug {
  name: string;
  rxnorm: string | null;
  tty: 'IN' | 'PIN' | null;
  diseases: string[];
  source: string;
  codeCheck: string;
}

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const reference = (JSON.parse(readFileSync(new URL('./fixtures/reference/standard-regimen-drugs.json', import.meta.url), 'utf8')) as { drugs: ReferenceDrug[] }).drugs;
const catalog = loadCatalog();
const DISEASES = ['breast', 'myeloma', 'all', 'al-amyloidosis', 'waldenstrom'];

describe('the reference list itself', () => {
  it('covers each of the five diseases and names a public source for every drug', () => {
    for (const disease of DISEASES) expect(reference.filter((d) => d.diseases.includes(disease)).length, disease).toBeGreaterThanOrEqual(4);
    for (const d of reference) {
      expect(d.source.trim(), d.name).not.toBe('');
      expect(d.codeCheck.trim(), d.name).not.toBe('');
    }
    expect(new Set(reference.map((d) => d.name)).size).toBe(reference.length);
  });
});

describe.each(reference.map((d) => [d.name, d] as const))('%s', (_name, drug) => {
  it('is recognised by its name, in a display and in free text', () => {
    const byDisplay = identifyDrug({ coding: [{ system: RXNORM, code: '0', display: `${drug.name} 100 MG Injection` }] }, catalog);
    const byText = identifyDrug({ text: `${drug.name.toUpperCase()} per protocol` }, catalog);
    expect(byDisplay.drug).not.toBeNull();
    expect(byText.drug).toBe(byDisplay.drug);
    expect(catalog.drugs.get(byDisplay.drug ?? '')?.generic.toLowerCase()).toBe(drug.name.toLowerCase());
  });

  it(drug.rxnorm === null ? 'has no verified RxNorm code: the reference says so and the name is what recognises it' : `is recognised by its RxNorm ${drug.tty ?? ''} code ${drug.rxnorm}`, () => {
    if (drug.rxnorm === null) {
      expect(drug.codeCheck).toMatch(/recognised by name/);
      return;
    }
    const byCode = identifyDrug({ coding: [{ system: RXNORM, code: drug.rxnorm }] }, catalog);
    expect(byCode.matchedBy).toBe('code');
    expect(catalog.drugs.get(byCode.drug ?? '')?.generic.toLowerCase()).toBe(drug.name.toLowerCase());
  });
});

describe('antibody-drug conjugates are their own drugs, never the antibody', () => {
  it.each(['ado-trastuzumab emtansine', 'fam-trastuzumab deruxtecan', 'Kadcyla', 'Enhertu', 'sacituzumab govitecan'])('%s', (text) => {
    const found = identifyDrug({ text }, catalog).drug;
    expect(found).not.toBeNull();
    expect(found).not.toBe('trastuzumab');
  });
});
