/**
 * The JSON body parser for hook, feedback and trace calls: the body is collected as raw bytes (express.raw: the size
 * limit, gzip/deflate, aborted and short bodies, each a 4xx through the error middleware) and decoded and parsed
 * once, when the call's turn comes.
 *
 * Why not express.json: it decodes every chunk into a JavaScript string as it arrives. Under load the bodies of the
 * calls waiting for their turn (hundreds of KB each with a full prefetch) then sit in V8's young generation, and
 * every scavenge copies them again; raw bytes live outside the JavaScript heap. On the benchmark chart this is about
 * a fifth more signings per second (README, Performance).
 *
 * What a client sees is what express.json gave, except that a charset other than UTF-8 is a 415 (RFC 8259 §8.1:
 * JSON exchanged between systems is UTF-8), and a body that is valid JSON but not an object or array reaches the
 * request checks, which say which object was expected, instead of a parse error.
 */
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.js';

export const JSON_MEDIA_TYPES: readonly string[] = ['application/json', 'application/*+json'];

const BYTE_ORDER_MARK = 0xfeff;

/** The `charset` parameter of a Content-Type header, lower-cased; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const value = match?.[1] ?? match?.[2];
  return value === undefined ? undefined : value.toLowerCase();
}

/** Raw bytes → parsed JSON on `req.body`; a body of another media type is left undefined, as express.json does. */
export const parseJsonBytes: RequestHandler = (req, _res, next) => {
  const bytes: unknown = req.body;
  if (!Buffer.isBuffer(bytes)) {
    next();
    return;
  }
  const charset = charsetOf(req.get('content-type'));
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    next(new HttpError(415, `unsupported charset "${charset}": JSON bodies must be UTF-8`, 'not-supported'));
    return;
  }
  // An empty body is an empty object, as with express.json; the request checks then name what is missing.
  if (bytes.length === 0) {
    req.body = {};
    next();
    return;
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === BYTE_ORDER_MARK) text = text.slice(1);
  try {
    req.body = JSON.parse(text) as unknown;
  } catch (err) {
    req.body = undefined;
    next(new HttpError(400, `invalid JSON body: ${err instanceof Error ? err.message : 'not JSON'}`, 'structure'));
    return;
  }
  next();
};

/** The two steps, for a route: collect the bytes (at most `limit`), then parse them. */
export function jsonBody(limit: number | string): RequestHandler[] {
  return [express.raw({ limit, type: [...JSON_MEDIA_TYPES] }), parseJsonBytes];
}
