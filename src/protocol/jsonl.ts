/**
 * Append-only JSON Lines file: the embedded store for feedback and audit, needing no server.
 * Writes are queued so lines from concurrent requests never interleave. An append resolves once its lines are
 * written to the file (in the operating system's hands: a crash of this process loses nothing); each batch is then
 * synced to the disk before the next one is written, without holding up the calls waiting on it. A signing therefore
 * never waits for a disk sync (which under load took tens to hundreds of ms and set the p99); a power loss can lose
 * at most the last batch's lines.
 *
 * Rotation: before a batch is written, a file that has reached `rotateBytes` is renamed to
 * `<name>.<UTC time>.<pid>-<n>.jsonl` beside it, and the batch starts a new file. Each batch opens the file afresh,
 * so a batch (of this or another worker) that opened the file just before the rename lands in the renamed file:
 * every record is in exactly one file, none is lost. Rotated names are unique per process, so two workers rotating
 * at once never overwrite each other's file.
 *
 * A directory that could not be created (a mount not there yet) is tried again on the next batch.
 */
import { mkdir, open, rename, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

interface PendingAppend {
  text: string;
  done: () => void;
  fail: (err: unknown) => void;
}

export interface JsonlFileOptions {
  /** rotate the file once it has this many bytes; 0 or unset = never (e.g. an external logrotate) */
  rotateBytes?: number;
}

let rotations = 0;

export class JsonlFile {
  private pending: PendingAppend[] = [];
  private writing = false;
  private directoryMade = false;
  private readonly rotateBytes: number;

  /** `onSyncError`: told when a batch already acknowledged could not be synced to the disk (to be logged) */
  constructor(
    readonly path: string,
    private readonly onSyncError: (err: unknown) => void = () => undefined,
    options: JsonlFileOptions = {},
  ) {
    this.rotateBytes = options.rotateBytes ?? 0;
  }

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
    if (!this.directoryMade) {
      await mkdir(dirname(this.path), { recursive: true });
      this.directoryMade = true;
    }
    if (this.rotateBytes > 0) await this.rotateIfFull();
    return open(this.path, 'a');
  }

  private async rotateIfFull(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return; // no file yet (or just rotated by another worker): nothing to rotate
    }
    if (size < this.rotateBytes) return;
    try {
      await rename(this.path, this.rotatedPath());
    } catch (err) {
      // another worker renamed it first: the file is fresh already
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private rotatedPath(): string {
    rotations += 1;
    const ext = extname(this.path);
    const stem = basename(this.path, ext);
    const at = new Date().toISOString().replace(/:/g, '-');
    return join(dirname(this.path), `${stem}.${at}.${process.pid}-${rotations}${ext || '.jsonl'}`);
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
