/**
 * What the configuration means for who may call: with trusted issuers, JWT verification on hook and feedback
 * calls (and discovery when protectDiscovery); without, open mode. The server builds the app from this.
 */
import type { RequestHandler } from 'express';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import { ConfigError, type AppConfig } from '../config.js';
import type { SharedState } from '../shared-state/index.js';
import type { AuthMode } from '../protocol/health.js';
import { createAuthenticate } from './authenticate.js';
import { createJwtVerifier, type JwtVerifierOptions, type TrustedIssuer } from './jwt.js';

export interface CallerAuth {
  authMode: AuthMode;
  authenticate?: RequestHandler;
}

export function callerAuth(
  config: Pick<AppConfig, 'trustedIssuers' | 'publicBaseUrl'>,
  logger: Logger,
  verifierOptions: JwtVerifierOptions = {},
  /** where jti values are claimed (all workers and instances); default: this process */
  replayStore?: Pick<SharedState, 'setIfAbsent'>,
): CallerAuth {
  if (config.trustedIssuers.length === 0) return { authMode: 'open' };
  if (config.publicBaseUrl === undefined) {
    throw new ConfigError('publicBaseUrl (PUBLIC_BASE_URL) is required with trustedIssuers (CDS_TRUSTED_ISSUERS): the JWT audience is built from it');
  }
  const issuers = config.trustedIssuers.map((issuer): TrustedIssuer =>
    'jwks_url' in issuer
      ? { iss: issuer.iss, jwks_url: issuer.jwks_url }
      // config validated `keys` as an array of objects; jose checks each key when it is used
      : { iss: issuer.iss, jwks: issuer.jwks as JSONWebKeySet });
  const verify = createJwtVerifier(issuers, { ...verifierOptions, ...(replayStore && { replayStore }) });
  return {
    authMode: 'jwt',
    authenticate: createAuthenticate({
      verify, logger, publicBaseUrl: config.publicBaseUrl,
    }),
  };
}
