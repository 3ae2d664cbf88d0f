/**
 * What the configuration leaves open, said in plain sentences: logged as warnings at start-up and listed in
 * `GET /health`, so an open deployment is never silent.
 */
import type { AppConfig } from '../config.js';

export function exposureWarnings(config: Pick<AppConfig, 'trustedIssuers' | 'fhirServerAllowlist' | 'rateLimitPerMinute'>): string[] {
  const warnings: string[] = [];
  if (config.trustedIssuers.length === 0) {
    warnings.push('OPEN: no trusted issuer (CDS_TRUSTED_ISSUERS), any caller may invoke the hooks');
  }
  if (config.fhirServerAllowlist.length === 0) {
    warnings.push('OPEN: no FHIR server allowlist (FHIR_SERVER_ALLOWLIST), the service reads from any fhirServer a call names');
  }
  if (config.rateLimitPerMinute === 0) warnings.push('rate limiting is off (RATE_LIMIT_PER_MINUTE=0)');
  return warnings;
}
