/**
 * FHIR server URLs compared as URLs, not strings: WHATWG parsing resolves dot segments (`/fhir/../x` is `/x`, also
 * when percent-encoded), lower-cases the host and drops the default port, so an allowlist cannot be walked around.
 */

/** The normalised base (no trailing slash), or undefined for anything but a plain http(s) URL. */
export function normalizeBaseUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return undefined;
  if (url.search !== '' || url.hash !== '') return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** True when `url` is an allowlisted base or lies under one (path boundary respected), both normalised. */
export function isAllowlisted(url: string, allowlist: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.username !== '' || target.password !== '') return false;
  const path = `${target.origin}${target.pathname}`;
  return allowlist.some((entry) => {
    const base = normalizeBaseUrl(entry);
    return base !== undefined && (path === base || path.replace(/\/+$/, '') === base || path.startsWith(`${base}/`));
  });
}
