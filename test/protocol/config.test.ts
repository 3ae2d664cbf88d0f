import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has built-in defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 3000, host: '0.0.0.0', bodyLimit: 5 * 1024 * 1024, gather: { deadlineMs: 2500, queryTimeoutMs: 1500 },
      fhirServerAllowlist: [], feedbackFile: 'var/feedback.jsonl', auditFile: 'var/audit.jsonl',
      policiesDir: 'policies', catalogDir: 'catalog', logLevel: 'info', trustedIssuers: [],
      payerSubmissionUrls: {},
    });
    expect(config.publicBaseUrl).toBeUndefined();
    expect(loadConfig({ env: { VITEST: 'true' } }).logLevel).toBe('silent');
  });

  it('reads environment variables', () => {
    const config = loadConfig({
      env: {
        PORT: '8080', HOST: '127.0.0.1', PUBLIC_BASE_URL: 'https://cds.example.org/', BODY_LIMIT: '512kb',
        FHIR_DEADLINE_MS: '4000', FHIR_QUERY_TIMEOUT_MS: '900',
        FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir/, http://localhost:8103/fhir',
        FEEDBACK_FILE: '/tmp/f.jsonl', AUDIT_FILE: '/tmp/a.jsonl', LOG_LEVEL: 'debug',
        POLICIES_DIR: '/srv/policies', CATALOG_DIR: '/srv/catalog',
        CDS_TRUSTED_ISSUERS: '[{"iss":"https://sandbox.cds-hooks.org","jwks_url":"https://sandbox.cds-hooks.org/.well-known/jwks.json"}]',
      },
    });
    expect(config).toMatchObject({
      port: 8080, host: '127.0.0.1', publicBaseUrl: 'https://cds.example.org', bodyLimit: 512 * 1024,
      gather: { deadlineMs: 4000, queryTimeoutMs: 900 },
      fhirServerAllowlist: ['https://ehr.example.org/fhir', 'http://localhost:8103/fhir'],
      feedbackFile: '/tmp/f.jsonl', auditFile: '/tmp/a.jsonl', logLevel: 'debug',
      policiesDir: '/srv/policies', catalogDir: '/srv/catalog',
      trustedIssuers: [{ iss: 'https://sandbox.cds-hooks.org', jwks_url: 'https://sandbox.cds-hooks.org/.well-known/jwks.json' }],
    });
  });

  it('reads a JSON config file, with the environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cds-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({
      port: 4000, gather: { deadlineMs: 3000 }, dtrAppUrl: 'https://dtr.example.org/launch',
      payerSubmissionUrls: { 'blue-shield-ca': 'https://pas.blueshield.example/Claim/$submit' },
    }));
    const config = loadConfig({ env: { CONFIG_FILE: file, PORT: '5000' } });
    expect(config.port).toBe(5000);
    expect(config.gather).toEqual({ deadlineMs: 3000, queryTimeoutMs: 1500 });
    expect(config.dtrAppUrl).toBe('https://dtr.example.org/launch');
    expect(config.payerSubmissionUrls['blue-shield-ca']).toBe('https://pas.blueshield.example/Claim/$submit');
  });

  const bad: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['a non-numeric port', { PORT: 'eighty' }, /port \(PORT\) must be an integer/],
    ['an out-of-range port', { PORT: '70000' }, /port \(PORT\)/],
    ['a bad body limit', { BODY_LIMIT: 'lots' }, /bodyLimit \(BODY_LIMIT\)/],
    ['a bad deadline', { FHIR_DEADLINE_MS: '0' }, /gather\.deadlineMs/],
    ['a bad allowlist URL', { FHIR_SERVER_ALLOWLIST: 'ftp://x' }, /fhirServerAllowlist.*\[0\]/],
    ['a bad log level', { LOG_LEVEL: 'loud' }, /logLevel \(LOG_LEVEL\)/],
    ['unparseable trusted issuers', { CDS_TRUSTED_ISSUERS: '{' }, /CDS_TRUSTED_ISSUERS is not valid JSON/],
    ['an issuer without keys', { CDS_TRUSTED_ISSUERS: '[{"iss":"x"}]' }, /exactly one of jwks_url or jwks/],
    ['a bad public base URL', { PUBLIC_BASE_URL: 'cds.example.org' }, /publicBaseUrl \(PUBLIC_BASE_URL\)/],
    ['a missing config file', { CONFIG_FILE: '/nonexistent/config.json' }, /cannot read CONFIG_FILE/],
  ];
  for (const [what, env, message] of bad) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => loadConfig({ env })).toThrow(ConfigError);
      expect(() => loadConfig({ env })).toThrow(message);
    });
  }

  it('rejects unknown settings in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cds-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ prot: 4000 }));
    expect(() => loadConfig({ env: { CONFIG_FILE: file } })).toThrow(/unknown setting "prot"/);
  });
});
