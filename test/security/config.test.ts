import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const ISSUERS = '[{"iss":"https://sandbox.cds-hooks.org","jwks_url":"https://sandbox.cds-hooks.org/.well-known/jwks.json"}]';

describe('security configuration', () => {
  it('leaves discovery public and limits each caller to 600 calls a minute by default', () => {
    const config = loadConfig({ env: {} });
    expect(config.protectDiscovery).toBe(false);
    expect(config.rateLimitPerMinute).toBe(600);
  });

  it('reads CDS_PROTECT_DISCOVERY and RATE_LIMIT_PER_MINUTE', () => {
    const config = loadConfig({
      env: { CDS_TRUSTED_ISSUERS: ISSUERS, CDS_PROTECT_DISCOVERY: 'true', RATE_LIMIT_PER_MINUTE: '0' },
    });
    expect(config.protectDiscovery).toBe(true);
    expect(config.rateLimitPerMinute).toBe(0);
    expect(loadConfig({ env: { CDS_PROTECT_DISCOVERY: 'false' } }).protectDiscovery).toBe(false);
  });

  it('reads both from the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cds-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({
      trustedIssuers: JSON.parse(ISSUERS), protectDiscovery: true, rateLimitPerMinute: 120,
    }));
    const config = loadConfig({ env: { CONFIG_FILE: file } });
    expect(config.protectDiscovery).toBe(true);
    expect(config.rateLimitPerMinute).toBe(120);
  });

  it.each([
    ['a protectDiscovery that is not a boolean', { CDS_TRUSTED_ISSUERS: ISSUERS, CDS_PROTECT_DISCOVERY: 'yes please' },
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
    const jwt = callerAuth(loadConfig({ env: { CDS_TRUSTED_ISSUERS: ISSUERS } }), logger);
    expect(jwt.authMode).toBe('jwt');
    expect(typeof jwt.authenticate).toBe('function');
  });
});
