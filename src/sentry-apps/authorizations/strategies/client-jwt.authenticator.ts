import { Injectable } from '@nestjs/common';
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { Clock } from '../../../common/clock.js';
import { isHexToken } from '../../../common/crypto.js';
import { extend } from '../../../common/objects.js';
import { InvalidClientError } from '../../../common/oauth-errors.js';
import { isSaneText } from '../../../common/text.js';
import { ApiApplicationsService, type VerifiedClient } from '../../apps/api-applications.service.js';

export const JWT_BEARER_GRANT = 'urn:sentry:params:oauth:grant-type:jwt-bearer';

/** Sentry caps how far ahead a manual-refresh JWT may expire. */
const MAX_LIFETIME_SECONDS = 5 * 60;
/** Clock skew allowed on `iat` (contract v1.1): a JWT issued further in the future is refused. */
const MAX_IAT_SKEW_SECONDS = 60;
const BEARER_CREDENTIAL = /^Bearer\s+(\S+)$/i;

export interface JwtClient extends VerifiedClient {
  jwt: { jti: string; expiresAt: Date };
}

/** A manual-refresh JWT whose shape is right; nothing about it is verified yet. */
export interface PresentedJwt {
  token: string;
  issuer: string;
}

const couldNotValidate = () => new InvalidClientError('Could not validate JWT');

/** The JWT of a manual refresh, by shape only: Sentry's header form, and an `iss` that can be a client id. */
export function presentedJwt(authorization: string | undefined): PresentedJwt {
  const token = BEARER_CREDENTIAL.exec(authorization?.trim() ?? '')?.[1];
  if (!token) throw new InvalidClientError('Header is in invalid form');
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw couldNotValidate();
  }
  if (!isHexToken(issuer)) throw couldNotValidate();
  return { token, issuer };
}

/**
 * Sentry's manual refresh: the app proves itself with an HS256 JWT signed with its client
 * secret (`iss` = client id). The failures carry Sentry's own messages.
 */
@Injectable()
export class ClientJwtAuthenticator {
  constructor(
    private readonly applications: ApiApplicationsService,
    private readonly clock: Clock,
  ) {}

  async authenticate({ token, issuer }: PresentedJwt): Promise<JwtClient> {
    // An unknown issuer is checked against a decoy secret: the same work, then the same answer.
    const { client, secret } = await this.applications.lookup(issuer);
    const now = this.clock.now();
    const payload = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      issuer: client?.clientId ?? issuer,
      requiredClaims: ['iat', 'exp', 'jti'],
      currentDate: now,
    }).then(({ payload: claims }) => claims, () => null);
    if (!client?.sentryAppId || !payload || !acceptable(payload, now.getTime() / 1000)) throw couldNotValidate();
    return extend(client, { jwt: { jti: payload.jti!, expiresAt: new Date(payload.exp! * 1000) } });
  }
}

/**
 * Sentry's lifetime cap, an `iat` that is not from the future, and a `jti` that is stored
 * exactly as sent: ill-formed text would become U+FFFD in the database, and two different
 * jtis would then count as one.
 */
function acceptable({ jti, exp, iat }: JWTPayload, nowSeconds: number): boolean {
  if (typeof jti !== 'string' || jti === '' || jti.length > 255 || !isSaneText(jti)) return false;
  return exp! - nowSeconds <= MAX_LIFETIME_SECONDS && iat! - nowSeconds <= MAX_IAT_SKEW_SECONDS;
}
