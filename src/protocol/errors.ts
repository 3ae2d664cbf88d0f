/**
 * Errors as the service answers them: a status and a FHIR OperationOutcome whose diagnostics say what was wrong.
 * Anything a client can send maps to a 4xx here; only a fault of our own becomes a 500, and it is logged
 * without the request body or any patient data.
 */
import type { ErrorRequestHandler } from 'express';
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import type { Logger } from 'pino';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly code: IssueCode = issueCodeFor(status),
    /** what the log may say about it: the message unless it could quote the body (a JSON parser's message can) */
    readonly logReason: string = message,
  ) {
    super(message);
  }
}

export function operationOutcome(severity: IssueSeverity, code: IssueCode, diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

export function issueCodeFor(status: number): IssueCode {
  switch (status) {
    case 400: return 'invalid';
    case 401: return 'login';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 405: return 'not-supported';
    case 412: return 'incomplete';
    case 413: return 'too-long';
    case 415: return 'not-supported';
    case 429: return 'throttled';
    default: return status >= 500 ? 'exception' : 'invalid';
  }
}

/** Errors raised by express' body parser carry a `type`, an `expose` flag and a client status. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  message: string;
}

function asBodyParserError(err: unknown): BodyParserError | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & BodyParserError;
  return typeof e.type === 'string' ? e : undefined;
}

function clientStatus(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const { status, statusCode } = err as Error & { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && value >= 400 && value < 500 ? value : undefined;
}

/** Turns any thrown value into the status and outcome the client gets. */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  // Placeholder for gather's DataUnavailableError: matched by name so this layer does not depend on gather.
  if (err instanceof Error && err.name === 'DataUnavailableError') {
    return new HttpError(412, err.message, 'incomplete');
  }
  const bp = asBodyParserError(err);
  if (bp) {
    switch (bp.type) {
      case 'entity.parse.failed': return new HttpError(400, `invalid JSON body: ${bp.message}`, 'structure', 'invalid JSON body');
      case 'entity.too.large': return new HttpError(413, `request body too large: ${bp.message}`, 'too-long');
      case 'encoding.unsupported':
      case 'charset.unsupported': return new HttpError(415, bp.message, 'not-supported');
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set': return new HttpError(400, bp.message, 'invalid');
    }
  }
  // Other client errors raised by express itself (e.g. a path parameter that is not valid %-encoding).
  const status = clientStatus(err);
  if (status !== undefined) return new HttpError(status, (err as Error).message);
  return undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = toHttpError(err);
    if (known) {
      // every refusal says why in the log (the field named, the limit passed), never with a value from the body
      if (known.status === 412) logger.warn({ status: 412, path: req.path, reason: known.logReason }, 'data unavailable');
      else logger.warn({ status: known.status, path: req.path, reason: known.logReason }, 'request refused');
      res.status(known.status).json(operationOutcome('error', known.code, known.message));
      return;
    }
    // Our own fault. Log what helps debugging but never the request body, headers or patient data: the message
    // of an error raised deep in the pipeline may quote a value from the chart, so only its length is kept, and
    // the stack without its first (message) line.
    const e = err instanceof Error ? err : new Error('non-error thrown');
    logger.error({
      err: { name: e.name, messageLength: e.message.length, stack: stackFrames(e.stack) },
      method: req.method, path: req.path,
    }, 'unexpected error');
    res.status(500).json(operationOutcome('fatal', 'exception', 'internal error; the request was not processed'));
  };
}

/** The `at …` lines of a stack, without the leading `Name: message` line(s). */
export function stackFrames(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  return stack.split('\n').filter((line) => /^\s+at /.test(line)).join('\n');
}
