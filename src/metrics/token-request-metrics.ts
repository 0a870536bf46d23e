import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../app.setup.js';
import { isPlainObject } from '../common/body-parsing.js';

export const TOKEN_ROUTE = `/${API_PREFIX}/sentry-app-installations/:uuid/authorizations`;

const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'urn:sentry:params:oauth:grant-type:jwt-bearer']);
const OAUTH_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);
const BY_STATUS: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 413: 'invalid_request', 429: 'rate_limited' };

/** Labels kept to a fixed set: a grant type nobody supports is "other", not a new series. */
export function grantTypeLabel(body: unknown): string {
  const grantType = isPlainObject(body) ? body.grant_type : undefined;
  return typeof grantType === 'string' && GRANT_TYPES.has(grantType) ? grantType : 'other';
}

/**
 * "issued", the RFC 6749 §5.2 error code the response carries, or a word for its status.
 * Read off the response itself, so guard failures (invalid_client, rate limits) count too.
 */
export function tokenOutcome(statusCode: number, payload: unknown): string {
  if (statusCode < 300) return 'issued';
  if (statusCode >= 500) return 'server_error';
  if (typeof payload === 'string' && payload.startsWith('{')) {
    try {
      const error = (JSON.parse(payload) as { error?: unknown }).error;
      if (typeof error === 'string' && OAUTH_ERRORS.has(error)) return error;
    } catch {
      // not JSON after all: fall through to the status
    }
  }
  return BY_STATUS[statusCode] ?? 'other';
}

export function tokenRequestLabels(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  return { grant_type: grantTypeLabel(request.body), outcome: tokenOutcome(reply.statusCode, payload) };
}
