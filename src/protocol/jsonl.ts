/**
 * Append-only JSON Lines file: the embedded store for feedback and audit, needing no server.
 * Writes are queued so lines from concurrent requests never interleave, and flushed to disk before
 * the promise resolves so an acknowledged record survives a crash.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

export class JsonlFile {
  private queue: Promise<void> = Promise.resolve();
  private ready: Promise<void> | undefined;

  constructor(readonly path: string) {}

  append(records: readonly object[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const write = this.queue.then(() => this.write(text));
    // Keep the queue alive after a failure; the caller still sees the rejection.
    this.queue = write.catch(() => undefined);
    return write;
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
