import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const ISSUERS = '[{"iss":"https://sandbox.cds-hooks.org","jwks_url":"https://sandbox.cds-hooks.org/.well-known/jwks.json"}]';

describe('security configuration', () => {
  it('leaves discovery public and limits each caller to 12,000 calls a minute by default: 100 signings a second pass, 1,000 do not', () => {
    const config = loadConfig({ env: {} });
    expect(config.protectDiscovery).toBe(false);
    expect(config.rateLimitPerMinute).toBe(12_000);
    expect(100 * 60).toBeLessThanOrEqual(config.rateLimitPerMinute / 2); // the peak EHR, with twice the headroom
    expect(1000 * 60).toBeGreaterThan(config.rateLimitPerMinute); // ten times that rate is throttled
  });

  it('requires PUBLIC_BASE_URL with trusted issuers, naming it: the JWT audience never comes from request headers', () => {
    expect(() => loadConfig({ env: { CDS_TRUSTED_ISSUERS: ISSUERS } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { CDS_TRUSTED_ISSUERS: ISSUERS } })).toThrow(/publicBaseUrl \(PUBLIC_BASE_URL\) is required/);
    expect(loadConfig({ env: { CDS_TRUSTED_ISSUERS: ISSUERS, PUBLIC_BASE_URL: 'https://cds.example.org/' } }).publicBaseUrl)
      .toBe('https://cds.example.org');
  });

  it('reads TRUST_PROXY as none, a hop count or proxy addresses, and refuses "true" (any caller could pick its IP)', () => {
    expect(loadConfig({ env: {} }).trustProxy).toBe(false);
    expect(loadConfig({ env: { TRUST_PROXY: '1' } }).trustProxy).toBe(1);
    expect(loadConfig({ env: { TRUST_PROXY: '0' } }).trustProxy).toBe(false);
    expect(loadConfig({ env: { TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' } }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(() => loadConfig({ env: { TRUST_PROXY: 'true' } })).toThrow(/trustProxy \(TRUST_PROXY\)/);
  });

  it('reads REDIS_URL without echoing it when it is wrong (it may carry a password)', () => {
    expect(loadConfig({ env: { REDIS_URL: 'redis://:pw@cache:6379/0' } }).redisUrl).toBe('redis://:pw@cache:6379/0');
    expect(() => loadConfig({ env: { REDIS_URL: 'http://:s3cret@cache' } })).toThrow(/REDIS_URL\) must be a redis:\/\/ or rediss:\/\/ URL$/);
  });

  it('normalises the FHIR server allowlist, so /fhir/../x and a default port cannot slip past it', () => {
    const config = loadConfig({ env: { FHIR_SERVER_ALLOWLIST: 'HTTPS://EHR.example.org:443/fhir/, https://ehr.example.org/a/../b' } });
    expect(config.fhirServerAllowlist).toEqual(['https://ehr.example.org/fhir', 'https://ehr.example.org/b']);
    expect(() => loadConfig({ env: { FHIR_SERVER_ALLOWLIST: 'https://u:p@ehr.example.org/fhir' } })).toThrow(/without credentials/);
  });

  it('reads CDS_PROTECT_DISCOVERY and RATE_LIMIT_PER_MINUTE', () => {
    const config = loadConfig({
      env: { CDS_TRUSTED_ISSUERS: ISSUERS, PUBLIC_BASE_URL: 'https://cds.example.org', CDS_PROTECT_DISCOVERY: 'true', RATE_LIMIT_PER_MINUTE: '0' },
    });
    expect(config.protectDiscovery).toBe(true);
    expect(config.rateLimitPerMinute).toBe(0);
    expect(loadConfig({ env: { CDS_PROTECT_DISCOVERY: 'false' } }).protectDiscovery).toBe(false);
  });

  it('reads both from the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cds-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({
      trustedIssuers: JSON.parse(ISSUERS), publicBaseUrl: 'https://cds.example.org', protectDiscovery: true, rateLimitPerMinute: 120,
    }));
    const config = loadConfig({ env: { CONFIG_FILE: file } });
    expect(config.protectDiscovery).toBe(true);
    expect(config.rateLimitPerMinute).toBe(120);
  });

  it.each([
    ['a protectDiscovery that is not a boolean', { CDS_TRUSTED_ISSUERS: ISSUERS, PUBLIC_BASE_URL: 'https://cds.example.org', CDS_PROTECT_DISCOVERY: 'yes please' },
      /protectDiscovery \(CDS_PROTECT_DISCOVERY\) must be true or false/],
    ['protectDiscovery without any trusted issuer', { CDS_PROTECT_DISCOVERY: 'true' },
      /CDS_PROTECT_DISCOVERY\) needs trustedIssuers/],
    ['a negative rate limit', { RATE_LIMIT_PER_MINUTE: '-1' }, /rateLimitPerMinute \(RATE_LIMIT_PER_MINUTE\)/],
    ['a non-numeric rate limit', { RATE_LIMIT_PER_MINUTE: 'lots' }, /rateLimitPerMinute \(RATE_LIMIT_PER_MINUTE\)/],
  ])('rejects %s', (_what, env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });
});

describe('what the configuration means for callers (server wiring)', () => {
  it('runs open without trusted issuers, and with JWT verification when they are configured', async () => {
    const { callerAuth } = await import('../../src/security/index.js');
    const { createLogger } = await import('../../src/log.js');
    const logger = createLogger('silent');
    expect(callerAuth(loadConfig({ env: {} }), logger)).toEqual({ authMode: 'open' });
    const jwt = callerAuth(loadConfig({ env: { CDS_TRUSTED_ISSUERS: ISSUERS, PUBLIC_BASE_URL: 'https://cds.example.org' } }), logger);
    expect(jwt.authMode).toBe('jwt');
    expect(typeof jwt.authenticate).toBe('function');
  });
});
