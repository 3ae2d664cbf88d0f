/**
 * The FHIR JSON type check on prefetch and draft orders: over HTTP (400 naming the element, the pipeline never
 * called), and as a property — whatever a type-mutated chart passes the check, gather → drug identification →
 * facts must handle without throwing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { identifyOrderedDrug, loadCatalog } from '../../src/catalog/index.js';
import { buildFacts } from '../../src/facts/index.js';
import { gatherChart } from '../../src/gather/index.js';
import { inspectRequestFhir } from '../../src/protocol/fhir-guard.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { defaultConfig } from '../../src/config.js';
import { createPipeline } from '../../src/pipeline.js';
import { buildApp, SIGN } from '../protocol/helpers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const SCENARIO = 'fhir-resources/scenarios/bsc-ixabepilone/bsa-computed-kg-cm.json';
const original = JSON.parse(readFileSync(SCENARIO, 'utf8')) as { [key: string]: Json };

/** A copy of the scenario with `value` put at each path (an array index or an object key at each step). */
function changed(...changes: Array<[Path, Json]>): Record<string, unknown> {
  const copy = structuredClone(original);
  for (const [path, value] of changes) {
    let node: Json | undefined = copy;
    for (const step of path.slice(0, -1)) {
      node = node !== null && typeof node === 'object' ? (node as Record<string | number, Json>)[step] : undefined;
    }
    if (node === null || typeof node !== 'object') throw new Error(`no container at ${path.join('.')}`);
    (node as Record<string | number, Json>)[path[path.length - 1]!] = value;
  }
  return copy;
}

async function expect400(body: Record<string, unknown>, diagnostics: string): Promise<void> {
  const { app, pipeline } = buildApp();
  const res = await request(app).post(SIGN).set('Content-Type', 'application/json').send(JSON.stringify(body).replace('"__INF__"', '1e400'));
  expect(res.status).toBe(400);
  expect(res.body.issue[0].diagnostics).toBe(diagnostics);
  expect(pipeline.calls).toHaveLength(0);
}

describe('FHIR JSON types in prefetch and draft orders, over HTTP', () => {
  it('accepts every scenario request shipped with the project', () => {
    const root = 'fhir-resources/scenarios';
    let checked = 0;
    for (const dir of readdirSync(root)) {
      for (const file of readdirSync(`${root}/${dir}`)) {
        if (!file.endsWith('.json') || file.endsWith('.expect.json')) continue;
        const r = JSON.parse(readFileSync(`${root}/${dir}/${file}`, 'utf8')) as HookRequest;
        expect(inspectRequestFhir(r), `${dir}/${file}`).toBeUndefined();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  const ORDER: Path = ['context', 'draftOrders', 'entry', 0, 'resource'];
  it.each<[string, Path, Json, string]>([
    ['a string element holding a boolean', ['prefetch', 'coverage', 'entry', 0, 'resource', 'class', 0, 'name'], false,
      'prefetch.coverage.entry[0].resource.class[0].name must be a string (FHIR string)'],
    ['a code holding an object', [...ORDER, 'medicationCodeableConcept', 'coding', 0, 'code'], { x: 1 },
      'context.draftOrders.entry[0].resource.medicationCodeableConcept.coding[0].code must be a string (FHIR code)'],
    ['a repeating element that is not an array', [...ORDER, 'dosageInstruction'], { text: 'x' },
      'context.draftOrders.entry[0].resource.dosageInstruction must be an array'],
    ['a single element given as an array', ['prefetch', 'patient', 'birthDate'], ['1968-04-12'],
      'prefetch.patient.birthDate must be a string'],
    ['a null inside a repeating complex element', ['prefetch', 'conditions', 'entry', 0, 'resource', 'code', 'coding', 0], null,
      'prefetch.conditions.entry[0].resource.code.coding[0] must be an object'],
    ['a null element', ['prefetch', 'patient', 'gender'], null, 'prefetch.patient.gender must be a string'],
    ['a decimal given as text', ['prefetch', 'observations', 'entry', 0, 'resource', 'valueQuantity', 'value'], '72',
      'prefetch.observations.entry[0].resource.valueQuantity.value must be a number (FHIR decimal)'],
    ['a number too large for a double', ['prefetch', 'observations', 'entry', 0, 'resource', 'valueQuantity', 'value'], '__INF__',
      'prefetch.observations.entry[0].resource.valueQuantity.value must be a number (FHIR decimal)'],
    ['a reference that is not a string', [...ORDER, 'subject', 'reference'], 7,
      'context.draftOrders.entry[0].resource.subject.reference must be a string (FHIR string)'],
    ['a bundle entry without a resource object', ['prefetch', 'conditions', 'entry', 0, 'resource'], 'Condition/dx',
      'prefetch.conditions.entry[0].resource must be an object (FHIR Resource)'],
    ['a contained resource of the wrong shape', [...ORDER, 'contained'], [{ resourceType: 'Medication', id: 'm', code: 'ixabepilone' }],
      'context.draftOrders.entry[0].resource.contained[0].code must be an object (FHIR CodeableConcept)'],
    ['a required element missing', ['prefetch', 'coverage', 'entry', 0, 'resource', 'class', 0], { value: 'PPO' },
      'prefetch.coverage.entry[0].resource.class[0].type is required (FHIR Coverage.class.type)'],
    ['a prefetch value that is not a resource (the request schema already says so)', ['prefetch', 'patient'], 'pat-bc-1',
      'prefetch.patient must be object,null'],
  ])('400 for %s', (_what, path, value, diagnostics) => expect400(changed([path, value]), diagnostics));

  it('accepts what FHIR JSON allows: null prefetch keys, unknown elements and resource types, primitive extensions', async () => {
    const { app, pipeline } = buildApp();
    const name: Path = ['prefetch', 'patient', 'name', 0];
    const body = changed(
      [['prefetch', 'claimResponses'], null],
      [['prefetch', 'extra'], { resourceType: 'Encounter', id: 'e1', whatever: [1, 'two', null] }],
      [[...name, 'given'], ['Breast', null]],
      [[...name, '_given'], [null, { extension: [{ url: 'http://example.org/x', valueString: 'y' }] }]],
      [['prefetch', 'patient', 'text'], { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' }],
      [['prefetch', 'patient', 'someFutureElement'], { anything: true }],
    );
    // the CDS Hooks sandbox's draft orders carry no `intent`; nothing reads it, so it is not refused
    const order = (body.context as { draftOrders: { entry: Array<{ resource: Record<string, unknown> }> } }).draftOrders.entry[0]!.resource;
    delete order.intent;
    await request(app).post(SIGN).send(body).expect(200);
    expect(pipeline.calls).toHaveLength(1);
  });
});

// ---- property: what passes the check, the chart code handles ----

function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => { out.push([...prefix, i]); pathsOf(v, [...prefix, i], out); });
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { out.push([...prefix, k]); pathsOf(v, [...prefix, k], out); }
  }
  return out;
}

// The chart the property mutates carries a routine lab as well, which the check skips while its code is well formed
// and on no fact list: whatever passes must still not break gather or facts.
const propertyChart = structuredClone(original);
const observationsBundle = (propertyChart.prefetch as { [key: string]: { entry: Json[] } })['observations']!;
observationsBundle.entry.push({ resource: {
  resourceType: 'Observation', id: 'routine-hgb', status: 'final', subject: { reference: `Patient/${String((original.context as { [key: string]: Json })['patientId'])}` },
  code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] }, effectiveDateTime: '2026-01-05',
  valueQuantity: { value: 11.2, unit: 'g/dL' },
} });
const FHIR_PATHS = pathsOf(propertyChart).filter((p) => p[0] === 'prefetch' || (p[0] === 'context' && p[1] === 'draftOrders'));
const catalog = loadCatalog('catalog');
/** the service's own predicate, as createPipeline wires it */
const readsResource = createPipeline(defaultConfig({})).pipeline.readsResource;
const DELETE = Symbol('delete');
const value: fc.Arbitrary<Json | typeof DELETE> = fc.oneof(
  fc.constant(DELETE), fc.constant(DELETE), fc.constant(DELETE),
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 8 }),
  fc.constantFrom<Json>({}, [], [null], [{}], { resourceType: 'Bundle' }, { resourceType: 'Bundle', entry: 5 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

describe('gather and facts after the check', () => {
  it('never throw on a type-mutated chart that passed it', async () => {
    let passed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...FHIR_PATHS), value), { minLength: 1, maxLength: 3 }), async (changes) => {
        const r = structuredClone(propertyChart);
        for (const [path, v] of changes) {
          let node: Json | undefined = r;
          for (const step of path.slice(0, -1)) node = node && typeof node === 'object' ? (node as Record<string | number, Json>)[step] : undefined;
          const last = path[path.length - 1]!;
          if (!node || typeof node !== 'object') continue;
          if (v !== DELETE) (node as Record<string | number, Json>)[last] = v;
          else if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
          else delete (node as Record<string | number, Json>)[last];
        }
        const req = r as unknown as HookRequest;
        if (!req.context?.draftOrders || inspectRequestFhir(req, readsResource) !== undefined) return;
        passed += 1;
        let chart;
        try {
          chart = await gatherChart(req, { fhirServerAllowlist: ['https://fhir.allowlisted.invalid/fhir'], deadlineMs: 200 });
        } catch (err) {
          expect((err as Error).name).toBe('DataUnavailableError');
          return;
        }
        for (const order of chart.draftOrders) {
          identifyOrderedDrug(order, chart, catalog);
          buildFacts(chart, order, catalog, '2026-03-01');
        }
      }),
      { numRuns: 1000, seed: 5 },
    );
    // deletions and type-keeping changes (one string for another) pass the check and reach the chart code
    expect(passed).toBeGreaterThan(100);
  }, 60_000);
});
