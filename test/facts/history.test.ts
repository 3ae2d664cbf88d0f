import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { CALENDAR_DAYS_PER_MONTH, CYCLE_DAYS_PER_MONTH, durationDays } from '../../src/facts/durations.js';
import { buildFacts } from '../../src/facts/index.js';
import { therapyEpisodes } from '../../src/facts/therapy.js';
import { RXNORM, code, draftOrder, medicationRequest } from '../fixtures/facts/builders.js';
import { emptyChart } from '../fixtures/facts/chart.js';

const catalog = loadCatalog();

describe('time units in one place', () => {
  it('a length in months is calendar months; a schedule month is a 28-day cycle', () => {
    expect(durationDays({ value: 6, code: 'mo' })).toBeCloseTo(182.625, 3);
    expect(durationDays({ value: 2, unit: 'weeks' })).toBe(14);
    expect(durationDays({ value: 3, code: 'parsecs' })).toBeUndefined();
    expect(CYCLE_DAYS_PER_MONTH).toBe(28);
    expect(CALENDAR_DAYS_PER_MONTH * 12).toBeCloseTo(365.25, 9);
    const monthly = draftOrder('ixa', code(RXNORM, '1723770'), { dosageInstruction: [{ timing: { repeat: { frequency: 3, period: 1, periodUnit: 'mo' } } }] });
    expect(buildFacts(emptyChart({ draftOrders: [monthly] }), monthly, catalog).order.schedule.value).toMatchObject({ administrations: 3, periodDays: 28 });
  });

  it('request length counts refills: a 28-day fill with 11 refills is 336 days, limited by the validity period', () => {
    const order = draftOrder('ixa', code(RXNORM, '1723770'), { dispenseRequest: { expectedSupplyDuration: { value: 28, code: 'd' }, numberOfRepeatsAllowed: 11 } });
    const facts = buildFacts(emptyChart({ draftOrders: [order] }), order, catalog);
    expect(facts.order.requestedDurationDays.value).toBe(336);
    expect(facts.order.requestedDurationDays.evidence[0]?.text).toContain('28 days × 12 fills (11 refills) = 336 days');
    const limited = draftOrder('ixa2', code(RXNORM, '1723770'), {
      dispenseRequest: { expectedSupplyDuration: { value: 28, code: 'd' }, numberOfRepeatsAllowed: 11, validityPeriod: { start: '2026-12-01', end: '2027-05-31' } },
    });
    expect(buildFacts(emptyChart({ draftOrders: [limited] }), limited, catalog).order.requestedDurationDays.value).toBe(182);
    const sixMonths = draftOrder('ixa3', code(RXNORM, '1723770'), { dispenseRequest: { expectedSupplyDuration: { value: 6, code: 'mo' } } });
    expect(buildFacts(emptyChart({ draftOrders: [sixMonths] }), sixMonths, catalog).order.requestedDurationDays.value).toBe(183);
  });

  it('a past order with refills ran for every fill: 28 days × 3 fills from 2026-06-01 ends 2026-08-23', () => {
    const len = medicationRequest('len', '602910', '2026-06-01', { dispenseRequest: { expectedSupplyDuration: { value: 28, code: 'd' }, numberOfRepeatsAllowed: 2 } });
    const [episode] = therapyEpisodes(emptyChart({ medicationRequests: [len] }), catalog, '2026-12-01');
    expect(episode).toMatchObject({ drug: 'lenalidomide', start: '2026-06-01', end: '2026-08-23' });
  });
});

describe('refractory to a drug (IMWG: progression on it or within 60 days of its last dose)', () => {
  const status = (id: string, date: string) => ({
    resourceType: 'Observation' as const, id, status: 'final' as const, subject: { reference: 'Patient/p1' }, effectiveDateTime: date,
    code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '271299001' }] },
  });
  const len = medicationRequest('len', '602910', '2024-01-08', { dispenseRequest: { validityPeriod: { start: '2024-01-08', end: '2024-12-31' } } });
  const dara = medicationRequest('dara', '1721951', '2025-03-03', { dispenseRequest: { validityPeriod: { start: '2025-03-03', end: '2026-10-05' } } });
  const ixa = draftOrder('ixa', code(RXNORM, '1723770'));

  it('ties a progression to the drugs running then, or stopped at most 60 days before', () => {
    const facts = buildFacts(emptyChart({ medicationRequests: [len, dara], observations: [status('prog', '2026-11-20')] }), ixa, catalog);
    expect(facts.therapy.refractoryTo.value).toEqual(['daratumumab', 'anti-cd38']);
    expect(facts.therapy.refractoryTo.evidence.map((e) => e.reference)).toEqual(['MedicationRequest/dara', 'Observation/prog']);
  });

  it('61 days after the last dose is no longer refractory; progression during lenalidomide is', () => {
    expect(buildFacts(emptyChart({ medicationRequests: [dara], observations: [status('late', '2026-12-05')] }), { ...ixa, authoredOn: '2026-12-10' }, catalog).therapy.refractoryTo.value).toEqual([]);
    expect(buildFacts(emptyChart({ medicationRequests: [len, dara], observations: [status('p', '2024-06-01')] }), ixa, catalog).therapy.refractoryTo.value).toEqual(['lenalidomide', 'immunomodulatory']);
  });

  it('no disease status at all: unknown, not "not refractory"', () => {
    expect(buildFacts(emptyChart({ medicationRequests: [len] }), ixa, catalog).therapy.refractoryTo.value).toBeNull();
  });
});
