/**
 * What the configuration means for who may call: with trusted issuers, JWT verification on hook and feedback
 * calls (and discovery when protectDiscovery); without, open mode. The server builds the app from this.
 */
import type { RequestHandler } from 'express';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
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
): CallerAuth {
  if (config.trustedIssuers.length === 0) return { authMode: 'open' };
  const issuers = config.trustedIssuers.map((issuer): TrustedIssuer =>
    'jwks_url' in issuer
      ? { iss: issuer.iss, jwks_url: issuer.jwks_url }
      // config validated `keys` as an array of objects; jose checks each key when it is used
      : { iss: issuer.iss, jwks: issuer.jwks as JSONWebKeySet });
  const verify = createJwtVerifier(issuers, verifierOptions);
  return {
    authMode: 'jwt',
    authenticate: createAuthenticate({
      verify, logger, ...(config.publicBaseUrl !== undefined && { publicBaseUrl: config.publicBaseUrl }),
    }),
  };
}
