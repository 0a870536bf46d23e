import type { FastifyRequest } from 'fastify';
import { isPlainObject } from '../../../common/body-parsing.js';
import { InvalidClientError, InvalidRequestError } from '../../../common/oauth-errors.js';

export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'jwt';

export interface PresentedCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_post' | 'client_secret_basic';
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
 * refused, as RFC 6749 §2.3 requires.
 */
export function presentedCredentials(request: FastifyRequest): PresentedCredentials {
  const body = request.body;
  if (!isPlainObject(body)) throw new InvalidRequestError('Invalid request', 401);
  const basic = basicCredentials(request.headers.authorization);
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (basic === null) throw new InvalidClientError(undefined, 'Basic');
  if (basic) {
    if (inBody) throw new InvalidRequestError('Use one client authentication method, not both');
    return { ...basic, method: 'client_secret_basic' };
  }
  const { client_id: clientId, client_secret: clientSecret } = body;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') throw new InvalidClientError();
  return { clientId, clientSecret, method: 'client_secret_post' };
}
