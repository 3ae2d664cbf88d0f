/**
 * Logging. One structured line per hook call with what an operator needs (hookInstance, service, status,
 * timing, policies and outcome codes) and nothing about the patient: no names, birth dates, identifiers,
 * tokens or clinical values. Redaction is a second net in case a caller logs a request object anyway.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import type { AuditRecord } from './protocol/pipeline.js';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'fhirAuthorization',
  '*.fhirAuthorization',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
  'body',
  '*.body',
  'prefetch',
  '*.prefetch',
  'context',
  '*.context',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    // `app`, not `service`: every hook-call line has its own `service` (the CDS service called).
    base: { app: 'oncology-pa-cds' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export interface HookCallLog {
  hookInstance?: string;
  service: string;
  status: number;
  durationMs: number;
  cards?: number;
  audit?: readonly AuditRecord[];
  error?: string;
}

/** The per-call line; fields are picked one by one so nothing else can slip in. */
export function logHookCall(logger: Logger, call: HookCallLog): void {
  const line = {
    hookInstance: call.hookInstance,
    service: call.service,
    status: call.status,
    durationMs: Math.round(call.durationMs),
    cards: call.cards,
    decisions: call.audit?.map((a) => ({
      payerId: a.payerId,
      policyId: a.policyId,
      policyVersion: a.policyVersion,
      coverageAssertionId: a.coverageAssertionId,
      covered: a.covered,
      paNeeded: a.paNeeded,
    })),
    error: call.error,
  };
  if (call.status >= 500) logger.error(line, 'hook call');
  else if (call.status >= 400) logger.warn(line, 'hook call');
  else logger.info(line, 'hook call');
}
