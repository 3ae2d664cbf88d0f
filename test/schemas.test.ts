import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

// The service compiles these with validateSchema off (start-up time); the meta-schema check lives here.
const files = readdirSync('schemas').filter((f) => f.endsWith('.schema.json'));

describe('schemas/*.schema.json', () => {
  it('finds the schemas', () => {
    expect(files).toEqual(expect.arrayContaining(['cds-hooks-request.schema.json', 'feedback.schema.json', 'policy.schema.json']));
  });

  it.each(files)('%s is a valid JSON Schema 2020-12 document', (file) => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const schema = JSON.parse(readFileSync(`schemas/${file}`, 'utf8')) as object;
    const valid = ajv.validateSchema(schema);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});
