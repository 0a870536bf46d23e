import { Injectable } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { TokenRateLimiter } from '../token-rate-limiter.service.js';
import { isPlainObject } from '../../../common/body-parsing.js';
import { InvalidClientError, InvalidRequestError, OAuthError, UnsupportedGrantTypeError } from '../../../common/oauth-errors.js';
import { AppConfig } from '../../../config/app-config.js';
import { ApiApplicationsService, type VerifiedClient } from '../../apps/api-applications.service.js';
import { presentedCredentials, type ClientAuthMethod } from './client-credentials.js';
import { ClientJwtAuthenticator, JWT_BEARER_GRANT, type JwtClient } from './client-jwt.authenticator.js';

export const CLIENT_ID_SECRET = 'client-id-secret';

export type AuthenticatedClient = VerifiedClient & { method: ClientAuthMethod; jwt?: JwtClient['jwt'] };

/**
 * Authenticates the sentry app behind a token request: by `client_id`/`client_secret`
 * (body or HTTP Basic), or, for Sentry's manual refresh, by a JWT signed with its secret.
 * Every credential failure spends the source IP's failure budget; a wrong id, a wrong
 * secret and a plain OAuth application all get one identical answer.
 */
@Injectable()
export class ClientIdSecretStrategy extends PassportStrategy(Strategy, CLIENT_ID_SECRET) {
  constructor(
    private readonly applications: ApiApplicationsService,
    private readonly jwtClients: ClientJwtAuthenticator,
    private readonly limiter: TokenRateLimiter,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async validate(request: FastifyRequest): Promise<AuthenticatedClient> {
    if (!isPlainObject(request.body)) throw new InvalidRequestError('Invalid request', 401);
    const manualRefresh = request.body.grant_type === JWT_BEARER_GRANT;
    if (manualRefresh && !this.config.MANUAL_REFRESH_ENABLED) throw new UnsupportedGrantTypeError('Manual refresh is disabled');
    await this.limiter.assertMayAuthenticate(request.ip);
    try {
      if (manualRefresh) return { ...(await this.jwtClients.authenticate(request.headers.authorization)), method: 'jwt' };
      const presented = presentedCredentials(request);
      const client = await this.applications.verify(presented.clientId, presented.clientSecret);
      if (!client?.sentryAppId) throw new InvalidClientError(undefined, presented.method === 'client_secret_basic' ? 'Basic' : undefined);
      return { ...client, method: presented.method };
    } catch (error) {
      if (error instanceof OAuthError) await this.limiter.recordAuthFailure(request.ip);
      throw error;
    }
  }
}

@Injectable()
export class ClientIdSecretGuard extends AuthGuard(CLIENT_ID_SECRET) {}
