import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlAuditLog } from '../../src/protocol/audit.js';
import { JsonlFeedbackStore } from '../../src/protocol/feedback.js';
import { JsonlFile } from '../../src/protocol/jsonl.js';

describe('JsonlFile (group commit)', () => {
  it('writes every record of concurrent appends, whole lines, in call order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jsonl-')), 'nested', 'log.jsonl');
    const file = new JsonlFile(path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => file.append([{ n: i }, { n: i, second: true }])));
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { n: number });
    expect(lines).toHaveLength(100);
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 50 }, (_, i) => [i, i]).flat());
  });

  it('rejects when the file cannot be written; an empty append writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const broken = new JsonlFile(join(blocker, 'log.jsonl'));
    await expect(broken.append([{ a: 1 }])).rejects.toThrow();

    const path = join(dir, 'ok.jsonl');
    const file = new JsonlFile(path);
    await file.append([{ a: 1 }]);
    await file.append([]);
    await file.append([{ a: 2 }]);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });
});

describe('JsonlFile: directory and rotation', () => {
  it('tries to create the directory again on the next append after a failure (nothing cached)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
    const blocker = join(dir, 'var');
    writeFileSync(blocker, ''); // a file where the directory should be, as with a volume not mounted yet
    const file = new JsonlFile(join(blocker, 'audit.jsonl'));
    await expect(file.append([{ a: 1 }])).rejects.toThrow();
    rmSync(blocker);
    await file.append([{ a: 2 }]);
    expect(readFileSync(join(blocker, 'audit.jsonl'), 'utf8')).toBe('{"a":2}\n');
  });

  it.each([
    ['audit', (path: string) => new JsonlAuditLog(path, undefined, { rotateBytes: 4096 })],
    ['feedback', (path: string) => new JsonlFeedbackStore(path, undefined, { rotateBytes: 4096 })],
  ])('rotates the %s file by size with two writers (two workers) on it, and loses no record', async (_store, open) => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-rotate-'));
    const path = join(dir, 'store.jsonl');
    const writers = [open(path), open(path)];
    const records = Array.from({ length: 600 }, (_, i) => ({ n: i, writer: i % 2, pad: 'x'.repeat(40) }));
    // appends arrive in bursts from both writers while files fill up and rotate
    for (let burst = 0; burst < 600; burst += 50) {
      await Promise.all(records.slice(burst, burst + 50).map((r) => writers[r.writer]!.append([r])));
    }
    const files = readdirSync(dir).filter((f) => f.startsWith('store.') && f.endsWith('.jsonl'));
    const rotated = files.filter((f) => f !== 'store.jsonl');
    expect(rotated.length).toBeGreaterThanOrEqual(5);
    for (const f of rotated) expect(f).toMatch(/^store\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.\d+-\d+\.jsonl$/);
    // a file is rotated once it reaches the size: none holds much more than that plus one burst
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThan(4096 + 50 * 80);
    const stored = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { n: number }).n).sort((a, b) => a - b);
    expect(stored).toEqual(records.map((r) => r.n));
  });
});
