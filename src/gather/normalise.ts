/**
 * The one reader every FHIR resource goes through, prefetched, fetched from the FHIR server or sent as a draft
 * order: it checks each element against the FHIR R4 element table in schemas/fhir-r4-element-types.json (generated
 * from the StructureDefinitions by `npm run fhir:types`) and repairs in place what real EHRs send, so nothing
 * downstream meets a shape it did not expect:
 * - a repeating element sent once (`category` as an object) is wrapped in an array; a single element sent as an
 *   array of one is unwrapped; `null` values are dropped (FHIR JSON has none);
 * - a value of the wrong JSON kind (a date as a number, a string where an object belongs, a number too large for a
 *   double) is removed and named as a problem of its resource ("valueQuantity.value is not a number");
 * - required elements the service does not need are not asked for: a missing one costs nothing.
 * Unknown elements and resource types are left alone. A resource `readsResource` declines (a routine lab no fact
 * reads) is not walked at all: its shape cannot matter. The walk touches every element of every resource once
 * and allocates nothing per element unless something is wrong, so input checks stay at a fraction of a millisecond.
 */
import { readFileSync } from 'node:fs';
import type { FhirResource } from 'fhir/r4.js';
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

/** The resource types the table knows (those with an `id` element). */
const RESOURCE_TYPES: ReadonlySet<string> = new Set([...ELEMENTS.keys()].filter((path) => TABLE[`${path}.id`] !== undefined && !path.includes('.')));


/** What could not be read in one resource: its reference and each element set aside, relative to it. */
export interface Unreadable {
  /** `Type/id` of the resource (`Type` alone when it has no id; `context.draftOrders` / `prefetch.key` for a bundle) */
  reference: string;
  /** `wrong-type`: elements of the wrong JSON kind were set aside; `not-a-resource`: a bundle entry that is no resource */
  reason: 'wrong-type' | 'not-a-resource';
  /** the elements set aside, in the resource's own terms: "valueQuantity.value is not a number (FHIR decimal)" */
  detail: string;
}

export type ReadsResource = (resource: FhirResource) => boolean;

/**
 * Where the walk is: the resource the problems belong to and the keys and indexes below it. Every element is
 * visited, so the location is kept as a stack and spelled out only when something is wrong.
 */
class Walk {
  readonly parts: Array<string | number> = [];
  /** where the current resource's own path starts in `parts` */
  start = 0;
  /** the resource problems are reported under */
  resource: Record<string, unknown> | undefined;
  readonly problems = new Map<string, string[]>();
  constructor(readonly readsResource: ReadsResource | undefined) {}
  push(part: string | number): void {
    this.parts.push(part);
  }
  pop(): void {
    this.parts.pop();
  }
  problem(what: string): void {
    let at = '';
    for (let i = this.start; i < this.parts.length; i += 1) {
      const part = this.parts[i]!;
      at += typeof part === 'number' ? `[${part}]` : at === '' ? part : `.${part}`;
    }
    const resource = this.resource;
    const type = typeof resource?.resourceType === 'string' ? resource.resourceType : '';
    const id = resource?.id;
    const reference = typeof id === 'string' && id !== '' ? `${type}/${id}` : type;
    const list = this.problems.get(reference);
    const text = `${at === '' ? 'the resource' : at} ${what}`;
    if (list === undefined) this.problems.set(reference, [text]);
    else list.push(text);
  }
}

function kindWord(element: Element): string {
  if (element.types.length !== 1) return 'is not a usable value';
  const type = element.types[0]!;
  const kind = JSON_KIND[type] ?? 'object';
  return `is not ${kind === 'object' ? 'an' : 'a'} ${kind}${type.startsWith('#') || type === 'BackboneElement' || type === 'Element' ? '' : ` (FHIR ${type})`}`;
}

const UNDERSCORE = 95; // '_'

/**
 * A resource: walked against its type when the table knows it. `own`: a resource of its own (a bundle entry, the
 * top level), whose problems are reported under its own reference; a contained one reports under its container.
 * False when the value is no resource at all.
 */
function walkResource(value: unknown, walk: Walk, own: boolean): boolean {
  if (!isJsonObject(value) || typeof value.resourceType !== 'string') return false;
  const type = value.resourceType;
  if (!RESOURCE_TYPES.has(type)) return true;
  // A resource evaluation never reads (a routine lab no policy looks at) cannot mislead it: left alone, as
  // unknown resource types are. The predicate reads unchecked JSON defensively and says yes when unsure.
  if (walk.readsResource !== undefined && type !== 'Bundle' && !walk.readsResource(value as unknown as FhirResource)) return true;
  if (!own) {
    walkChildren(value, type, walk);
    return true;
  }
  // problems below are this resource's: its reference (spelled only on a problem), paths from here; nothing is
  // allocated per resource
  const outerStart = walk.start;
  const outerResource = walk.resource;
  walk.start = walk.parts.length;
  walk.resource = value;
  walkChildren(value, type, walk);
  walk.start = outerStart;
  walk.resource = outerResource;
  return true;
}

function walkChildren(value: Record<string, unknown>, path: string, walk: Walk): void {
  const children = ELEMENTS.get(path);
  // for-in allocates no key array (Object.keys would, for every object of every resource)
  for (const key in value) {
    if (!Object.hasOwn(value, key) || key === 'resourceType') continue;
    const child = value[key];
    if (child === null) {
      delete value[key]; // FHIR JSON has no null: the element is absent
      continue;
    }
    if (key.charCodeAt(0) === UNDERSCORE) {
      // primitive extensions: an object, or an array aligned with the values; anything else carries nothing
      if (typeof child !== 'object') delete value[key];
      continue;
    }
    const element = children?.get(key);
    if (element !== undefined) walkElement(value, key, element, walk, path === 'Bundle' || path === 'Bundle.entry');
  }
}

/** `value[key]`, present and not null, against its element; repaired in place. */
function walkElement(value: Record<string, unknown>, key: string, element: Element, walk: Walk, inBundle: boolean): void {
  let child = value[key];
  walk.push(key);
  if (element.repeats) {
    // a repeating element sent once (`category` as an object, `doseAndRate` as an object): one item
    if (!Array.isArray(child)) {
      child = [child];
      value[key] = child;
    }
    const items = child as unknown[];
    let bad: Set<number> | undefined;
    for (let i = 0; i < items.length; i += 1) {
      const item = items[i];
      if (item === null) {
        // a repeating primitive may hold null where its `_name` sibling carries the extension
        if (!(element.primitive && value[`_${key}`] !== undefined)) (bad ??= new Set()).add(i);
        continue;
      }
      walk.push(i);
      if (!walkValue(item, element, walk, inBundle)) (bad ??= new Set()).add(i);
      walk.pop();
    }
    if (bad !== undefined) value[key] = items.filter((_, i) => !bad.has(i));
  } else {
    // a single element sent as an array of one: the one item
    if (Array.isArray(child)) {
      if (child.length === 1 && child[0] !== null) {
        child = child[0];
        value[key] = child;
      } else {
        walk.problem(child.length === 0 ? 'is an empty array' : 'repeats but FHIR allows one value');
        delete value[key];
        walk.pop();
        return;
      }
    }
    if (!walkValue(child, element, walk, inBundle)) delete value[key];
  }
  walk.pop();
}

/** True when the value can stay; false after naming the problem (the caller removes it). */
function walkValue(value: unknown, element: Element, walk: Walk, inBundle: boolean): boolean {
  if (Array.isArray(value)) {
    walk.problem(kindWord(element));
    return false;
  }
  if (element.types.length !== 1) return true; // choice types only for a few elements; leave them
  const kind = element.kind;
  if (kind !== undefined) {
    if (typeof value === kind && (kind !== 'number' || Number.isFinite(value))) return true;
    walk.problem(kindWord(element));
    return false;
  }
  if (element.resource) {
    if (walkResource(value, walk, inBundle)) return true;
    walk.problem('is not a FHIR resource');
    return false;
  }
  if (!isJsonObject(value)) {
    walk.problem(kindWord(element));
    return false;
  }
  if (element.childPath !== undefined) walkChildren(value, element.childPath, walk);
  return true;
}

/** Narrow an untyped JSON value to a FHIR resource (it has a resourceType); nothing deeper is promised. */
export function asFhirResource(value: unknown): FhirResource | undefined {
  return isJsonObject(value) && typeof value.resourceType === 'string' ? (value as unknown as FhirResource) : undefined;
}

export interface Normalised {
  /** the value as a FHIR resource (repaired in place), or undefined when it is none */
  resource?: FhirResource;
  /** what was set aside, per resource */
  unreadable: Unreadable[];
}

/**
 * Reads one value the EHR or its FHIR server sent (a resource or a search Bundle) into a FHIR resource the rest of
 * the service can trust the shapes of, repairing it in place; what had to be set aside is named per resource.
 * `where` names the value when it is no resource at all ("prefetch.coverage").
 */
export function normaliseResource(value: unknown, where: string, readsResource?: ReadsResource): Normalised {
  const walk = new Walk(readsResource);
  if (!walkResource(value, walk, true)) return { unreadable: [{ reference: where, reason: 'not-a-resource', detail: 'is not a FHIR resource' }] };
  const unreadable: Unreadable[] = [];
  for (const [reference, problems] of walk.problems) {
    const notResource = problems.every((p) => p.endsWith('is not a FHIR resource'));
    unreadable.push({ reference: reference === 'Bundle' ? where : reference, reason: notResource ? 'not-a-resource' : 'wrong-type', detail: problems.join('; ') });
  }
  return { resource: value as FhirResource, unreadable };
}
