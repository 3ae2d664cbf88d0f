/** `GET /health` (liveness plus what is loaded) and `GET /ready` (accepting calls; false while shutting down). */
import type { RequestHandler } from 'express';

export interface PolicySummary {
  id: string;
  version: string;
}

export type AuthMode = 'open' | 'jwt';

export function healthHandler(policiesSummary: () => PolicySummary[], authMode: AuthMode): RequestHandler {
  return (_req, res) => {
    const policies = policiesSummary().map((p) => ({ id: p.id, version: p.version }));
    // Resident set size lets an operator (and `npm run soak`) watch memory over time.
    const rssMb = Math.round((process.memoryUsage.rss() / (1024 * 1024)) * 10) / 10;
    res.json({ status: 'ok', policies, auth: authMode, memory: { rssMb } });
  };
}

export function readyHandler(isReady: () => boolean): RequestHandler {
  return (_req, res) => {
    if (isReady()) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'not-ready' });
  };
}
