/**
 * What the CDS Hooks sandbox needs on one machine, all on loopback: a static server for a sandbox build, the demo
 * FHIR server (`npm run demo:fhir`'s data) and the CDS service itself (the real pipeline, as `npm start` assembles
 * it). Used by `npm run interop` (which drives it in headless Chromium) and `npm run sandbox` (which leaves it
 * running for a person).
 *
 * Trusting the sandbox's issuer: the sandbox signs every call with ES384 and always names its key set with
 * `jku: https://sandbox.cds-hooks.org/.well-known/jwks.json`; the service accepts a `jku` only when it equals the
 * issuer's configured `jwks_url`, so the configuration is that exact URL. Offline, `jwksFrom` makes the service
 * download that URL from a local copy instead (the build's own `.well-known/jwks.json`, served by the static
 * server): the configuration stays the one a user writes, only the network is local.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import type { FetchImplementation } from 'jose';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { listen, type RunningServer } from '../../src/listen.js';
import { createLogger } from '../../src/log.js';
import { createPipeline } from '../../src/pipeline.js';
import { JsonlAuditLog } from '../../src/protocol/audit.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import { JsonlFeedbackStore } from '../../src/protocol/feedback.js';
import { callerAuth } from '../../src/security/index.js';
import { startFhirServer, type RunningFhirServer } from '../../test/support/fhir-server.js';
import { loadDemoData, type DemoPatient } from './demo-fhir-data.js';
import { freePort } from './local-server.js';

export const SANDBOX_ISSUER = 'https://sandbox.cds-hooks.org';
export const SANDBOX_JWKS_URL = 'https://sandbox.cds-hooks.org/.well-known/jwks.json';

export interface StackOptions {
  /** a built sandbox: a folder with index.html and app.bundle.js */
  buildDir: string;
  /** trust the sandbox's issuer (JWT required on hook and feedback calls) */
  trustSandbox?: boolean;
  /** where the service downloads the sandbox's JWKS from instead of SANDBOX_JWKS_URL ('local': the static server's copy) */
  jwksFrom?: 'local' | 'network';
  /** ports (0: any free one) */
  ports?: { sandbox?: number; fhir?: number; service?: number };
  /** pino level of the service (default silent) */
  logLevel?: string;
  /** where feedback and audit lines go (default: a fresh temp folder) */
  varDir?: string;
}

export interface RunningStack {
  sandboxUrl: string;
  fhirUrl: string;
  /** the discovery URL, …/cds-services */
  discoveryUrl: string;
  serviceBase: string;
  feedbackFile: string;
  auditFile: string;
  patients: DemoPatient[];
  /** the sandbox page for one patient and hook, everything given by URL parameters */
  pageUrl(patientId: string, hook: 'order-sign' | 'order-select'): string;
  close(): Promise<void>;
}

export function isSandboxBuild(dir: string): boolean {
  return existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.bundle.js'));
}

/** Serves a folder (dotfiles too: the key set is under `.well-known/`), with CORS so the service may fetch from it. */
async function serveStatic(dir: string, port: number): Promise<RunningServer> {
  const app = express();
  app.use((_req, res, next) => {
    res.set('access-control-allow-origin', '*');
    next();
  });
  app.use(express.static(resolve(dir), { dotfiles: 'allow', index: 'index.html' }));
  return listen(app, port, '127.0.0.1', 500);
}

/** A fetch for jose that answers the sandbox's JWKS URL from `localUrl`, and nothing else. */
function localJwksFetch(localUrl: string): FetchImplementation {
  return async (url, options) => {
    if (url !== SANDBOX_JWKS_URL) throw new Error(`no JWKS download planned for ${url}`);
    return fetch(localUrl, options);
  };
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const ports = options.ports ?? {};
  const varDir = options.varDir ?? mkdtempSync(join(tmpdir(), 'sandbox-stack-'));
  const staticServer = await serveStatic(options.buildDir, ports.sandbox ?? 0);
  const sandboxUrl = `http://127.0.0.1:${staticServer.port}`;

  const { resources, patients } = loadDemoData('fhir-resources');
  let fhir: RunningFhirServer | undefined;
  try {
    fhir = await startFhirServer({ resources, port: ports.fhir ?? 0, answerIncludes: true });
    // the service's URL is known before it listens: with trusted issuers the JWT aud is built from it (PUBLIC_BASE_URL)
    const servicePort = ports.service ?? (await freePort());
    const config = loadConfig({
      overrides: {
        publicBaseUrl: `http://127.0.0.1:${servicePort}`,
        feedbackFile: join(varDir, 'feedback.jsonl'),
        auditFile: join(varDir, 'audit.jsonl'),
        logLevel: options.logLevel ?? 'silent',
        trustedIssuers: options.trustSandbox ? [{ iss: SANDBOX_ISSUER, jwks_url: SANDBOX_JWKS_URL }] : [],
      },
    });
    const logger = createLogger(config.logLevel);
    const auth = callerAuth(config, logger, options.jwksFrom === 'network' ? {} : { fetchJwks: localJwksFetch(`${sandboxUrl}/.well-known/jwks.json`) });
    const assembled = createPipeline(config);
    const app = createApp({
      config,
      logger,
      pipeline: assembled.pipeline,
      policiesSummary: assembled.policiesSummary,
      policies: assembled.policies,
      explain: assembled.explain,
      prefetchTemplates: assembled.prefetchTemplates,
      decisionStore: assembled.decisionStore,
      ...auth,
      cardIndex: new CardIndex(),
      feedbackStore: new JsonlFeedbackStore(config.feedbackFile),
      auditLog: new JsonlAuditLog(config.auditFile),
    });
    const service = await listen(app, servicePort, '127.0.0.1', 1000);
    const serviceBase = `http://127.0.0.1:${service.port}`;
    const discoveryUrl = `${serviceBase}/cds-services`;
    const fhirUrl = fhir.url;
    const running = fhir;
    return {
      sandboxUrl,
      fhirUrl,
      discoveryUrl,
      serviceBase,
      feedbackFile: config.feedbackFile,
      auditFile: config.auditFile,
      patients,
      pageUrl(patientId, hook) {
        const screen = hook === 'order-sign' ? 'rx-sign' : 'rx-view';
        const params = new URLSearchParams({ fhirServiceUrl: fhirUrl, patientId, serviceDiscoveryURL: discoveryUrl, screen, hook });
        return `${sandboxUrl}/index.html?${params.toString()}`;
      },
      async close() {
        await Promise.all([service.shutdown(), running.close(), staticServer.shutdown()]);
      },
    };
  } catch (err) {
    await Promise.all([fhir?.close(), staticServer.shutdown()]);
    throw err;
  }
}
