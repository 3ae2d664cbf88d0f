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

/** path → child name → element: the table by parent, so the walk looks children up without building keys. */
const ELEMENTS = new Map<string, Map<string, ElementType>>();
for (const [path, element] of Object.entries(TABLE)) {
  const dot = path.lastIndexOf('.');
  if (dot < 0) continue;
  const parent = path.slice(0, dot);
  let children = ELEMENTS.get(parent);
  if (children === undefined) {
    children = new Map();
    ELEMENTS.set(parent, children);
  }
  children.set(path.slice(dot + 1), element);
}

/**
 * Where the walk is: a base ("prefetch.observations") and the keys and indexes below it. Every element of every
 * prefetched resource is visited, so the location is kept as a stack and spelled out only for an error message.
 */
class Trail {
  private readonly parts: Array<string | number> = [];
  constructor(private readonly base: string) {}
  push(part: string | number): void {
    this.parts.push(part);
  }
  pop(): void {
    this.parts.pop();
  }
  toString(): string {
    let out = this.base;
    for (const part of this.parts) out += typeof part === 'number' ? `[${part}]` : `.${part}`;
    return out;
  }
}

/** A resource: checked against its type when the table knows it, else only required to be an object. */
function checkResource(value: unknown, trail: Trail): void {
  if (!isObject(value)) fail(trail.toString(), 'object', 'Resource');
  const type = value.resourceType;
  if (typeof type !== 'string') fail(`${trail.toString()}.resourceType`, 'string');
  if (TABLE[`${type}.id`] === undefined) return;
  checkChildren(value, type, trail);
}

function checkChildren(value: Record<string, unknown>, path: string, trail: Trail): void {
  for (const name of REQUIRED.get(path) ?? []) {
    // a primitive may be present through its extension alone (`_name`)
    if (value[name] === undefined && value[`_${name}`] === undefined) {
      throw new FhirShapeError(`${trail.toString()}.${name} is required (FHIR ${path}.${name})`);
    }
  }
  const children = ELEMENTS.get(path);
  for (const key in value) {
    if (!Object.hasOwn(value, key) || key === 'resourceType') continue;
    const child = value[key];
    if (key.startsWith('_')) {
      // primitive extensions: an object, or an array aligned with the values (nulls allowed there)
      if (!isObject(child) && !Array.isArray(child)) {
        trail.push(key);
        fail(trail.toString(), 'object');
      }
      continue;
    }
    const element = children?.get(key);
    if (!element) continue;
    trail.push(key);
    if (element.a) {
      if (!Array.isArray(child)) fail(trail.toString(), 'array');
      const primitive = element.t.some((t) => JSON_KIND[t] !== undefined);
      const items = child as unknown[];
      for (let i = 0; i < items.length; i += 1) {
        const item = items[i];
        if (item === null && primitive && value[`_${key}`] !== undefined) continue;
        trail.push(i);
        checkValue(item, element, path, key, trail);
        trail.pop();
      }
    } else {
      checkValue(child, element, path, key, trail);
    }
    trail.pop();
  }
}

/** `path`.`key` is the element's FHIR path (built only when its children are checked against it). */
function checkValue(value: unknown, element: ElementType, path: string, key: string, trail: Trail): void {
  if (value === null) fail(trail.toString(), element.t.length === 1 ? (JSON_KIND[element.t[0]!] ?? 'object') : 'value');
  if (Array.isArray(value)) fail(trail.toString(), element.t.length === 1 ? (JSON_KIND[element.t[0]!] ?? 'object') : 'single value');
  const type = element.t[0];
  if (element.t.length !== 1 || type === undefined) return; // several types only for a few elements; leave them
  const kind = JSON_KIND[type];
  if (kind !== undefined) {
    if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) fail(trail.toString(), kind, type);
    return;
  }
  if (type === 'Resource') { checkResource(value, trail); return; }
  if (!isObject(value)) fail(trail.toString(), 'object', type.startsWith('#') ? undefined : type);
  if (type === 'BackboneElement' || type === 'Element') checkChildren(value, `${path}.${key}`, trail);
  else if (type.startsWith('#')) checkChildren(value, type.slice(1), trail);
  else checkChildren(value, ALIASES[type] ?? type, trail);
}

/** The first FHIR shape problem in the request's prefetch and draft orders, or undefined. */
export function inspectRequestFhir(request: HookRequest): string | undefined {
  try {
    checkResource(request.context.draftOrders, new Trail('context.draftOrders'));
    for (const [key, value] of Object.entries(request.prefetch ?? {})) {
      // CDS Hooks: a prefetch key may be null when the client could not fetch it
      if (value !== null) checkResource(value, new Trail(`prefetch.${key}`));
    }
    return undefined;
  } catch (err) {
    if (err instanceof FhirShapeError) return err.message;
    throw err;
  }
}
