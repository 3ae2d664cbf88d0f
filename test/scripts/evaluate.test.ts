/**
 * `npm run evaluate` answers every input in words: a trace, or what is wrong with the file and how to fix it —
 * never a stack trace.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyFacts } from '../../src/policy/facts-skeleton.js';
import { parseEvaluateArgs, runEvaluate, type EvaluateArgs } from '../../scripts/lib/evaluate-run.js';
import { listScenarioFiles, SHIPPED } from '../support/policy-data.js';

const dir = mkdtempSync(join(tmpdir(), 'evaluate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Any shipped scenario: the first one, whichever it is. */
const scenario = listScenarioFiles(SHIPPED.scenarios)[0]!;
const base = JSON.parse(readFileSync(scenario.file, 'utf8')) as { prefetch: Record<string, unknown>; context: Record<string, unknown> };

function write(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const args = (file: string, extra: Partial<EvaluateArgs> = {}): EvaluateArgs => ({ file, policiesDir: 'policies', catalogDir: 'catalog', json: false, ...extra });

describe('npm run evaluate', () => {
  it('prints the trace of a scenario', async () => {
    const out = await runEvaluate(args(scenario.file));
    expect(out.code).toBe(0);
    expect(out.lines.join('\n')).toMatch(/^Policy \S+ v\S+/);
    expect(out.lines.join('\n')).toMatch(/→ (met|not-met|not-documented)/);
  });

  it('a request without medicationRequests: says which prefetch key is missing and how to supply it', async () => {
    const { medicationRequests: _dropped, ...prefetch } = base.prefetch;
    const out = await runEvaluate(args(write('no-medreq.json', { ...base, prefetch })));
    expect(out.code).toBe(1);
    expect(out.lines.join('\n')).toContain('prefetch lacks medicationRequests');
    expect(out.lines.join('\n')).toContain('"type": "searchset", "entry": []');
  });

  it('a request without draft orders, broken JSON, a missing file, something else', async () => {
    const { draftOrders: _d, ...context } = base.context;
    expect((await runEvaluate(args(write('no-orders.json', { ...base, context })))).lines.join('\n')).toContain('is not a usable CDS Hooks request: context.draftOrders is required');
    expect((await runEvaluate(args(write('broken.json', '{"hook": ')))).lines.join('\n')).toMatch(/broken\.json is not JSON: /);
    expect((await runEvaluate(args(join(dir, 'nope.json')))).lines).toEqual([`cannot read ${join(dir, 'nope.json')}: no such file`]);
    expect((await runEvaluate(args(write('array.json', [1, 2])))).lines.join('\n')).toContain('is not a JSON object');
    expect((await runEvaluate(args(write('other.json', { resourceType: 'Patient' })))).lines.join('\n')).toContain('neither a CDS Hooks request');
  });

  it('ClinicalFacts: incomplete ones name the missing facts; complete ones without a payer say so', async () => {
    const partial = await runEvaluate(args(write('partial.json', { serviceDate: '2026-01-01', order: {}, body: {}, authorizations: [] })));
    expect(partial.code).toBe(1);
    expect(partial.lines.join('\n')).toMatch(/is not complete ClinicalFacts; it lacks \$\.patient\.reference, .* \(docs\/facts\.md lists every fact\)/);
    const facts = emptyFacts('2026-01-01');
    const noPayer = await runEvaluate(args(write('facts.json', { ...facts, order: { ...facts.order, drug: 'ixabepilone' } })));
    expect(noPayer.lines.join('\n')).toContain('no evaluation — the payer is not documented');
  });

  it('an unknown --policy, an unknown option', async () => {
    expect((await runEvaluate(args(scenario.file, { policyId: 'nope' }))).lines).toEqual(['no policy with id "nope" in the policies directory']);
    expect(parseEvaluateArgs(['x.json', '--polcy', 'a'])).toMatch(/^unknown option --polcy\nusage: /);
  });

  it('as a command: the message on stderr, exit 1, no stack trace', () => {
    const { medicationRequests: _dropped, ...prefetch } = base.prefetch;
    const file = write('cli-no-medreq.json', { ...base, prefetch });
    let stderr = '';
    let status = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/evaluate.ts', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      ({ stderr, status } = err as { stderr: string; status: number });
    }
    expect(status).toBe(1);
    expect(stderr).toContain('prefetch lacks medicationRequests');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
