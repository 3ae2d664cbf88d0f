/** The audit trail of coverage decisions (CRD servers keep a log of their invocations). */
import { JsonlFile } from './jsonl.js';
import type { AuditRecord } from './pipeline.js';

export interface AuditLog {
  append(records: readonly AuditRecord[]): Promise<void>;
}

export class JsonlAuditLog implements AuditLog {
  private readonly file: JsonlFile;
  constructor(path: string, onSyncError?: (err: unknown) => void) {
    this.file = new JsonlFile(path, onSyncError);
  }
  append(records: readonly AuditRecord[]): Promise<void> {
    return this.file.append(records);
  }
}
