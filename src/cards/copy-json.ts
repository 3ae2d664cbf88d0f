/**
 * A deep copy of JSON-shaped data, which is all a FHIR resource parsed from a request is. Cards copy the order they
 * amend (coverage information, a dose fix) on every signing; structuredClone's general serialiser costs several
 * times more for the same result here.
 */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyJson) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child = copyJson((value as Record<string, unknown>)[key]);
    // an own "__proto__" key stays an own key, as in the original, instead of setting the copy's prototype
    if (key === '__proto__') Object.defineProperty(out, key, { value: child, enumerable: true, writable: true, configurable: true });
    else out[key] = child;
  }
  return out as T;
}
