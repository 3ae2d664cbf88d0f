/** A stream that keeps what pino writes, for tests that read the service's log lines. */
import { Writable } from 'node:stream';

export class LogCapture extends Writable {
  text = '';

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }

  /** each line parsed as the JSON object pino wrote */
  lines(): Array<Record<string, unknown>> {
    return this.text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
