/**
 * Laboratory facts: the latest result on or before the service date of each catalog lab (LOINC lists under
 * `facts`, units under `labUnits` in catalog/observation-codes.json), converted to the lab's unit. How recent it
 * must be is the policy's call (a leaf's `withinDays`), so the fact keeps the date in its evidence.
 */
import type { Catalog, LabKey } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Fact } from './types.js';
import { evidence, known, notFound, unknown } from './fact.js';
import { newestFirst, observationDate, observationsWithFactCode, relativeReference, usableObservation } from './fhir.js';

const LAB_NAMES: Readonly<Record<LabKey, string>> = {
  anc: 'ANC',
  platelets: 'Platelets',
  creatinineClearance: 'Creatinine clearance',
  bilirubin: 'Total bilirubin',
  qtc: 'QTc',
};

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function labFact(chart: GatheredChart, catalog: Catalog, serviceDate: string, key: LabKey): Fact<number> {
  const codes = catalog.observations.facts[key];
  const { unit, from } = catalog.observations.labUnits[key];
  const name = LAB_NAMES[key];
  const results = newestFirst(
    observationsWithFactCode(chart.observations, codes, catalog.observations.systems).filter((o) => {
      const date = observationDate(o);
      return usableObservation(o) && o.valueQuantity?.value !== undefined && date !== undefined && date <= serviceDate;
    }),
    observationDate,
  );
  const latest = results[0];
  if (latest === undefined) return notFound(chart, 'observations', name);
  const quantity = latest.valueQuantity!;
  const written = (quantity.code ?? quantity.unit ?? '').trim();
  const factor = from[written] ?? from[(quantity.unit ?? '').trim()];
  const date = observationDate(latest);
  const asWritten = `${quantity.value} ${quantity.unit ?? written}`.trim();
  if (factor === undefined) {
    return unknown(`${name} of ${date ?? 'unknown date'} is in a unit the catalog does not convert (${written || 'none'})`, [
      evidence(relativeReference(latest), date, `${name} ${asWritten}`),
    ]);
  }
  const value = round(quantity.value! * factor);
  const converted = written === unit ? '' : ` (${asWritten})`;
  return known(value, [evidence(relativeReference(latest), date, `${name} ${value} ${unit}${converted}`, [value])]);
}

export function labFacts(chart: GatheredChart, catalog: Catalog, serviceDate: string): ClinicalFacts['labs'] {
  return {
    anc: labFact(chart, catalog, serviceDate, 'anc'),
    platelets: labFact(chart, catalog, serviceDate, 'platelets'),
    creatinineClearance: labFact(chart, catalog, serviceDate, 'creatinineClearance'),
    bilirubin: labFact(chart, catalog, serviceDate, 'bilirubin'),
    qtc: labFact(chart, catalog, serviceDate, 'qtc'),
  };
}
