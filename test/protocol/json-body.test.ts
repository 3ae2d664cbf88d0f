/**
 * The JSON body parser (raw bytes, decoded and parsed once): what a client sees for every way a body can arrive.
 */
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { charsetOf } from '../../src/protocol/json-body.js';
import { buildApp, FIXED_RESPONSE, SIGN, validRequest } from './helpers.js';

const body = JSON.stringify(validRequest('order-sign'));

function post(contentType: string, payload: string | Buffer, headers: Record<string, string> = {}): request.Test {
  const { app } = buildApp();
  let call = request(app).post(SIGN).set('Content-Type', contentType);
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  // bytes as given: superagent would otherwise serialise a Buffer as a JSON object
  return call.serialize((bytes: unknown) => bytes as string).send(payload);
}

describe('JSON body', () => {
  it('answers a UTF-8 body, with or without a charset, and with an application/*+json type', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/fhir+json']) {
      const res = await post(type, body);
      expect(res.status, type).toBe(200);
      expect(res.body).toEqual(FIXED_RESPONSE);
    }
  });

  it('reads non-ASCII text as UTF-8', async () => {
    const { app, pipeline } = buildApp();
    const withAccent = JSON.stringify({ ...validRequest('order-sign'), hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea', note: 'Müller — 5 mg/m²' });
    await request(app).post(SIGN).set('Content-Type', 'application/json').serialize((bytes: unknown) => bytes as string)
      .send(Buffer.from(withAccent, 'utf8')).expect(200);
    expect((pipeline.calls[0]!.request as unknown as { note: string }).note).toBe('Müller — 5 mg/m²');
  });

  it('accepts a byte-order mark before the JSON', async () => {
    const res = await post('application/json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
    expect(res.status).toBe(200);
  });

  it('inflates a gzip-encoded body', async () => {
    const res = await post('application/json', gzipSync(body), { 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(FIXED_RESPONSE);
  });

  it('415 for a charset other than UTF-8, naming it', async () => {
    const res = await post('application/json; charset=utf-16le', Buffer.from(body, 'utf16le'));
    expect(res.status).toBe(415);
    expect(res.body.issue[0]).toMatchObject({ code: 'not-supported', diagnostics: 'unsupported charset "utf-16le": JSON bodies must be UTF-8' });
  });

  it('400 naming the first missing field for an empty JSON body', async () => {
    const res = await post('application/json', '');
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/ is required$/);
  });

  it('400 for a JSON value that is not an object', async () => {
    for (const payload of ['"order-sign"', '42', 'null']) {
      const res = await post('application/json', payload);
      expect(res.status, payload).toBe(400);
      expect(res.body.issue[0].diagnostics).toMatch(/body must be a JSON object/);
    }
  });

  it('400 for truncated JSON, with the parser\'s reason', async () => {
    const res = await post('application/json', body.slice(0, 100));
    expect(res.status).toBe(400);
    expect(res.body.issue[0]).toMatchObject({ code: 'structure' });
    expect(res.body.issue[0].diagnostics).toMatch(/^invalid JSON body: .+/);
  });

  it('400 for a body of another media type: nothing is parsed', async () => {
    const res = await post('text/plain', body);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/body must be a JSON object \(Content-Type: application\/json\)/);
  });
});

describe('charsetOf', () => {
  it('reads the charset parameter, quoted or not, in any case', () => {
    expect(charsetOf(undefined)).toBeUndefined();
    expect(charsetOf('application/json')).toBeUndefined();
    expect(charsetOf('application/json; charset=UTF-8')).toBe('utf-8');
    expect(charsetOf('application/json;charset="utf-16"')).toBe('utf-16');
    expect(charsetOf('application/json; foo=bar; Charset = latin1')).toBe('latin1');
  });
});
