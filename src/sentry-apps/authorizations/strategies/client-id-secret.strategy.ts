import { Injectable } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { TokenRateLimiter } from '../token-rate-limiter.service.js';
import { InvalidClientError, OAuthError, UnsupportedGrantTypeError } from '../../../common/oauth-errors.js';
import { extend } from '../../../common/objects.js';
import { AppConfig } from '../../../config/app-config.js';
import { ApiApplicationsService, type VerifiedClient } from '../../apps/api-applications.service.js';
import { presentedCredentials, tokenRequestBody, type ClientAuthMethod } from './client-credentials.js';
import { ClientJwtAuthenticator, JWT_BEARER_GRANT, presentedJwt, type JwtClient } from './client-jwt.authenticator.js';

export const CLIENT_ID_SECRET = 'client-id-secret';

/** The client behind one token request, and (for the audit log) the address it came from. */
export type AuthenticatedClient = VerifiedClient & { method: ClientAuthMethod; jwt?: JwtClient['jwt']; address: string };

/**
 * Authenticates the sentry app behind a token request: by `client_id`/`client_secret`
 * (body or HTTP Basic), or, for Sentry's manual refresh, by a JWT signed with its secret.
 * Credentials whose shape cannot name a client are refused first, touching nothing; every
 * other failure spends the source IP's failure budget. A wrong id, a wrong secret and a
 * plain OAuth application all get one identical answer.
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
    const body = tokenRequestBody(request);
    if (body.grant_type === JWT_BEARER_GRANT) {
      if (!this.config.MANUAL_REFRESH_ENABLED) throw new UnsupportedGrantTypeError('Manual refresh is disabled');
      const jwt = presentedJwt(request.headers.authorization);
      return this.spendingFailures(request.ip, async () => extend(await this.jwtClients.authenticate(jwt), { method: 'jwt' as const, address: request.ip }));
    }
    const presented = presentedCredentials(request, body);
    return this.spendingFailures(request.ip, async () => {
      const client = await this.applications.verify(presented.clientId, presented.clientSecret);
      if (!client?.sentryAppId) throw new InvalidClientError(undefined, presented.method === 'client_secret_basic' ? 'Basic' : undefined);
      return extend(client, { method: presented.method, address: request.ip });
    });
  }

  /** Refuses a source whose failure budget is spent, before any credential is looked at; a failure spends it. */
  private async spendingFailures(ip: string, authenticate: () => Promise<AuthenticatedClient>): Promise<AuthenticatedClient> {
    await this.limiter.assertMayAuthenticate(ip);
    try {
      return await authenticate();
    } catch (error) {
      if (error instanceof OAuthError) await this.limiter.recordAuthFailure(ip);
      throw error;
    }
  }
}

@Injectable()
export class ClientIdSecretGuard extends AuthGuard(CLIENT_ID_SECRET) {}
