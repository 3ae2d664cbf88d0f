import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
