import { describe, expect, it } from 'vitest';
import { inspectJson } from '../../src/protocol/json-guard.js';
import { findService } from '../../src/protocol/services.js';
import { fieldName, validateFeedback, validateHookRequest } from '../../src/protocol/validate.js';

describe('request validation', () => {
  it('names fields the way clients write them', () => {
    expect(fieldName('')).toBe('');
    expect(fieldName('/context/draftOrders/entry/0/resource')).toBe('context.draftOrders.entry[0].resource');
    expect(fieldName('/prefetch/a~1b')).toBe('prefetch.a/b');
  });

  it('rejects a body that is not an object', () => {
    const service = findService('oncology-pa-order-sign')!;
    expect(() => validateHookRequest(null, service)).toThrow(/body must be a JSON object/);
    expect(() => validateFeedback('x')).toThrow(/body must be a JSON object/);
  });
});

describe('JSON guard', () => {
  it('accepts ordinary JSON up to the depth limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 64; i++) deep = [deep];
    expect(inspectJson(deep)).toBeUndefined();
    expect(inspectJson([deep])).toMatch(/deeper than 64/);
  });

  it('finds forbidden keys at any depth', () => {
    expect(inspectJson(JSON.parse('{"a":[{"b":{"__proto__":1}}]}'))).toMatch(/__proto__/);
    expect(inspectJson({ a: { prototype: 1 } })).toMatch(/prototype/);
    expect(inspectJson({ a: 'constructor' })).toBeUndefined();
  });
});
