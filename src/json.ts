/** Narrowing of untyped JSON (request bodies, prefetch values) shared by the modules that read it. */

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
