/** Tumour and germline markers: HER2, ER, PR, hormone receptor, gBRCA, PD-L1 CPS, Philadelphia chromosome, t(11;14). */
import type { CodeableConcept, Condition, Observation, ObservationComponent } from 'fhir/r4.js';
import type { Catalog, CodeList, SnomedList } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence, Fact, Positivity } from './types.js';
import { evidence, known, notFound } from './fact.js';
import { conditionDate, currentConditions, snomedCodes } from './diagnoses.js';
import { conceptTexts, hasFactCode, newestFirst, observationDate, observationsWithFactCode, relativeReference, usableObservation, valueIs } from './fhir.js';
import { normaliseText, phraseNeedle } from '../catalog/text.js';

interface Finding<T> {
  value: T;
  cite: Evidence;
}

interface ValueCarrier {
  valueCodeableConcept?: CodeableConcept | undefined;
  valueString?: string | undefined;
}

function valueOf(carrier: ValueCarrier): { concept?: CodeableConcept; text?: string } {
  return {
    ...(carrier.valueCodeableConcept !== undefined ? { concept: carrier.valueCodeableConcept } : {}),
    ...(carrier.valueString !== undefined ? { text: carrier.valueString } : {}),
  };
}

/** Negative answers are tested first so that "not detected" is never read as "detected". */
export function positivityOf(carrier: ValueCarrier, catalog: Catalog): Positivity | null {
  const value = valueOf(carrier);
  const codes = catalog.observations;
  if (valueIs(value, 'notDetected', codes) || valueIs(value, 'negative', codes)) return 'negative';
  if (valueIs(value, 'equivocal', codes)) return 'equivocal';
  if (valueIs(value, 'detected', codes) || valueIs(value, 'positive', codes)) return 'positive';
  return null;
}

function observationsFor(chart: GatheredChart, list: CodeList, catalog: Catalog): Observation[] {
  const matching = observationsWithFactCode(chart.observations, list, catalog.observations.systems).filter(usableObservation);
  return newestFirst(matching, observationDate);
}

/** Newest observation of the list whose value classifies. */
function latestFinding<T>(chart: GatheredChart, list: CodeList, catalog: Catalog, classify: (o: Observation) => T | null, label: (v: T) => string): Finding<T> | undefined {
  for (const observation of observationsFor(chart, list, catalog)) {
    const value = classify(observation);
    if (value !== null) {
      return { value, cite: evidence(relativeReference(observation), observationDate(observation), label(value), [String(value)]) };
    }
  }
  return undefined;
}

function conditionFinding<T>(chart: GatheredChart, catalog: Catalog, sets: Array<{ list: SnomedList; value: T }>, label: (v: T) => string): Finding<T> | undefined {
  const conditions = newestFirst(currentConditions(chart), conditionDate);
  for (const condition of conditions) {
    const snomed = snomedCodes(condition.code, catalog);
    const set = sets.find((s) => s.list.snomed.some((code) => snomed.includes(code)));
    if (set !== undefined) return { value: set.value, cite: conditionCite(condition, label(set.value), set.value) };
  }
  return undefined;
}

function conditionCite<T>(condition: Condition, text: string, value: T): Evidence {
  return evidence(relativeReference(condition), conditionDate(condition), text, [String(value)]);
}

function toFact<T>(finding: Finding<T> | undefined, chart: GatheredChart, what: string, extra: Evidence[] = []): Fact<T> {
  return finding === undefined ? notFound(chart, 'observations', what) : known(finding.value, [finding.cite, ...extra]);
}

// ---------------------------------------------------------------- HER2

/** IHC score 0–3 from "2+", "IHC 2+", "Score 3+" or a number. */
export function ihcScore(observation: Observation): number | null {
  const numeric = observation.valueQuantity?.value ?? observation.valueInteger;
  if (numeric !== undefined && numeric >= 0 && numeric <= 3) return Math.floor(numeric);
  const texts = [...conceptTexts(observation.valueCodeableConcept), observation.valueString ?? ''];
  for (const text of texts) {
    const match = /(?:^|[^0-9])([0-3])\s*\+/.exec(text);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return null;
}

/** ASCO/CAP: IHC 3+ positive, 0/1+ negative, 2+ equivocal (ISH decides). */
function ihcPositivity(observation: Observation, catalog: Catalog): Positivity | null {
  const score = ihcScore(observation);
  if (score === 3) return 'positive';
  if (score === 2) return 'equivocal';
  if (score !== null) return 'negative';
  return positivityOf(observation, catalog);
}

function her2Fact(chart: GatheredChart, catalog: Catalog): Fact<Positivity> {
  const facts = catalog.observations.facts;
  const label = (method: string) => (v: Positivity) => `HER2 ${v} (${method})`;
  const interpretation = latestFinding(chart, facts.her2Interpretation, catalog, (o) => positivityOf(o, catalog), label('interpretation'));
  const ihc = latestFinding(chart, facts.her2Ihc, catalog, (o) => ihcPositivity(o, catalog), label('IHC'));
  const ish = latestFinding(chart, facts.her2Ish, catalog, (o) => positivityOf(o, catalog), label('ISH'));
  const decisive = (f: Finding<Positivity> | undefined) => f !== undefined && f.value !== 'equivocal';
  if (ihc !== undefined && ihc.value !== 'equivocal') return known(ihc.value, [ihc.cite]);
  if (decisive(ish) && ish !== undefined) return known(ish.value, [ish.cite, ...(ihc !== undefined ? [ihc.cite] : [])]);
  if (decisive(interpretation) && interpretation !== undefined) return known(interpretation.value, [interpretation.cite]);
  const asCondition = conditionFinding(
    chart,
    catalog,
    [
      { list: catalog.diagnoses.her2Positive, value: 'positive' as Positivity },
      { list: catalog.diagnoses.her2Negative, value: 'negative' as Positivity },
    ],
    label('diagnosis'),
  );
  if (asCondition !== undefined) return known(asCondition.value, [asCondition.cite]);
  const equivocal = ihc ?? ish ?? interpretation;
  return toFact(equivocal, chart, 'HER2 status');
}

// ---------------------------------------------------------------- ER / PR / HR

function receptorFact(chart: GatheredChart, catalog: Catalog, name: 'ER' | 'PR'): Fact<Positivity> {
  const list = name === 'ER' ? catalog.observations.facts.er : catalog.observations.facts.pr;
  const label = (v: Positivity) => `${name} ${v}`;
  const observed = latestFinding(chart, list, catalog, (o) => positivityOf(o, catalog), label);
  if (observed !== undefined) return known(observed.value, [observed.cite]);
  const d = catalog.diagnoses;
  const sets =
    name === 'ER'
      ? [{ list: d.erPositive, value: 'positive' as Positivity }, { list: d.erNegative, value: 'negative' as Positivity }]
      : [{ list: d.prPositive, value: 'positive' as Positivity }, { list: d.prNegative, value: 'negative' as Positivity }];
  return toFact(conditionFinding(chart, catalog, sets, label), chart, `${name} status`);
}

/** HR-positive when ER+ or PR+; negative only when both are negative; otherwise unknown. */
export function hormoneReceptor(er: Fact<Positivity>, pr: Fact<Positivity>): Fact<Positivity> {
  if (er.value === 'positive' || pr.value === 'positive') {
    return known('positive', [...(er.value === 'positive' ? er.evidence : []), ...(pr.value === 'positive' ? pr.evidence : [])]);
  }
  if (er.value === 'negative' && pr.value === 'negative') return known('negative', [...er.evidence, ...pr.evidence]);
  if (er.value === 'equivocal' || pr.value === 'equivocal') return known('equivocal', [...er.evidence, ...pr.evidence]);
  return { value: null, evidence: [...er.evidence, ...pr.evidence], unknownReason: 'ER and PR status not both documented' };
}

// ---------------------------------------------------------------- gBRCA

function componentValue(components: ObservationComponent[] | undefined, list: CodeList, catalog: Catalog): ObservationComponent | undefined {
  return (components ?? []).find((c) => hasFactCode(c.code, list, catalog.observations.systems));
}

/** Genetic variant assessment (69548-6) for BRCA1/2 from a germline source: present / absent. */
function variantAssessment(observation: Observation, catalog: Catalog): { gene: 'brca1' | 'brca2'; value: 'present' | 'absent' } | null {
  const codes = catalog.observations;
  const gene = componentValue(observation.component, codes.facts.geneStudied, catalog);
  const source = componentValue(observation.component, codes.facts.genomicSourceClass, catalog);
  const geneValue = gene === undefined ? {} : valueOf(gene);
  const brca = gene === undefined ? undefined : valueIs(geneValue, 'brca1', codes) ? 'brca1' : valueIs(geneValue, 'brca2', codes) ? 'brca2' : undefined;
  const isGermline = source !== undefined && valueIs(valueOf(source), 'germline', codes);
  if (brca === undefined || !isGermline) return null;
  const own = componentValue(observation.component, codes.facts.geneticVariantAssessment, catalog);
  const value = observation.valueCodeableConcept !== undefined || observation.valueString !== undefined ? valueOf(observation) : own !== undefined ? valueOf(own) : {};
  if (valueIs(value, 'variantAbsent', codes)) return { gene: brca, value: 'absent' };
  if (valueIs(value, 'variantPresent', codes)) return { gene: brca, value: 'present' };
  return null;
}

/** The latest assessment of each gene: BRCA1 absent and BRCA2 present on one day are two results, not one. */
function latestAssessmentPerGene(chart: GatheredChart, catalog: Catalog, label: (v: 'present' | 'absent') => string): Array<Finding<'present' | 'absent'>> {
  const byGene = new Map<string, Finding<'present' | 'absent'>>();
  for (const observation of observationsFor(chart, catalog.observations.facts.geneticVariantAssessment, catalog)) {
    const assessed = variantAssessment(observation, catalog);
    if (assessed === null || byGene.has(assessed.gene)) continue;
    byGene.set(assessed.gene, {
      value: assessed.value,
      cite: evidence(relativeReference(observation), observationDate(observation), label(assessed.value), [assessed.value]),
    });
  }
  return [...byGene.values()];
}

function germlineBrcaFact(chart: GatheredChart, catalog: Catalog): Fact<'present' | 'absent'> {
  const label = (v: 'present' | 'absent') => `Germline BRCA1/2 variant ${v}`;
  const fromPositivity = (o: Observation): 'present' | 'absent' | null => {
    const p = positivityOf(o, catalog);
    return p === 'positive' ? 'present' : p === 'negative' ? 'absent' : null;
  };
  const assessed = latestAssessmentPerGene(chart, catalog, label);
  const tested = latestFinding(chart, catalog.observations.facts.brcaTest, catalog, fromPositivity, label);
  const byCondition = conditionFinding(
    chart,
    catalog,
    [
      { list: catalog.diagnoses.gbrcaPresent, value: 'present' as const },
      { list: catalog.diagnoses.gbrcaAbsent, value: 'absent' as const },
    ],
    label,
  );
  const findings = [...assessed, tested, byCondition].filter((f): f is Finding<'present' | 'absent'> => f !== undefined);
  // a pathogenic variant found anywhere outweighs a negative panel elsewhere
  const present = findings.find((f) => f.value === 'present');
  if (present !== undefined) return known('present', [present.cite]);
  const first = findings[0];
  return first !== undefined ? known('absent', findings.map((f) => f.cite)) : notFound(chart, 'observations', 'Germline BRCA status');
}

// ---------------------------------------------------------------- PD-L1, Ph, t(11;14)

function mentions(texts: string[], words: string[]): boolean {
  const normalised = texts.map((t) => normaliseText(t));
  return words.some((w) => normalised.some((t) => t.includes(phraseNeedle(w))));
}

/** Project convention: LOINC 85147-7 valueQuantity is the CPS; a component coded 85147-7 with text "CPS" also is. */
function cpsOf(observation: Observation, catalog: Catalog): number | null {
  const { pdl1, facts } = catalog.observations;
  const cpsComponent = (observation.component ?? []).find(
    (c) => hasFactCode(c.code, facts.pdl1, catalog.observations.systems) && mentions(conceptTexts(c.code), pdl1.cpsTexts),
  );
  if (cpsComponent?.valueQuantity?.value !== undefined) return cpsComponent.valueQuantity.value;
  // a tumour proportion score is a different number on the same LOINC: never read it as CPS
  if (mentions([...conceptTexts(observation.code), observation.valueQuantity?.unit ?? ''], pdl1.tpsTexts)) return null;
  return observation.valueQuantity?.value ?? null;
}

function pdl1Fact(chart: GatheredChart, catalog: Catalog): Fact<number> {
  const found = latestFinding(chart, catalog.observations.facts.pdl1, catalog, (o) => cpsOf(o, catalog), (v) => `PD-L1 CPS ${v}`);
  return toFact(found, chart, 'PD-L1 combined positive score');
}

function markerFact(chart: GatheredChart, catalog: Catalog, list: CodeList, name: string): Fact<Positivity> {
  const found = latestFinding(chart, list, catalog, (o) => positivityOf(o, catalog), (v) => `${name} ${v}`);
  return toFact(found, chart, `${name} status`);
}

export function biomarkerFacts(chart: GatheredChart, catalog: Catalog): ClinicalFacts['biomarkers'] {
  const facts = catalog.observations.facts;
  const er = receptorFact(chart, catalog, 'ER');
  const pr = receptorFact(chart, catalog, 'PR');
  return {
    her2: her2Fact(chart, catalog),
    er,
    pr,
    hormoneReceptor: hormoneReceptor(er, pr),
    germlineBrca: germlineBrcaFact(chart, catalog),
    pdl1Cps: pdl1Fact(chart, catalog),
    philadelphiaChromosome: withPossibleValues(markerFact(chart, catalog, facts.philadelphiaChromosome, 'Philadelphia chromosome'), ['positive', 'negative']),
    t11_14: markerFact(chart, catalog, facts.t11_14, 't(11;14)'),
  };
}

/** An unknown binary marker is still one of a known set: the engine may check whether either value changes the answer. */
function withPossibleValues(fact: Fact<Positivity>, values: Positivity[]): Fact<Positivity> {
  return fact.value === null ? { ...fact, possibleValues: values } : fact;
}
