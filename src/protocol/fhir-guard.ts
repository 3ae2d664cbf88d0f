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
import type { FhirResource } from 'fhir/r4.js';
import type { HookRequest } from './types.js';
import { isJsonObject } from '../json.js';

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

/**
 * An element as the walk needs it, worked out once at start-up: every element of every prefetched resource is
 * visited, so nothing is derived from the table per value.
 */
interface Element {
  /** FHIR type codes, for messages */
  types: string[];
  repeats: boolean;
  /** the JSON kind of a primitive with a single type */
  kind?: 'string' | 'number' | 'boolean';
  /** a repeating primitive: null items are allowed when the `_name` sibling carries their extensions */
  primitive: boolean;
  /** a contained resource (checked against its own type) */
  resource: boolean;
  /** the path whose children a complex single-typed value is checked against */
  childPath?: string;
}

function describeElement(parent: string, name: string, element: ElementType): Element {
  const type = element.t.length === 1 ? element.t[0] : undefined;
  const kind = type !== undefined ? JSON_KIND[type] : undefined;
  let childPath: string | undefined;
  if (type !== undefined && kind === undefined && type !== 'Resource') {
    if (type === 'BackboneElement' || type === 'Element') childPath = `${parent}.${name}`;
    else if (type.startsWith('#')) childPath = type.slice(1);
    else childPath = ALIASES[type] ?? type;
  }
  return {
    types: element.t,
    repeats: element.a === 1,
    ...(kind !== undefined && { kind }),
    primitive: element.t.some((t) => JSON_KIND[t] !== undefined),
    resource: type === 'Resource',
    ...(childPath !== undefined && { childPath }),
  };
}

/** path → child name → element: the table by parent, so the walk looks children up without building keys. */
const ELEMENTS = new Map<string, Map<string, Element>>();
for (const [path, element] of Object.entries(TABLE)) {
  const dot = path.lastIndexOf('.');
  if (dot < 0) continue;
  const parent = path.slice(0, dot);
  let children = ELEMENTS.get(parent);
  if (children === undefined) {
    children = new Map();
    ELEMENTS.set(parent, children);
  }
  children.set(path.slice(dot + 1), describeElement(parent, path.slice(dot + 1), element));
}

const NONE_REQUIRED: readonly string[] = [];

/** The resource types the table knows (those with an `id` element). */
const RESOURCE_TYPES: ReadonlySet<string> = new Set([...ELEMENTS.keys()].filter((path) => TABLE[`${path}.id`] !== undefined && !path.includes('.')));

/**
 * Where the walk is: a base ("prefetch.observations") and the keys and indexes below it. Every element of every
 * prefetched resource is visited, so the location is kept as a stack and spelled out only for an error message.
 */
class Trail {
  private readonly parts: Array<string | number> = [];
  constructor(
    private readonly base: string,
    /** which resources evaluation reads at all; omitted = all */
    readonly readsResource?: (resource: FhirResource) => boolean,
  ) {}
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
  if (!isJsonObject(value)) fail(trail.toString(), 'object', 'Resource');
  const type = value.resourceType;
  if (typeof type !== 'string') fail(`${trail.toString()}.resourceType`, 'string');
  if (!RESOURCE_TYPES.has(type)) return;
  // A resource evaluation never reads (a routine lab no policy looks at) cannot mislead it: left alone, as
  // unknown resource types are. The predicate reads unchecked JSON defensively and says yes when unsure.
  if (trail.readsResource !== undefined && !trail.readsResource(value as unknown as FhirResource)) return;
  checkChildren(value, type, trail);
}

const UNDERSCORE = 95; // '_'

function checkChildren(value: Record<string, unknown>, path: string, trail: Trail): void {
  for (const name of REQUIRED.get(path) ?? NONE_REQUIRED) {
    // a primitive may be present through its extension alone (`_name`)
    if (value[name] === undefined && value[`_${name}`] === undefined) {
      throw new FhirShapeError(`${trail.toString()}.${name} is required (FHIR ${path}.${name})`);
    }
  }
  const children = ELEMENTS.get(path);
  // for-in allocates no key array (Object.keys would, for every object of every resource)
  for (const key in value) {
    if (!Object.hasOwn(value, key) || key === 'resourceType') continue;
    const child = value[key];
    if (key.charCodeAt(0) === UNDERSCORE) {
      // primitive extensions: an object, or an array aligned with the values (nulls allowed there)
      if (typeof child !== 'object' || child === null) {
        trail.push(key);
        fail(trail.toString(), 'object');
      }
      continue;
    }
    const element = children?.get(key);
    if (element !== undefined) checkElement(value, key, element, trail);
  }
}

/** `value[key]`, present, against its element. */
function checkElement(value: Record<string, unknown>, key: string, element: Element, trail: Trail): void {
  const child = value[key];
  trail.push(key);
  if (element.repeats) {
    if (!Array.isArray(child)) fail(trail.toString(), 'array');
    const items = child as unknown[];
    for (let i = 0; i < items.length; i += 1) {
      const item = items[i];
      if (item === null && element.primitive && value[`_${key}`] !== undefined) continue;
      trail.push(i);
      checkValue(item, element, trail);
      trail.pop();
    }
  } else {
    checkValue(child, element, trail);
  }
  trail.pop();
}

function expectedKind(element: Element, several: string): string {
  return element.types.length === 1 ? (JSON_KIND[element.types[0]!] ?? 'object') : several;
}

function checkValue(value: unknown, element: Element, trail: Trail): void {
  if (value === null) fail(trail.toString(), expectedKind(element, 'value'));
  if (Array.isArray(value)) fail(trail.toString(), expectedKind(element, 'single value'));
  if (element.types.length !== 1) return; // several types only for a few elements; leave them
  const kind = element.kind;
  if (kind !== undefined) {
    if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) fail(trail.toString(), kind, element.types[0]);
    return;
  }
  if (element.resource) { checkResource(value, trail); return; }
  const type = element.types[0]!;
  if (!isJsonObject(value)) fail(trail.toString(), 'object', type.startsWith('#') ? undefined : type);
  if (element.childPath !== undefined) checkChildren(value, element.childPath, trail);
}

/**
 * The first FHIR shape problem in the request's prefetch and draft orders, or undefined. With `readsResource`, a
 * prefetched resource it declines (one evaluation never reads, such as a routine lab) is not walked: its shape
 * cannot matter, so it cannot fail a signing. Draft orders are always checked.
 */
export function inspectRequestFhir(request: HookRequest, readsResource?: (resource: FhirResource) => boolean): string | undefined {
  try {
    checkResource(request.context.draftOrders, new Trail('context.draftOrders'));
    for (const [key, value] of Object.entries(request.prefetch ?? {})) {
      // CDS Hooks: a prefetch key may be null when the client could not fetch it
      if (value !== null) checkResource(value, new Trail(`prefetch.${key}`, readsResource));
    }
    return undefined;
  } catch (err) {
    if (err instanceof FhirShapeError) return err.message;
    throw err;
  }
}
