import { Injectable } from '@nestjs/common';
import { decodeJwt, jwtVerify } from 'jose';
import { Clock } from '../../../common/clock.js';
import { InvalidClientError } from '../../../common/oauth-errors.js';
import { ApiApplicationsService, type VerifiedClient } from '../../apps/api-applications.service.js';

export const JWT_BEARER_GRANT = 'urn:sentry:params:oauth:grant-type:jwt-bearer';

/** Sentry caps how far ahead a manual-refresh JWT may expire. */
const MAX_LIFETIME_SECONDS = 5 * 60;
const BEARER_CREDENTIAL = /^Bearer\s+(\S+)$/i;

export interface JwtClient extends VerifiedClient {
  jwt: { jti: string; expiresAt: Date };
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

  async authenticate(authorization: string | undefined): Promise<JwtClient> {
    const jwt = BEARER_CREDENTIAL.exec(authorization?.trim() ?? '')?.[1];
    if (!jwt) throw new InvalidClientError('Header is in invalid form');
    const invalid = () => new InvalidClientError('Could not validate JWT');
    let issuer: unknown;
    try {
      issuer = decodeJwt(jwt).iss;
    } catch {
      throw invalid();
    }
    const client = typeof issuer === 'string' ? await this.applications.findClient(issuer) : null;
    if (!client?.sentryAppId) throw invalid();
    const now = this.clock.now();
    const payload = await jwtVerify(jwt, new TextEncoder().encode(client.clientSecret), {
      algorithms: ['HS256'],
      issuer: client.clientId,
      requiredClaims: ['iat', 'exp', 'jti'],
      currentDate: now,
    }).then(({ payload: claims }) => claims, () => null);
    if (!payload || typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 255 || payload.exp! - now.getTime() / 1000 > MAX_LIFETIME_SECONDS) throw invalid();
    return { ...client, jwt: { jti: payload.jti, expiresAt: new Date(payload.exp! * 1000) } };
  }
}
