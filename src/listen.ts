/**
 * Listening and graceful shutdown, apart from process signals so it can be tested: `shutdown()` stops accepting
 * connections, closes idle keep-alive connections at once, lets in-flight calls finish (a clinician's signing is not
 * cut off) and closes each remaining connection as soon as its last call has been answered — a connection that goes
 * idle after shutdown began does not hold the process until the client's keep-alive timeout. After a grace period
 * whatever is left is closed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Application } from 'express';

export interface RunningServer {
  server: Server;
  port: number;
  /** resolves when every connection is closed */
  shutdown(): Promise<void>;
}

/** After its last answer, a connection being closed gets this long to flush before it is destroyed. */
const FLUSH_MS = 1000;

export function listen(app: Application, port: number, host: string, graceMs = 10_000): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    /** the calls each connection is answering right now */
    const active = new Map<Socket, Set<ServerResponse>>();
    let stopping = false;

    const closeConnection = (socket: Socket): void => {
      socket.end();
      setTimeout(() => socket.destroy(), FLUSH_MS).unref();
    };

    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      let calls = active.get(socket);
      if (calls === undefined) {
        calls = new Set();
        active.set(socket, calls);
      }
      calls.add(res);
      // during shutdown, tell the client this connection ends with this answer
      if (stopping) res.setHeader('Connection', 'close');
      res.once('close', () => {
        calls.delete(res);
        if (calls.size > 0) return;
        active.delete(socket);
        if (stopping) closeConnection(socket);
      });
    });

    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      let closing: Promise<void> | undefined;
      const shutdown = (): Promise<void> => {
        closing ??= new Promise<void>((done, fail) => {
          stopping = true;
          server.close((err) => (err ? fail(err) : done()));
          // Idle keep-alive connections would otherwise hold the server open until they time out.
          server.closeIdleConnections();
          for (const calls of active.values()) {
            for (const res of calls) if (!res.headersSent) res.setHeader('Connection', 'close');
          }
          const timer = setTimeout(() => server.closeAllConnections(), graceMs);
          timer.unref();
        });
        return closing;
      };
      resolve({ server, port: (server.address() as AddressInfo).port, shutdown });
    });
  });
}
