import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { hasFactCode, observationsWithFactCode } from '../../src/facts/fhir.js';

const catalog = loadCatalog();
const { systems, facts } = catalog.observations;

let n = 0;
const obs = (...codings: Array<{ system?: string; code?: string }>): Observation => ({
  resourceType: 'Observation',
  id: `o${(n += 1)}`,
  status: 'final',
  code: { coding: codings },
});

describe('observationsWithFactCode (the per-chart code index)', () => {
  const weight = facts.bodyWeight.loinc?.[0] ?? '';
  const er = facts.er.loinc?.[0] ?? '';
  const chart: Observation[] = [
    obs({ system: 'http://loinc.org', code: weight }),
    obs({ system: 'https://LOINC.org/', code: ` ${weight} ` }),
    obs({ system: 'http://loinc.org', code: er }),
    obs({ system: 'http://snomed.info/sct', code: weight }),
    obs({ system: 'http://loinc.org', code: weight }, { system: 'http://loinc.org', code: er }),
    obs({ system: 'http://loinc.org' }),
    obs(),
  ];

  it('selects exactly what scanning with hasFactCode selects, in chart order, for every fact', () => {
    for (const list of Object.values(facts)) {
      expect(observationsWithFactCode(chart, list, systems)).toEqual(chart.filter((o) => hasFactCode(o.code, list, systems)));
    }
    expect(observationsWithFactCode(chart, facts.bodyWeight, systems).map((o) => o.id)).toEqual([chart[0]?.id, chart[1]?.id, chart[4]?.id]);
  });

  it('re-indexes a list that grew', () => {
    const list = [...chart];
    expect(observationsWithFactCode(list, facts.er, systems)).toHaveLength(2);
    list.push(obs({ system: 'http://loinc.org', code: er }));
    expect(observationsWithFactCode(list, facts.er, systems)).toHaveLength(3);
  });
});
