/** The audit trail of coverage decisions (CRD servers keep a log of their invocations). */
import { JsonlFile } from './jsonl.js';
import type { AuditRecord } from './pipeline.js';

export interface AuditLog {
  append(records: readonly AuditRecord[]): Promise<void>;
}

/** The audit trail in a JSON Lines file: JsonlFile already appends any records, so it is one. */
export class JsonlAuditLog extends JsonlFile implements AuditLog {}
