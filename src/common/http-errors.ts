import { HttpException, HttpStatus, UnauthorizedException } from '@nestjs/common';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isUnstorableValue } from './database-errors.js';
import { extend } from './objects.js';
import { InvalidClientError, OAuthError } from './oauth-errors.js';

export interface RenderedError {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Bearer failures carry the challenge of RFC 6750 §3. */
export class BearerAuthError extends UnauthorizedException {
  readonly headers = { 'WWW-Authenticate': 'Bearer realm="api"' };
  constructor(detail: string) {
    super({ detail });
  }
}

const DEFAULT_DETAIL: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]: 'Bad request',
  [HttpStatus.UNAUTHORIZED]: 'Authentication credentials were not provided.',
  [HttpStatus.FORBIDDEN]: 'You do not have permission to perform this action.',
  [HttpStatus.NOT_FOUND]: 'Not found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'Method not allowed',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body is too large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Unsupported media type',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Too many requests',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service unavailable',
};

// Sockets and PostgreSQL's class 08 and 57P, plus 25006: a write that reached a node demoted to
// standby (read-only) during a failover, which the next connection through the proxy avoids.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '25006']);

/** True for errors that mean PostgreSQL cannot be reached right now (the answer is 503, not 500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  // TypeORM releases a query runner whose connection dies mid-transaction; the next query says so.
  if (error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const candidates = [error, (error as { driverError?: unknown })?.driverError, (error as { cause?: unknown })?.cause];
  return candidates.some((candidate) => {
    if (!candidate || typeof candidate !== 'object') return false;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message);
  });
}

/** 429 from the token endpoint's limits, with the wait in Retry-After. */
export class TooManyTokenRequestsError extends HttpException {
  readonly headers: Record<string, string>;
  constructor(retryAfterMs: number) {
    super({ detail: 'Too many token requests' }, HttpStatus.TOO_MANY_REQUESTS);
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  }
}

function renderOAuthError(exception: OAuthError, rfc6749: boolean, headers: Record<string, string>): RenderedError {
  // Like its successes (RFC 6749 §5.1): Cache-Control: no-store is every answer's (app.setup.ts).
  headers.Pragma = 'no-cache';
  if (exception instanceof InvalidClientError && exception.challenge) headers['WWW-Authenticate'] = `${exception.challenge} realm="token"`;
  if (!rfc6749) return { status: exception.status, body: { detail: exception.detail, error: exception.error }, headers };
  // RFC 6749 §5.2 for form-encoded clients, keeping `detail` for Sentry-style readers.
  return { status: exception.rfcStatus, body: { error: exception.error, error_description: exception.detail, detail: exception.detail }, headers };
}

/** Maps any thrown value to the contract's error body. Unknown errors never leak their text. */
export function renderError(exception: unknown, { rfc6749 = false } = {}): RenderedError & { unexpected: boolean } {
  const headers: Record<string, string> = {};
  if (exception instanceof OAuthError) return extend(renderOAuthError(exception, rfc6749, headers), { unexpected: false });
  if (exception instanceof HttpException) {
    Object.assign(headers, (exception as { headers?: Record<string, string> }).headers ?? {});
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'detail' in response) {
      return { status, body: response as Record<string, unknown>, headers, unexpected: false };
    }
    const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    const isDefault = typeof message !== 'string' || message === exception.name.replace(/Exception$/, '').replace(/([a-z])([A-Z])/g, '$1 $2') || message.startsWith('Cannot ');
    return { status, body: { detail: isDefault ? (DEFAULT_DETAIL[status] ?? 'Error') : message }, headers, unexpected: false };
  }
  const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return { status: fastifyStatus, body: { detail: DEFAULT_DETAIL[fastifyStatus] ?? 'Bad request' }, headers, unexpected: false };
  }
  // A value PostgreSQL cannot store (a NUL byte, say) that slipped past validation is the caller's error.
  if (isUnstorableValue(exception)) {
    return { status: 400, body: { detail: 'The request contains a value that cannot be stored.' }, headers, unexpected: false };
  }
  if (isDatabaseUnavailable(exception)) {
    headers['Retry-After'] = '1';
    return { status: 503, body: { detail: 'The service is temporarily unavailable; retry shortly.' }, headers, unexpected: false };
  }
  return { status: 500, body: { detail: 'Internal server error' }, headers, unexpected: true };
}
