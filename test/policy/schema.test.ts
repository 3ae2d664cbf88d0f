import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOSE_UNITS } from '../../src/policy/dose.js';
import { applyOperator } from '../../src/policy/criteria.js';
import type { Operator } from '../../src/policy/types.js';

interface SchemaDefs {
  $defs: { operator: { enum: string[] }; doseUnit: { enum: string[] }; lineOfBusiness: { pattern: string } };
}
const schema = JSON.parse(readFileSync(new URL('../../schemas/policy.schema.json', import.meta.url), 'utf8')) as SchemaDefs;

describe('schema mirrors types.ts', () => {
  it('dose units: the schema enum is exactly the units the engine converts', () => {
    expect([...schema.$defs.doseUnit.enum].sort()).toEqual(Object.keys(DOSE_UNITS).sort());
  });

  it('operators: every schema operator is one the engine applies', () => {
    for (const op of schema.$defs.operator.enum) {
      expect(() => applyOperator(op as Operator, 1, 1), op).not.toThrow();
      expect(applyOperator(op as Operator, 1, 1).status, op).toMatch(/^(met|not-met|not-documented)$/);
    }
    expect(schema.$defs.operator.enum).toHaveLength(18);
  });

  it('lines of business are catalog data: the schema takes any name the catalog can produce', () => {
    const catalogLines = (JSON.parse(readFileSync(new URL('../../catalog/lines-of-business.json', import.meta.url), 'utf8')) as { rules: Array<{ lineOfBusiness: string }> }).rules.map((r) => r.lineOfBusiness);
    expect(catalogLines).toEqual(expect.arrayContaining(['commercial', 'marketplace', 'medicaid', 'medicare']));
    for (const lob of catalogLines) expect(lob).toMatch(new RegExp(schema.$defs.lineOfBusiness.pattern));
  });
});
