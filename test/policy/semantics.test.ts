/**
 * The mistakes an analyst makes when writing a policy by hand, each made in a copy of a shipped policy: every one
 * must fail `policies:check` (and start-up) with the file, the JSON path, what was expected and how to fix it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { checkPolicies, knownIdsOf, loadPolicies, problemText } from '../../src/policy/load.js';
import type { Criterion, Leaf, Policy } from '../../src/policy/types.js';

const known = knownIdsOf(loadCatalog('catalog'));
const shipped = readdirSync('policies')
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, text: readFileSync(join('policies', f), 'utf8') }));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Every leaf of a policy with its JSON pointer. */
function leaves(p: Policy): Array<{ leaf: Leaf; pointer: string }> {
  const out: Array<{ leaf: Leaf; pointer: string }> = [];
  const walk = (c: Criterion, at: string): void => {
    if ('all' in c) c.all.forEach((x, i) => walk(x, `${at}/all/${i}`));
    else if ('any' in c) c.any.forEach((x, i) => walk(x, `${at}/any/${i}`));
    else if ('not' in c) walk(c.not, `${at}/not`);
    else out.push({ leaf: c, pointer: at });
  };
  p.indications.forEach((ind, i) => {
    walk(ind.criteria, `/indications/${i}/criteria`);
    ind.doseLimits?.forEach((s, j) => s.alternatives.forEach((a, k) => a.when && walk(a.when, `/indications/${i}/doseLimits/${j}/alternatives/${k}/when`)));
  });
  p.exclusions?.forEach((x, i) => walk(x.criteria, `/exclusions/${i}/criteria`));
  return out;
}

/**
 * Copy the first shipped policy holding a leaf that `pick` accepts, change it with `mutate`, and check the copy.
 * Answers the problems and the pointer of the changed leaf.
 */
function mistake(pick: (l: Leaf) => boolean, mutate: (l: Leaf, p: Policy) => void): { problems: string[]; pointer: string; file: string } {
  for (const { name, text } of shipped) {
    const policy = JSON.parse(text) as Policy;
    const hit = leaves(policy).find((l) => pick(l.leaf));
    if (hit === undefined) continue;
    mutate(hit.leaf, policy);
    const dir = mkdtempSync(join(tmpdir(), 'analyst-'));
    dirs.push(dir);
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(policy, null, 2));
    return { problems: checkPolicies(dir, known).problems.map(problemText), pointer: hit.pointer, file };
  }
  throw new Error('no shipped policy has such a leaf');
}

describe('the shipped policies', () => {
  it('pass every check', () => {
    expect(checkPolicies('policies', known).problems.map(problemText)).toEqual([]);
  });
});

describe('each typical mistake fails with a fix-it message', () => {
  it('an unknown payer id (the policy would never be selected)', () => {
    const { problems, file } = mistake(() => true, (_, p) => {
      p.payer.id = 'blue-shield-california';
    });
    expect(problems).toEqual([`${file}: /payer/id "blue-shield-california" is not a payer id of catalog/payers.json — did you mean "blue-shield-ca"?`]);
  });

  it('a misspelt attestation id (never met)', () => {
    const { problems, pointer, file } = mistake((l) => l.op === 'mentions' && l.value === 'unresectable', (l) => {
      l.value = 'unresectible';
    });
    expect(problems).toEqual([`${file}: ${pointer}/value "unresectible" is not an attestation id of catalog/attestations.json — did you mean "unresectable"?`]);
  });

  it('an unknown drug id inside a `not` (would read "has not received it" for everyone)', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.therapy.activeMedications' && l.op === 'notIn', (l) => {
      (l.value as string[])[0] = 'inotuzumab';
    });
    expect(problems).toEqual([`${file}: ${pointer}/value/0 "inotuzumab" is not a drug id of catalog/drugs.json — did you mean "inotuzumab-ozogamicin"?`]);
  });

  it('an unknown drug class or regimen', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.order.partnerClasses' && JSON.stringify(l.value) === '["tki"]', (l) => {
      l.value = ['tkis'];
    });
    expect(problems).toEqual([`${file}: ${pointer}/value/0 "tkis" is not a drug class of catalog/drugs.json or a regimen of catalog/regimens.json — did you mean "tki"?`]);
  });

  it('"18" as a string with atLeast (a 42-year-old would be not met)', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.patient.age' && l.op === 'atLeast', (l) => {
      l.value = '18';
    });
    expect(problems).toEqual([`${file}: ${pointer}/value $.patient.age is a number (in years); "18" is string — write 18 without quotes`]);
  });

  it('"Negative" with a capital N', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.biomarkers.philadelphiaChromosome' && l.value === 'negative', (l) => {
      l.value = 'Negative';
    });
    expect(problems).toEqual([`${file}: ${pointer}/value "Negative" is not a value of $.biomarkers.philadelphiaChromosome; expected one of positive, negative, equivocal — did you mean "negative"?`]);
  });

  it('`mentions` on a true/false fact', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.disease.unresectable' && l.op === 'isTrue', (l) => {
      l.op = 'mentions';
      l.value = 'unresectable';
    });
    expect(problems).toEqual([`${file}: ${pointer}/op "mentions" does not apply to $.disease.unresectable, which is true/false; use one of isTrue, isFalse, equals, notEquals, exists (see docs/facts.md)`]);
  });

  it('a fact path that names no fact', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.biomarkers.her2', (l) => {
      l.fact = '$.biomarker.her2';
    });
    expect(problems).toEqual([`${file}: ${pointer}/fact "$.biomarker.her2" names no fact of ClinicalFacts (docs/facts.md lists them) — did you mean "$.biomarkers.her2"?`]);
  });

  it('an unknown line of business', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.coverage.lineOfBusiness', (l) => {
      l.value = 'medical';
    });
    expect(problems).toEqual([`${file}: ${pointer}/value "medical" is not a line of business of catalog/lines-of-business.json — did you mean "medicaid"?`]);
  });

  it('a total per cycle below one dose\'s cap (the analyst test policy with 0.5 for 1.8 mg/m²)', () => {
    const name = 'bcbsnc-inotuzumab-cycle-total.json';
    const policy = JSON.parse(readFileSync(join('test/fixtures/analyst-data/policies', name), 'utf8')) as Policy;
    const alternative = policy.indications[0]?.doseLimits?.[0]?.alternatives[0];
    if (alternative?.cumulative === undefined) throw new Error('the analyst test policy has no total per cycle');
    alternative.cumulative.max = 0.5;
    const dir = mkdtempSync(join(tmpdir(), 'analyst-'));
    dirs.push(dir);
    writeFileSync(join(dir, name), JSON.stringify(policy, null, 2));
    expect(checkPolicies(dir, known).problems.map(problemText)).toEqual([
      `${join(dir, name)}: /indications/0/doseLimits/0/alternatives/0/cumulative/max a total per cycle of 0.5 mg/m2 is less than one dose's cap of 0.8 mg/m2: check the numbers against the document`,
    ]);
  });

  describe('a total per course (the analyst test policy centene-inotuzumab-course-total)', () => {
    const name = 'centene-inotuzumab-course-total.json';
    const at = '/indications/0/doseLimits/1/alternatives/0/cumulative';
    /** The test policy with its total per course changed by `mutate`, checked: every problem as policies:check prints it. */
    function check(mutate: (cap: Record<string, unknown>) => void): { problems: string[]; file: string } {
      const policy = JSON.parse(readFileSync(join('test/fixtures/analyst-data/policies', name), 'utf8')) as Policy;
      const cap = policy.indications[0]?.doseLimits?.[1]?.alternatives[0]?.cumulative as Record<string, unknown> | undefined;
      if (cap === undefined) throw new Error('the analyst test policy has no total per course');
      mutate(cap);
      const dir = mkdtempSync(join(tmpdir(), 'analyst-'));
      dirs.push(dir);
      writeFileSync(join(dir, name), JSON.stringify(policy, null, 2));
      return { problems: checkPolicies(dir, known).problems.map(problemText), file: join(dir, name) };
    }

    it('as written, passes', () => {
      expect(check(() => undefined).problems).toEqual([]);
    });

    it('without the pause that ends a course: asks for courseGapDays and says what it means', () => {
      const { problems, file } = check((cap) => delete cap['courseGapDays']);
      expect(problems).toEqual([
        `${file}: ${at} a total per course needs "courseGapDays": the longest pause, in days, between two doses that still continues the course (a longer one starts a new course), as the document states or the clause table reads it — e.g. "courseGapDays": 42`,
      ]);
    });

    it('courseGapDays on a total per cycle: remove it, or make it per course', () => {
      const { problems, file } = check((cap) => (cap['per'] = 'cycle'));
      expect(problems).toEqual([`${file}: ${at}/courseGapDays "courseGapDays" applies to a total per course only: remove it, or write "per": "course" if the document limits the whole course`]);
    });

    it('a misspelt "per": the allowed values, the nearest, and what each means', () => {
      const { problems, file } = check((cap) => (cap['per'] = 'cours'));
      expect(problems).toEqual([
        `${file}: ${at}/per "cours" is not allowed; expected one of cycle, course — did you mean "course"? ("cycle" sums the order's own dose lines, one order being one cycle; "course" adds the doses already given in the current course, and then needs "courseGapDays")`,
      ]);
    });

    it('a unit per day: a total adds doses, so its unit is per dose', () => {
      const { problems, file } = check((cap) => (cap['unit'] = 'mg/m2/d'));
      expect(problems).toEqual([
        `${file}: ${at}/unit "mg/m2/d" is not allowed; expected one of mg, mg/m2, mg/kg, ug — did you mean "mg/m2"? (a total adds doses up: its unit is per dose, never per day; a continuous infusion's daily rate is limited with "dose")`,
      ]);
    });

    it('a gap of 0 or a fraction of a day', () => {
      expect(check((cap) => (cap['courseGapDays'] = 0)).problems[0]).toContain(`${at}/courseGapDays must be >= 1`);
      expect(check((cap) => (cap['courseGapDays'] = 42.5)).problems[0]).toContain(`${at}/courseGapDays must be integer`);
    });
  });

  it('a value in another unit than the fact', () => {
    const { problems, pointer, file } = mistake((l) => l.fact === '$.body.weightKg', (l) => {
      l.unit = 'lb';
    });
    expect(problems).toEqual([`${file}: ${pointer}/unit $.body.weightKg is in kg, not "lb"; convert the value to kg and write "unit": "kg"`]);
  });

  it('an ICD-10 code in lower case, a phase that is not one', () => {
    const icd = mistake((l) => l.fact === '$.diagnoses.icd10' && l.op === 'includesAny', (l) => {
      (l.value as string[])[0] = 'c91.00';
    });
    expect(icd.problems).toEqual([`${icd.file}: ${icd.pointer}/value/0 "c91.00" is not an ICD-10-CM code in upper case with its dot, e.g. C50.911 — did you mean "C91.00"?`]);
    const phase = mistake((l) => l.fact === '$.order.phase', (l) => {
      l.value = 'consolidaton';
    });
    expect(phase.problems).toEqual([`${phase.file}: ${phase.pointer}/value "consolidaton" is not a phase of catalog/attestations.json "phases" — did you mean "consolidation"?`]);
  });

  it('start-up refuses the same file, naming the first problem', () => {
    const { file } = mistake((l) => l.fact === '$.patient.age', (l) => {
      l.value = '18';
    });
    expect(() => loadPolicies(join(file, '..'), known)).toThrow(/\/value \$\.patient\.age is a number \(in years\); "18" is string/);
  });
});

describe('versions of one policy', () => {
  function versions(a: Policy['effective'], b: Policy['effective']): string[] {
    const base = JSON.parse(shipped[0]!.text) as Policy;
    const dir = mkdtempSync(join(tmpdir(), 'versions-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...base, id: `${base.id}-old`, effective: a }));
    writeFileSync(join(dir, 'new.json'), JSON.stringify({ ...base, id: `${base.id}-new`, effective: b }));
    return checkPolicies(dir, known).problems.map((p) => `${p.pointer} ${p.message}`);
  }
  const id = (JSON.parse(shipped[0]!.text) as Policy).id;

  it('that follow each other pass', () => {
    expect(versions({ from: '2024-01-01', to: '2024-12-31' }, { from: '2025-01-01' })).toEqual([]);
  });

  it('that overlap are reported, with the date that would end the earlier one', () => {
    expect(versions({ from: '2024-01-01' }, { from: '2025-01-01' })).toEqual([
      `/effective/from overlaps ${id}-old (${join(dirs[0]!, 'old.json')}) and ${id}-new: both in effect on 2025-01-01; end the earlier version with "to": "2024-12-31"`,
    ]);
  });

  it('that leave a gap are reported', () => {
    expect(versions({ from: '2024-01-01', to: '2024-11-30' }, { from: '2025-01-01' })).toEqual([
      `/effective/from leaves a gap after ${id}-old (${join(dirs[0]!, 'old.json')}) and ${id}-new: no version in effect from 2024-12-01 to 2024-12-31; start this version on "2024-12-01" or extend the earlier one`,
    ]);
  });
});

describe('npm run policies:check', () => {
  it('lists every problem of a directory and exits 1', () => {
    const { file } = mistake((l) => l.fact === '$.biomarkers.philadelphiaChromosome' && l.value === 'negative', (l, p) => {
      l.value = 'Negative';
      p.payer.id = 'bcbs-north-carolina';
    });
    let out = '';
    let status = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/policies-check.ts', join(file, '..')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      status = e.status;
      out = e.stderr;
    }
    expect(status).toBe(1);
    expect(out).toContain(`✗ ${file}: /payer/id "bcbs-north-carolina" is not a payer id of catalog/payers.json`);
    expect(out).toContain('did you mean "negative"?');
    expect(out).toContain('2 problems in');
  }, 30_000);
});
