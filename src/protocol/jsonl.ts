/**
 * Append-only JSON Lines file: the embedded store for feedback and audit, needing no server.
 * Writes are queued so lines from concurrent requests never interleave. An append resolves once its lines are
 * written to the file (in the operating system's hands: a crash of this process loses nothing); each batch is then
 * synced to the disk before the next one is written, without holding up the calls waiting on it. A signing therefore
 * never waits for a disk sync (which under load took tens to hundreds of ms and set the p99); a power loss can lose
 * at most the last batch's lines.
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
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

  /** `onSyncError`: told when a batch already acknowledged could not be synced to the disk (to be logged) */
  constructor(
    readonly path: string,
    private readonly onSyncError: (err: unknown) => void = () => undefined,
  ) {}

  /**
   * Resolves once the records are written. Appends that arrive while a batch is being written or synced go out
   * together in the next one (group commit): one open, write and sync per batch instead of one per call.
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
      let handle: FileHandle | undefined;
      try {
        handle = await this.openForAppend();
        await handle.appendFile(batch.map((p) => p.text).join(''), 'utf8');
        for (const p of batch) p.done();
      } catch (err) {
        // Only this batch fails; later appends are still tried.
        for (const p of batch) p.fail(err);
      }
      if (handle !== undefined) await this.syncAndClose(handle);
    }
    this.writing = false;
  }

  private async openForAppend(): Promise<FileHandle> {
    this.ready ??= mkdir(dirname(this.path), { recursive: true }).then(() => undefined);
    await this.ready;
    return open(this.path, 'a');
  }

  /** The lines are already acknowledged, so a failing sync can only be reported. */
  private async syncAndClose(handle: FileHandle): Promise<void> {
    try {
      await handle.datasync();
    } catch (err) {
      this.onSyncError(err);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
