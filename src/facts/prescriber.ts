/** The prescriber's specialties (NUCC): the order's requester, else the hook's user. */
import type { MedicationRequest, Practitioner, PractitionerRole } from 'fhir/r4.js';
import { NUCC, sameSystem } from '../catalog/systems.js';
import type { Catalog } from '../catalog/types.js';
import type { GatheredChart } from '../gather/types.js';
import type { ClinicalFacts, Evidence } from './types.js';
import { evidence, known, notFound, unique } from './fact.js';
import { codings, referenceId, referenceType, relativeReference } from './fhir.js';

function nucc(concepts: Parameters<typeof codings>[0]): string[] {
  return codings(concepts).filter((c) => sameSystem(c.system, NUCC) && c.code !== undefined).map((c) => (c.code ?? '').trim());
}

function roleSpecialties(role: PractitionerRole): string[] {
  return nucc(role.specialty);
}

function practitionerSpecialties(practitioner: Practitioner): string[] {
  return nucc((practitioner.qualification ?? []).map((q) => q.code));
}

/** The catalog's specialty groups (oncology, hematology) the prescriber's NUCC codes belong to. */
function specialtyGroups(specialties: ClinicalFacts['prescriber']['specialties'], catalog: Catalog): ClinicalFacts['prescriber']['specialtyGroups'] {
  if (specialties.value === null) return specialties;
  const codes = specialties.value;
  const groups = catalog.specialtyGroups.filter((g) => g.nucc.some((code) => codes.includes(code)));
  const names = groups.map((g) => g.group);
  const cites = specialties.evidence.map((e) => ({
    ...e,
    supports: groups.filter((g) => e.supports?.some((code) => g.nucc.includes(code)) === true).map((g) => g.group),
  }));
  return known(names, cites);
}

export function prescriberFacts(order: MedicationRequest, chart: GatheredChart, catalog: Catalog): ClinicalFacts['prescriber'] {
  const reference = order.requester?.reference ?? (chart.userId !== '' ? chart.userId : undefined);
  if (reference === undefined) {
    const missing = notFound<string[]>(chart, 'practitionerRole', 'Prescriber');
    return { reference: null, specialties: missing, specialtyGroups: missing };
  }
  const type = referenceType(reference);
  const id = referenceId(reference);
  const roles = chart.practitionerRoles.filter((r) =>
    type === 'PractitionerRole' ? r.id === id : type === 'Practitioner' && referenceId(r.practitioner) === id,
  );
  const practitionerIds = type === 'Practitioner' ? [id] : roles.map((r) => referenceId(r.practitioner));
  const practitioners = chart.practitioners.filter((p) => practitionerIds.includes(p.id));
  const cites: Evidence[] = [];
  const codes: string[] = [];
  for (const role of roles) {
    const found = roleSpecialties(role);
    if (found.length > 0) cites.push(evidence(relativeReference(role), undefined, `Prescriber specialty ${found.join(', ')}`, found));
    codes.push(...found);
  }
  for (const practitioner of practitioners) {
    const found = practitionerSpecialties(practitioner);
    if (found.length > 0) cites.push(evidence(relativeReference(practitioner), undefined, `Prescriber qualification ${found.join(', ')}`, found));
    codes.push(...found);
  }
  const specialties: ClinicalFacts['prescriber']['specialties'] = codes.length > 0 ? known(unique(codes), cites) : notFound(chart, 'practitionerRole', "Prescriber's specialty");
  return { reference, specialties, specialtyGroups: specialtyGroups(specialties, catalog) };
}
