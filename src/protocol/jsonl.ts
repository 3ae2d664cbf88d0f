/**
 * Append-only JSON Lines file: the embedded store for feedback and audit, needing no server.
 * Writes are queued so lines from concurrent requests never interleave, and flushed to disk before
 * the promise resolves so an acknowledged record survives a crash; concurrent appends share one write and sync.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

interface PendingAppend {
  text: string;
  done: () => void;
  fail: (err: unknown) => void;
}

export class JsonlFile {
  private pending: PendingAppend[] = [];
  private writing = false;
  private ready: Promise<void> | undefined;

  constructor(readonly path: string) {}

  /**
   * Resolves once the records are on disk. Appends that arrive while a write is under way go out together in the
   * next one (group commit): one open, write and datasync for the whole batch instead of one per call, so under
   * load the disk's sync time is paid per batch, not per clinician's call.
   */
  append(records: readonly object[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    return new Promise<void>((done, fail) => {
      this.pending.push({ text, done, fail });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        await this.write(batch.map((p) => p.text).join(''));
        for (const p of batch) p.done();
      } catch (err) {
        // Only this batch fails; later appends are still tried.
        for (const p of batch) p.fail(err);
      }
    }
    this.writing = false;
  }

  private async write(text: string): Promise<void> {
    this.ready ??= mkdir(dirname(this.path), { recursive: true }).then(() => undefined);
    await this.ready;
    const handle = await open(this.path, 'a');
    try {
      await handle.appendFile(text, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
