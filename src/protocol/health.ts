/** `GET /health` (liveness plus what is loaded) and `GET /ready` (accepting calls; false while shutting down). */
import type { RequestHandler } from 'express';

export interface PolicySummary {
  id: string;
  version: string;
}

export type AuthMode = 'open' | 'jwt';

/** How exposed the service runs, so an operator sees an open deployment at a glance. */
export interface ExposureInfo {
  /** 'any': no FHIR server allowlist, the service fetches from whatever fhirServer a call names (blocked addresses aside) */
  fhirServers: 'any' | 'allowlist';
  /** where replay, rate and card state live: this process, the cluster primary, or Redis */
  sharedState: string;
  /** plain sentences, empty when nothing is open */
  warnings: string[];
}

export function healthHandler(policiesSummary: () => PolicySummary[], authMode: AuthMode, exposure?: ExposureInfo): RequestHandler {
  return (_req, res) => {
    const policies = policiesSummary().map((p) => ({ id: p.id, version: p.version }));
    // Resident set size lets an operator (and `npm run soak`) watch memory over time.
    const rssMb = Math.round((process.memoryUsage.rss() / (1024 * 1024)) * 10) / 10;
    res.json({ status: 'ok', policies, auth: authMode, ...exposure, memory: { rssMb } });
  };
}

export function readyHandler(isReady: () => boolean): RequestHandler {
  return (_req, res) => {
    if (isReady()) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'not-ready' });
  };
}
