/**
 * Service configuration: built-in defaults, then an optional JSON file (`CONFIG_FILE`), then environment
 * variables, then (tests only) explicit overrides. Every value is checked here so a bad setting stops the
 * service at start-up with a message naming the setting, instead of failing on the first clinician's call.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { normalizeBaseUrl } from './security/url.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A JWT issuer the service trusts (CDS Hooks 2.0): keys by URL, or exchanged out of band. */
export type TrustedIssuer =
  | { iss: string; jwks_url: string }
  | { iss: string; jwks: { keys: JsonWebKey[] } };

export interface GatherConfig {
  /** the whole data gathering must finish within this, so a signing is never held up */
  deadlineMs: number;
  /** each FHIR query is abandoned after this */
  queryTimeoutMs: number;
}

export interface AppConfig {
  port: number;
  host: string;
  /** the URL clients use to reach the service (behind a proxy); links and JWT `aud` derive from it */
  publicBaseUrl?: string;
  /** maximum request body, bytes */
  bodyLimit: number;
  gather: GatherConfig;
  /** when non-empty, the only FHIR server base URLs the service will send an access token to */
  fhirServerAllowlist: string[];
  feedbackFile: string;
  auditFile: string;
  policiesDir: string;
  catalogDir: string;
  logLevel: LogLevel;
  /** empty = open mode (no JWT required) */
  trustedIssuers: TrustedIssuer[];
  /** require a JWT on discovery (GET /cds-services) too; needs trustedIssuers */
  protectDiscovery: boolean;
  /** calls per minute per caller (verified issuer, else IP), across all workers and instances; 0 = no limit */
  rateLimitPerMinute: number;
  /**
   * which proxies' X-Forwarded-For the client IP is read from (express "trust proxy"): false = none (the TCP peer
   * is the client), a number of proxy hops in front of the service, or a list of proxy addresses / subnets
   */
  trustProxy: false | number | string[];
  /** Redis (or Valkey) shared by all instances for replay, rate and card state; unset = this machine only */
  redisUrl?: string;
  /** the audit and feedback files are rotated when they reach this size (bytes); 0 = never (external logrotate) */
  storeRotateBytes: number;
  /** SMART app launched from cards to complete documentation (DTR), if any */
  dtrAppUrl?: string;
  /** payer id → URL where a prior-authorization request is submitted */
  payerSubmissionUrls: Record<string, string>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const MB = 1024 * 1024;

/**
 * 200 calls a second over a minute: twice the 100 signings a second of a large health system's peak (one issuer,
 * often one IP), so a real EHR is never throttled, while a caller at ten times that (1,000/s) is after 12 s.
 */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 12_000;

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const underTest = env.VITEST !== undefined || env.NODE_ENV === 'test';
  return {
    port: 3000,
    host: '0.0.0.0',
    bodyLimit: 5 * MB,
    gather: { deadlineMs: 2500, queryTimeoutMs: 1500 },
    fhirServerAllowlist: [],
    feedbackFile: 'var/feedback.jsonl',
    auditFile: 'var/audit.jsonl',
    policiesDir: 'policies',
    catalogDir: 'catalog',
    logLevel: underTest ? 'silent' : 'info',
    trustedIssuers: [],
    protectDiscovery: false,
    rateLimitPerMinute: DEFAULT_RATE_LIMIT_PER_MINUTE,
    trustProxy: false,
    storeRotateBytes: 100 * MB,
    payerSubmissionUrls: {},
  };
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** applied last; for tests and embedding */
  overrides?: ConfigInput;
}

/** The loose shape accepted from a file or overrides, before validation. */
export type ConfigInput = { [K in keyof AppConfig]?: K extends 'gather' ? Partial<GatherConfig> : unknown };

const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof AppConfig>([
  'port', 'host', 'publicBaseUrl', 'bodyLimit', 'gather', 'fhirServerAllowlist', 'feedbackFile', 'auditFile',
  'policiesDir', 'catalogDir', 'logLevel', 'trustedIssuers', 'protectDiscovery', 'rateLimitPerMinute', 'dtrAppUrl', 'payerSubmissionUrls',
  'trustProxy', 'redisUrl', 'storeRotateBytes',
]);

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = { ...defaultConfig(env) };
  const defaults = defaultConfig(env);

  if (env.CONFIG_FILE) mergeInto(raw, readConfigFile(env.CONFIG_FILE), `config file ${env.CONFIG_FILE}`);
  mergeInto(raw, fromEnv(env), 'environment');
  if (options.overrides) mergeInto(raw, options.overrides, 'overrides');

  const gatherRaw = asRecord(raw.gather, 'gather');
  const config: AppConfig = {
    port: integer(raw.port, 'port (PORT)', 0, 65535),
    host: nonEmptyString(raw.host, 'host (HOST)'),
    bodyLimit: byteSize(raw.bodyLimit, 'bodyLimit (BODY_LIMIT)'),
    gather: {
      deadlineMs: integer(gatherRaw.deadlineMs ?? defaults.gather.deadlineMs, 'gather.deadlineMs (FHIR_DEADLINE_MS)', 1, 600_000),
      queryTimeoutMs: integer(
        gatherRaw.queryTimeoutMs ?? defaults.gather.queryTimeoutMs,
        'gather.queryTimeoutMs (FHIR_QUERY_TIMEOUT_MS)', 1, 600_000,
      ),
    },
    fhirServerAllowlist: urlList(raw.fhirServerAllowlist, 'fhirServerAllowlist (FHIR_SERVER_ALLOWLIST)'),
    feedbackFile: nonEmptyString(raw.feedbackFile, 'feedbackFile (FEEDBACK_FILE)'),
    auditFile: nonEmptyString(raw.auditFile, 'auditFile (AUDIT_FILE)'),
    policiesDir: nonEmptyString(raw.policiesDir, 'policiesDir'),
    catalogDir: nonEmptyString(raw.catalogDir, 'catalogDir'),
    logLevel: logLevel(raw.logLevel),
    trustedIssuers: trustedIssuers(raw.trustedIssuers),
    protectDiscovery: boolean(raw.protectDiscovery, 'protectDiscovery (CDS_PROTECT_DISCOVERY)'),
    rateLimitPerMinute: integer(raw.rateLimitPerMinute, 'rateLimitPerMinute (RATE_LIMIT_PER_MINUTE)', 0, 1_000_000),
    trustProxy: trustProxy(raw.trustProxy),
    storeRotateBytes: raw.storeRotateBytes === 0 || raw.storeRotateBytes === '0' ? 0 : byteSize(raw.storeRotateBytes, 'storeRotateBytes (STORE_ROTATE_BYTES)'),
    payerSubmissionUrls: urlMap(raw.payerSubmissionUrls ?? {}, 'payerSubmissionUrls (PAYER_SUBMISSION_URLS)'),
  };
  if (raw.publicBaseUrl !== undefined) {
    config.publicBaseUrl = httpUrl(raw.publicBaseUrl, 'publicBaseUrl (PUBLIC_BASE_URL)');
  }
  if (raw.redisUrl !== undefined) config.redisUrl = redisUrl(raw.redisUrl);
  if (config.trustedIssuers.length > 0 && config.publicBaseUrl === undefined) {
    // The JWT audience must come from configuration: built from the Host header, a caller could choose it.
    throw new ConfigError('publicBaseUrl (PUBLIC_BASE_URL) is required when trustedIssuers (CDS_TRUSTED_ISSUERS) are configured: '
      + 'the JWT aud each call must carry is built from it, never from request headers');
  }
  if (raw.dtrAppUrl !== undefined) config.dtrAppUrl = httpUrl(raw.dtrAppUrl, 'dtrAppUrl (DTR_APP_URL)');
  if (config.protectDiscovery && config.trustedIssuers.length === 0) {
    // Claiming protection that cannot be enforced would be a silent downgrade.
    throw new ConfigError('protectDiscovery (CDS_PROTECT_DISCOVERY) needs trustedIssuers (CDS_TRUSTED_ISSUERS) to verify callers');
  }
  return config;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read CONFIG_FILE ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`CONFIG_FILE ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return asRecord(parsed, `CONFIG_FILE ${path}`);
}

/** Environment variables, parsed only as far as needed to merge; values are validated afterwards. */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const gather: Record<string, unknown> = {};
  if (env.PORT !== undefined) out.port = env.PORT;
  if (env.HOST !== undefined) out.host = env.HOST;
  if (env.PUBLIC_BASE_URL !== undefined && env.PUBLIC_BASE_URL !== '') out.publicBaseUrl = env.PUBLIC_BASE_URL;
  if (env.BODY_LIMIT !== undefined) out.bodyLimit = env.BODY_LIMIT;
  if (env.FHIR_DEADLINE_MS !== undefined) gather.deadlineMs = env.FHIR_DEADLINE_MS;
  if (env.FHIR_QUERY_TIMEOUT_MS !== undefined) gather.queryTimeoutMs = env.FHIR_QUERY_TIMEOUT_MS;
  if (Object.keys(gather).length > 0) out.gather = gather;
  if (env.FHIR_SERVER_ALLOWLIST !== undefined) {
    out.fhirServerAllowlist = env.FHIR_SERVER_ALLOWLIST.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
  if (env.POLICIES_DIR !== undefined && env.POLICIES_DIR !== '') out.policiesDir = env.POLICIES_DIR;
  if (env.CATALOG_DIR !== undefined && env.CATALOG_DIR !== '') out.catalogDir = env.CATALOG_DIR;
  if (env.FEEDBACK_FILE !== undefined) out.feedbackFile = env.FEEDBACK_FILE;
  if (env.AUDIT_FILE !== undefined) out.auditFile = env.AUDIT_FILE;
  if (env.LOG_LEVEL !== undefined) out.logLevel = env.LOG_LEVEL;
  if (env.CDS_TRUSTED_ISSUERS !== undefined && env.CDS_TRUSTED_ISSUERS.trim() !== '') {
    out.trustedIssuers = parseJsonSetting(env.CDS_TRUSTED_ISSUERS, 'CDS_TRUSTED_ISSUERS');
  }
  if (env.CDS_PROTECT_DISCOVERY !== undefined && env.CDS_PROTECT_DISCOVERY.trim() !== '') {
    out.protectDiscovery = env.CDS_PROTECT_DISCOVERY;
  }
  if (env.RATE_LIMIT_PER_MINUTE !== undefined && env.RATE_LIMIT_PER_MINUTE.trim() !== '') {
    out.rateLimitPerMinute = env.RATE_LIMIT_PER_MINUTE;
  }
  if (env.TRUST_PROXY !== undefined && env.TRUST_PROXY.trim() !== '') out.trustProxy = env.TRUST_PROXY;
  if (env.REDIS_URL !== undefined && env.REDIS_URL.trim() !== '') out.redisUrl = env.REDIS_URL.trim();
  if (env.STORE_ROTATE_BYTES !== undefined && env.STORE_ROTATE_BYTES.trim() !== '') out.storeRotateBytes = env.STORE_ROTATE_BYTES;
  if (env.DTR_APP_URL !== undefined && env.DTR_APP_URL !== '') out.dtrAppUrl = env.DTR_APP_URL;
  if (env.PAYER_SUBMISSION_URLS !== undefined && env.PAYER_SUBMISSION_URLS.trim() !== '') {
    out.payerSubmissionUrls = parseJsonSetting(env.PAYER_SUBMISSION_URLS, 'PAYER_SUBMISSION_URLS');
  }
  return out;
}

function parseJsonSetting(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${name} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Shallow merge, one level deeper for `gather`; unknown keys are refused so typos do not pass silently. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, origin: string): void {
  for (const [key, value] of Object.entries(source)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(`unknown setting "${key}" in ${origin}`);
    if (value === undefined) continue;
    if (key === 'gather') {
      target.gather = { ...asRecord(target.gather ?? {}, 'gather'), ...asRecord(value, `gather in ${origin}`) };
    } else {
      target[key] = value;
    }
  }
}

function asRecord(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${name} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function integer(value: unknown, name: string, min: number, max: number): number {
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** true / false, or the text "true" / "false" / "1" / "0" from the environment. */
function boolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${name} must be a non-empty string`);
  return value;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: MB, gb: 1024 * MB };

/** Bytes as a number, or text like "5mb" / "512kb" / "1048576". */
function byteSize(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
    const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
    if (m?.[1] !== undefined && unit !== undefined) {
      const bytes = Math.floor(Number(m[1]) * unit);
      if (bytes > 0) return bytes;
    }
  }
  throw new ConfigError(`${name} must be a positive size such as 5mb, 512kb or a byte count, got ${JSON.stringify(value)}`);
}

/** An http(s) URL without a trailing slash, so later comparisons and joins are exact. */
function httpUrl(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new ConfigError(`${name} must be an http(s) URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * FHIR server base URLs, normalised (dot segments resolved, host lower-cased, default port and trailing slash
 * dropped) so that comparing a fhirServer against them cannot be fooled by `/fhir/../x` or `HTTPS://Host:443/`.
 */
function urlList(value: unknown, name: string): string[] {
  if (!Array.isArray(value)) throw new ConfigError(`${name} must be a list of URLs`);
  return value.map((v, i) => {
    const normalized = normalizeBaseUrl(httpUrl(v, `${name}[${i}]`));
    if (normalized === undefined) throw new ConfigError(`${name}[${i}] must be an http(s) base URL without credentials, query or fragment, got ${JSON.stringify(v)}`);
    return normalized;
  });
}

/** false, a number of proxy hops, or proxy addresses / subnets (express "trust proxy"). `true` is refused. */
function trustProxy(value: unknown): false | number | string[] {
  if (value === false || value === 0) return false;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10) return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'false' || text === '0') return false;
    if (/^\d+$/.test(text)) return trustProxy(Number(text));
  }
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : value;
  if (Array.isArray(list) && list.length > 0 && list.every(isProxyEntry)) return list;
  // `true` would trust any X-Forwarded-For: every caller could pick its own IP and its own rate-limit budget.
  throw new ConfigError('trustProxy (TRUST_PROXY) must be false, a number of proxy hops (1-10), or a comma-separated list of '
    + `proxy addresses, subnets (10.0.0.0/8) or loopback / linklocal / uniquelocal; got ${JSON.stringify(value)}`);
}

function isProxyEntry(entry: unknown): entry is string {
  if (typeof entry !== 'string') return false;
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return true;
  const [address, prefix, ...rest] = entry.split('/');
  return rest.length === 0 && address !== undefined && isIP(address) !== 0 && (prefix === undefined || /^\d{1,3}$/.test(prefix));
}

function redisUrl(value: unknown): string {
  const name = 'redisUrl (REDIS_URL)';
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'redis:' || url.protocol === 'rediss:') return value;
    } catch {
      // fall through to the message, which does not echo the value (it may hold a password)
    }
  }
  throw new ConfigError(`${name} must be a redis:// or rediss:// URL`);
}

function urlMap(value: unknown, name: string): Record<string, string> {
  const record = asRecord(value, name);
  const out: Record<string, string> = {};
  for (const [key, url] of Object.entries(record)) out[key] = httpUrl(url, `${name}.${key}`);
  return out;
}

function logLevel(value: unknown): LogLevel {
  if (typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError(`logLevel (LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
}

function trustedIssuers(value: unknown): TrustedIssuer[] {
  const name = 'trustedIssuers (CDS_TRUSTED_ISSUERS)';
  if (!Array.isArray(value)) throw new ConfigError(`${name} must be a JSON array of {iss, jwks_url} or {iss, jwks}`);
  return value.map((entry, i): TrustedIssuer => {
    const item = asRecord(entry, `${name}[${i}]`);
    const iss = nonEmptyString(item.iss, `${name}[${i}].iss`);
    const hasUrl = item.jwks_url !== undefined;
    const hasKeys = item.jwks !== undefined;
    if (hasUrl === hasKeys) throw new ConfigError(`${name}[${i}] must have exactly one of jwks_url or jwks`);
    if (hasUrl) return { iss, jwks_url: httpUrl(item.jwks_url, `${name}[${i}].jwks_url`) };
    const jwks = asRecord(item.jwks, `${name}[${i}].jwks`);
    if (!Array.isArray(jwks.keys) || jwks.keys.some((k) => typeof k !== 'object' || k === null)) {
      throw new ConfigError(`${name}[${i}].jwks.keys must be an array of JWK objects`);
    }
    return { iss, jwks: { keys: jwks.keys as JsonWebKey[] } };
  });
}
