import type { FastifyRequest } from 'fastify';
import { ILL_FORMED_TEXT, isPlainObject, UnreadableBody } from '../../../common/body-parsing.js';
import { isHexToken } from '../../../common/crypto.js';
import { extend } from '../../../common/objects.js';
import { InvalidClientError, InvalidRequestError } from '../../../common/oauth-errors.js';

export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'jwt';

export interface PresentedCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_post' | 'client_secret_basic';
}

const CREDENTIAL_FIELDS = ['client_id', 'client_secret'];

const challengeOf = (request: FastifyRequest) => (/^basic\s/i.test(request.headers.authorization ?? '') ? 'Basic' : undefined);

/**
 * The token request's body, or the contract's answer to one the parser refused: 401
 * `invalid_request` when it cannot be read at all (malformed, nested too deep, not an
 * object), 401 `invalid_client` when a credential is ill-formed text, and 400
 * `invalid_request` naming any other ill-formed field.
 */
export function tokenRequestBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body instanceof UnreadableBody && body.reason === 'ill-formed') {
    const credential = body.fields.some((field) => CREDENTIAL_FIELDS.some((name) => field === name || field.startsWith(`${name}.`)));
    if (credential) throw new InvalidClientError(undefined, challengeOf(request));
    throw new InvalidRequestError(`${body.fields[0]} ${ILL_FORMED_TEXT}`);
  }
  if (!isPlainObject(body)) throw new InvalidRequestError('Invalid request', 401);
  return body;
}

/** RFC 6749 §2.3.1: each part is form-urlencoded before the Basic encoding. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | null | undefined {
  if (!header || !/^basic\s/i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/**
 * The client id and secret of a token request, from the body (`client_secret_post`,
 * Sentry's way) or from HTTP Basic (`client_secret_basic`). Using both at once is
 * refused, as RFC 6749 §2.3 requires. Only their shape is checked here.
 */
export function presentedCredentials(request: FastifyRequest, body: Record<string, unknown>): PresentedCredentials {
  const basic = basicCredentials(request.headers.authorization);
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (basic === null) throw new InvalidClientError(undefined, 'Basic');
  if (basic) {
    if (inBody) throw new InvalidRequestError('Use one client authentication method, not both');
    // Client ids are 64 lowercase hex: anything else (padded, re-cased, too long, NUL) names no
    // client, and is answered 401 without a lookup, a cache entry or a limiter key (contract v1.1).
    if (!isHexToken(basic.clientId)) throw new InvalidClientError(undefined, 'Basic');
    return extend(basic, { method: 'client_secret_basic' as const });
  }
  const { client_id: clientId, client_secret: clientSecret } = body;
  if (!isHexToken(clientId) || typeof clientSecret !== 'string') throw new InvalidClientError();
  return { clientId, clientSecret, method: 'client_secret_post' };
}
