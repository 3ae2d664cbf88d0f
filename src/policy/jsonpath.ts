/**
 * Typed wrapper around jsonpath-plus. Paths come only from policy files
 * (never from a request) and script evaluation is off, so filter
 * expressions such as `[?(@.x)]` are refused rather than run.
 */
import { JSONPath } from 'jsonpath-plus';

export interface PathMatch {
  /** normalised path of the match, e.g. `$['body']['weightKg']` */
  path: string;
  value: unknown;
}

export interface CompiledPath {
  /** the path as written in the policy */
  readonly source: string;
  /** `$.a.b` form, used as a key (e.g. for clinician names of facts) */
  readonly normalised: string;
  /** every node the path selects in `json` (empty when none) */
  select(json: object): PathMatch[];
}

export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function toMatches(raw: unknown): PathMatch[] {
  if (!Array.isArray(raw)) return [];
  const out: PathMatch[] = [];
  for (const item of raw as unknown[]) {
    if (isRecord(item) && typeof item['path'] === 'string') out.push({ path: item['path'], value: item['value'] });
  }
  return out;
}

function hasBalancedBrackets(path: string): boolean {
  let depth = 0;
  for (const ch of path) {
    if (ch === '[') depth += 1;
    else if (ch === ']') depth -= 1;
    if (depth < 0 || depth > 1) return false;
  }
  return depth === 0;
}

/**
 * Parse once (jsonpath-plus caches the parsed form by path string), reject
 * what the library would silently accept (missing `$`, unbalanced brackets),
 * and return a reader.
 */
export function compilePath(source: string): CompiledPath {
  if (!source.startsWith('$')) throw new JsonPathError(`JSONPath "${source}" must start with "$"`);
  if (!hasBalancedBrackets(source)) throw new JsonPathError(`JSONPath "${source}" has unbalanced brackets`);
  if (source.includes('?(') || /\(\s*@/.test(source)) {
    throw new JsonPathError(`JSONPath "${source}" uses a script expression; only plain paths are allowed`);
  }
  let segments: string[];
  try {
    segments = JSONPath.toPathArray(source);
  } catch (err) {
    throw new JsonPathError(`JSONPath "${source}" does not parse: ${(err as Error).message}`);
  }
  const normalised = segments
    .map((s, i) => (i === 0 ? s : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${s}]`))
    .join('');
  const names = segments.slice(1);
  if (segments[0] === '$' && names.length > 0 && names.every((s) => PLAIN_NAME.test(s))) {
    return { source, normalised, select: propertyChain(names) };
  }
  return {
    source,
    normalised,
    select(json: object): PathMatch[] {
      const raw: unknown = JSONPath({ path: source, json, eval: false, wrap: true, resultType: 'all' });
      return toMatches(raw);
    },
  };
}

/** A member name with no JSONPath meaning (no wildcard, descent, slice, union or filter). */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `$.a.b.c`, the shape of nearly every policy path, read by direct property access: the same matches
 * jsonpath-plus gives (own properties only, none when a step is missing), without walking its general machinery
 * for every leaf of every evaluation. test/policy/jsonpath.test.ts compares the two on every policy path.
 */
function propertyChain(names: readonly string[]): (json: object) => PathMatch[] {
  const path = `$${names.map((n) => `['${n}']`).join('')}`;
  return (json) => {
    let node: unknown = json;
    for (const name of names) {
      if (typeof node !== 'object' || node === null || !Object.hasOwn(node, name)) return [];
      node = (node as Record<string, unknown>)[name];
    }
    return [{ path, value: node }];
  };
}
