/**
 * `POST /analyst/trace`: for policy analysts, the evaluation behind a hook call — the same request body the
 * hook takes, validated the same way, answered with the plain-text trace and the PolicyEvaluations. The
 * service is the one whose hook the request names (order-sign when it names none we know, so the validator
 * says what is wrong). 501 when the server was built without an explainer.
 */
import type { RequestHandler } from 'express';
import type { PolicyEvaluation } from '../policy/types.js';
import { parseCardConfiguration } from '../protocol/crd-configuration.js';
import { HttpError } from '../protocol/errors.js';
import { baseUrlOf } from '../protocol/hook-handler.js';
import type { PipelineContext } from '../protocol/pipeline.js';
import { SERVICES, type ServiceEntry } from '../protocol/services.js';
import type { HookRequest } from '../protocol/types.js';
import { validateHookRequest } from '../protocol/validate.js';

export interface Explanation {
  trace: string[];
  evaluations: PolicyEvaluation[];
}

export type Explain = (request: HookRequest, ctx: PipelineContext) => Promise<Explanation>;

function serviceFor(body: unknown): ServiceEntry {
  const hook = typeof body === 'object' && body !== null && 'hook' in body ? body.hook : undefined;
  const service = SERVICES.find((s) => s.hook === hook) ?? SERVICES.find((s) => s.hook === 'order-sign');
  if (!service) throw new Error('no order-sign service defined');
  return service;
}

export function traceHandler(deps: { explain?: Explain; publicBaseUrl?: string }): RequestHandler {
  return async (req, res) => {
    const explain = deps.explain;
    if (!explain) throw new HttpError(501, 'the evaluation trace is not available on this server', 'not-supported');
    const service = serviceFor(req.body);
    const request = validateHookRequest(req.body, service);
    const { trace, evaluations } = await explain(request, {
      service: service.id,
      configuration: parseCardConfiguration(request.extension),
      baseUrl: baseUrlOf(req, deps.publicBaseUrl),
    });
    res.json({ trace, evaluations });
  };
}
