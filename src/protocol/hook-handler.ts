/**
 * `POST /cds-services/{id}`: find the service, validate the request, hand it to the pipeline, answer with its
 * HookResponse. Remembers the returned cards for feedback, records the decisions in the audit trail and writes
 * one log line per call; errors go on to the error middleware, which shapes the answer.
 */
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { logHookCall } from '../log.js';
import type { AuditLog } from './audit.js';
import type { CardIndex } from './card-index.js';
import { parseCardConfiguration } from './crd-configuration.js';
import { HttpError, toHttpError } from './errors.js';
import type { HookPipeline, PipelineResult } from './pipeline.js';
import { findService } from './services.js';
import { validateHookRequest } from './validate.js';

export interface HookHandlerDeps {
  config: Pick<AppConfig, 'publicBaseUrl'>;
  pipeline: HookPipeline;
  logger: Logger;
  cardIndex: CardIndex;
  auditLog?: AuditLog;
}

/** The configured public URL, else what the request was addressed to. */
export function baseUrlOf(req: Request, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export function hookHandler(deps: HookHandlerDeps): RequestHandler<{ id: string }> {
  return async (req, res) => {
    const started = performance.now();
    const serviceId = req.params.id;
    let hookInstance: string | undefined;
    try {
      const service = findService(serviceId);
      if (!service) throw new HttpError(404, `unknown CDS service "${serviceId}"`);
      const request = validateHookRequest(req.body, service);
      hookInstance = request.hookInstance;
      // The parsed body (hundreds of KB with full prefetch) is not needed once evaluated; let it go before the
      // audit write is awaited, so concurrent calls waiting on the disk do not keep their charts alive.
      req.body = undefined;

      const result = await deps.pipeline.evaluate(request, {
        service: service.id,
        configuration: parseCardConfiguration(request.extension),
        baseUrl: baseUrlOf(req, deps.config.publicBaseUrl),
      });
      rememberCards(deps.cardIndex, service.id, result);
      await recordAudit(deps, result);

      res.status(200).json(result.response);
      logHookCall(deps.logger, {
        hookInstance, service: serviceId, status: 200, durationMs: performance.now() - started,
        cards: result.response.cards.length, audit: result.audit,
      });
    } catch (err) {
      const status = toHttpError(err)?.status ?? 500;
      logHookCall(deps.logger, {
        hookInstance, service: serviceId, status, durationMs: performance.now() - started,
        error: err instanceof Error ? err.name : 'non-error thrown',
      });
      throw err;
    }
  };
}

function rememberCards(index: CardIndex, service: string, result: PipelineResult): void {
  const provenance = new Map((result.provenance ?? []).map((p) => [p.uuid, p]));
  for (const card of result.response.cards) {
    const p = provenance.get(card.uuid);
    index.remember(card.uuid, {
      service,
      ...(card.source.topic?.code !== undefined && { topic: card.source.topic.code }),
      ...(p?.policyId !== undefined && { policyId: p.policyId }),
      ...(p?.policyVersion !== undefined && { policyVersion: p.policyVersion }),
      ...(p?.payerId !== undefined && { payerId: p.payerId }),
    });
  }
}

/** A failing audit store must not block a clinician's signing: log loudly and answer anyway. */
async function recordAudit(deps: HookHandlerDeps, result: PipelineResult): Promise<void> {
  if (!deps.auditLog || result.audit.length === 0) return;
  try {
    await deps.auditLog.append(result.audit);
  } catch (err) {
    deps.logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'audit write failed');
  }
}
