/**
 * Plain member paths (`$.a.b`) are read by direct property access rather than by jsonpath-plus: the matches must be
 * the same, for every path the shipped policies use, on the facts of every shipped scenario and on edge shapes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { gatherChart } from '../../src/gather/index.js';
import { compilePath } from '../../src/policy/jsonpath.js';
import { scenarioRequests } from '../support/scenarios.js';

function policyPaths(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync('policies')) {
    if (!file.endsWith('.json')) continue;
    for (const m of readFileSync(`policies/${file}`, 'utf8').matchAll(/"fact"\s*:\s*"([^"]+)"/g)) found.add(m[1]!);
  }
  return [...found];
}

function byLibrary(path: string, json: object): Array<{ path: string; value: unknown }> {
  const raw = JSONPath({ path, json, eval: false, wrap: true, resultType: 'all' }) as Array<{ path: string; value: unknown }>;
  return raw.map((m) => ({ path: m.path, value: m.value }));
}

describe('compiled JSONPath', () => {
  const paths = policyPaths();

  it('the policies use plain member paths almost everywhere (so the direct reader matters)', () => {
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(p)).length).toBeGreaterThan(paths.length - 3);
  });

  it('selects what jsonpath-plus selects, for every policy path on the facts of every scenario', async () => {
    const catalog = loadCatalog();
    let compared = 0;
    for (const { path: scenario, request } of scenarioRequests()) {
      const chart = await gatherChart(request, { deadlineMs: 200 }).catch(() => undefined);
      for (const order of chart?.draftOrders ?? []) {
        const facts = buildFacts(chart!, order, catalog, '2026-11-23');
        for (const path of paths) {
          expect(compilePath(path).select(facts), `${scenario} ${path}`).toEqual(byLibrary(path, facts));
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it('agrees on edge shapes: missing steps, null and undefined values, arrays and primitives on the way', () => {
    const shapes: object[] = [
      {}, { a: null }, { a: { b: null } }, { a: { b: undefined } }, { a: [1, 2] }, { a: 'text' }, { a: { b: { c: 0 } } },
      { a: { b: [{ c: 1 }] } }, Object.create({ a: { b: 1 } }) as object,
    ];
    for (const json of shapes) {
      for (const path of ['$.a', '$.a.b', '$.a.b.c']) {
        expect(compilePath(path).select(json), `${path} on ${JSON.stringify(json)}`).toEqual(byLibrary(path, json));
      }
    }
  });
});
