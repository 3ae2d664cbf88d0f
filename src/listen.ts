/**
 * Listening and graceful shutdown, apart from process signals so it can be tested: `shutdown()` stops
 * accepting connections, lets in-flight calls finish (a clinician's signing is not cut off), and after a
 * grace period closes whatever is left.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application } from 'express';

export interface RunningServer {
  server: Server;
  port: number;
  /** resolves when every connection is closed */
  shutdown(): Promise<void>;
}

export function listen(app: Application, port: number, host: string, graceMs = 10_000): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      let closing: Promise<void> | undefined;
      const shutdown = (): Promise<void> => {
        closing ??= new Promise<void>((done, fail) => {
          server.close((err) => (err ? fail(err) : done()));
          // Idle keep-alive connections would otherwise hold the server open until they time out.
          server.closeIdleConnections();
          const timer = setTimeout(() => server.closeAllConnections(), graceMs);
          timer.unref();
        });
        return closing;
      };
      resolve({ server, port: (server.address() as AddressInfo).port, shutdown });
    });
  });
}
