/**
 * FHIR JSON type check for the resources a hook call carries (prefetch values and context.draftOrders), against
 * the FHIR R4 element table in schemas/fhir-r4-element-types.json (generated from the StructureDefinitions by
 * `npm run fhir:types`): every known element must have its JSON kind — a string where FHIR has a string, code,
 * uri or date; a number for decimal and integer types; a boolean; an object for a complex type; an array exactly
 * when the element repeats — every required element must be there, and no value may be null (FHIR JSON has none, except inside a repeating primitive
 * whose `_name` sibling carries the extensions). Unknown elements and resource types the service does not read
 * are left alone. A violation becomes a 400 naming the element, instead of reaching code that trusts the shapes.
 */
import { readFileSync } from 'node:fs';
import type { HookRequest } from './types.js';

interface ElementType {
  /** type codes: FHIR primitive or complex type, `BackboneElement`/`Element`, `Resource`, or `#Path` (contentReference) */
  t: string[];
  /** 1 when the element repeats (a JSON array) */
  a?: 1;
  /** 1 when the element is required (min ≥ 1) */
  r?: 1;
}

const TABLE: Record<string, ElementType> = JSON.parse(
  readFileSync(new URL('../../schemas/fhir-r4-element-types.json', import.meta.url), 'utf8'),
) as Record<string, ElementType>;

/**
 * Required elements that real clients omit and that no code here reads: refusing them would fail a signing over
 * nothing. The CDS Hooks sandbox builds its draft MedicationRequest without `intent`.
 */
const OMITTED_BY_CLIENTS = new Set(['MedicationRequest.intent']);

/** parent path → names of its required children */
const REQUIRED = new Map<string, string[]>();
for (const [path, element] of Object.entries(TABLE)) {
  if (!element.r || OMITTED_BY_CLIENTS.has(path)) continue;
  const dot = path.lastIndexOf('.');
  const parent = path.slice(0, dot);
  REQUIRED.set(parent, [...(REQUIRED.get(parent) ?? []), path.slice(dot + 1)]);
}

const JSON_KIND: Record<string, 'string' | 'number' | 'boolean'> = {
  boolean: 'boolean',
  integer: 'number', positiveInt: 'number', unsignedInt: 'number', decimal: 'number', integer64: 'number',
  string: 'string', code: 'string', uri: 'string', url: 'string', canonical: 'string', id: 'string', oid: 'string',
  uuid: 'string', markdown: 'string', base64Binary: 'string', date: 'string', dateTime: 'string', instant: 'string',
  time: 'string', xhtml: 'string',
};

/** Profiles of Quantity whose elements are Quantity's. */
const ALIASES: Record<string, string> = {
  Age: 'Quantity', Count: 'Quantity', Distance: 'Quantity', Duration: 'Quantity', MoneyQuantity: 'Quantity',
  SimpleQuantity: 'Quantity',
};

class FhirShapeError extends Error {}

function describe(kind: string): string {
  return kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`;
}

function fail(where: string, expected: string, fhirType?: string): never {
  throw new FhirShapeError(`${where} must be ${describe(expected)}${fhirType ? ` (FHIR ${fhirType})` : ''}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A resource: checked against its type when the table knows it, else only required to be an object. */
function checkResource(value: unknown, where: string): void {
  if (!isObject(value)) fail(where, 'object', 'Resource');
  const type = value.resourceType;
  if (typeof type !== 'string') fail(`${where}.resourceType`, 'string');
  if (TABLE[`${type}.id`] === undefined) return;
  checkChildren(value, type, where);
}

function checkChildren(value: Record<string, unknown>, path: string, where: string): void {
  for (const name of REQUIRED.get(path) ?? []) {
    // a primitive may be present through its extension alone (`_name`)
    if (value[name] === undefined && value[`_${name}`] === undefined) {
      throw new FhirShapeError(`${where}.${name} is required (FHIR ${path}.${name})`);
    }
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === 'resourceType') continue;
    const at = `${where}.${key}`;
    if (key.startsWith('_')) {
      // primitive extensions: an object, or an array aligned with the values (nulls allowed there)
      if (!isObject(child) && !Array.isArray(child)) fail(at, 'object');
      continue;
    }
    const element = TABLE[`${path}.${key}`];
    if (!element) continue;
    if (element.a) {
      if (!Array.isArray(child)) fail(at, 'array');
      const primitive = element.t.some((t) => JSON_KIND[t] !== undefined);
      child.forEach((item, i) => {
        if (item === null && primitive && value[`_${key}`] !== undefined) return;
        checkValue(item, element, `${path}.${key}`, `${at}[${i}]`);
      });
    } else {
      checkValue(child, element, `${path}.${key}`, at);
    }
  }
}

function checkValue(value: unknown, element: ElementType, path: string, where: string): void {
  if (value === null) fail(where, element.t.length === 1 ? (JSON_KIND[element.t[0]!] ?? 'object') : 'value');
  if (Array.isArray(value)) fail(where, element.t.length === 1 ? (JSON_KIND[element.t[0]!] ?? 'object') : 'single value');
  const type = element.t[0];
  if (element.t.length !== 1 || type === undefined) return; // several types only for a few elements; leave them
  const kind = JSON_KIND[type];
  if (kind !== undefined) {
    if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) fail(where, kind, type);
    return;
  }
  if (type === 'Resource') { checkResource(value, where); return; }
  if (!isObject(value)) fail(where, 'object', type.startsWith('#') ? undefined : type);
  if (type === 'BackboneElement' || type === 'Element') checkChildren(value, path, where);
  else if (type.startsWith('#')) checkChildren(value, type.slice(1), where);
  else checkChildren(value, ALIASES[type] ?? type, where);
}

/** The first FHIR shape problem in the request's prefetch and draft orders, or undefined. */
export function inspectRequestFhir(request: HookRequest): string | undefined {
  try {
    checkResource(request.context.draftOrders, 'context.draftOrders');
    for (const [key, value] of Object.entries(request.prefetch ?? {})) {
      // CDS Hooks: a prefetch key may be null when the client could not fetch it
      if (value !== null) checkResource(value, `prefetch.${key}`);
    }
    return undefined;
  } catch (err) {
    if (err instanceof FhirShapeError) return err.message;
    throw err;
  }
}
