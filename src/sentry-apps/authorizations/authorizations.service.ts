import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { AuthenticatedClient } from './strategies/client-id-secret.strategy.js';
import { InvalidClientError, UnauthorizedClientError, UnsupportedGrantTypeError } from '../../common/oauth-errors.js';
import { Installation } from '../installations/entities/installation.entity.js';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant.js';
import type { GrantHandler, TokenInstallation } from './grants/grant-handler.js';
import { requiredString } from './grants/grant-handler.js';
import { ManualRefreshGrant } from './grants/manual-refresh.grant.js';
import { RefreshTokenGrant } from './grants/refresh-token.grant.js';
import { TokenRateLimiter } from './token-rate-limiter.service.js';
import { TokenService, type IssuedPair } from './token.service.js';

export interface GrantResult {
  pair: IssuedPair;
  /** This instance's caches already reflect the write (the one-statement path): nothing to catch up with. */
  cachesCurrent: boolean;
}

/** The token endpoint's checks, in Sentry's order, then the grant type's handler. */
@Injectable()
export class AuthorizationsService {
  private readonly handlers: Map<string, GrantHandler>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly limiter: TokenRateLimiter,
    private readonly tokens: TokenService,
    authorizationCode: AuthorizationCodeGrant,
    refreshToken: RefreshTokenGrant,
    manualRefresh: ManualRefreshGrant,
  ) {
    this.handlers = new Map([authorizationCode, refreshToken, manualRefresh].map((handler) => [handler.grantType, handler]));
  }

  async token(client: AuthenticatedClient, installationUuid: string, body: Record<string, unknown>): Promise<GrantResult> {
    await this.limiter.consumeRequest(client.clientId, installationUuid);
    const handler = typeof body.grant_type === 'string' ? this.handlers.get(body.grant_type) : undefined;
    // A valid request completes in one statement; anything else is answered by the checks below.
    const direct = await handler?.direct?.({ client, installationUuid, body });
    if (direct) return { pair: direct, cachesCurrent: true };
    const installation = await this.installationFor(client, installationUuid);
    if (!handler) throw new UnsupportedGrantTypeError();
    return { pair: await handler.handle({ client, installation, body }), cachesCurrent: false };
  }

  /** RFC 7009: answers the same whether or not the token existed. */
  async revoke(client: AuthenticatedClient, installationUuid: string, body: Record<string, unknown>): Promise<void> {
    // A manual-refresh JWT authenticates that one grant, once (its jti); it is no client credential here.
    if (client.method === 'jwt') throw new InvalidClientError('Revocation takes the client id and secret');
    await this.limiter.consumeRequest(client.clientId, installationUuid);
    const installation = await this.installationFor(client, installationUuid);
    const token = requiredString(body, 'token');
    await this.tokens.revokePair(this.dataSource.manager, installation.id, token, client);
  }

  /** Steps 2 and 3: the installation exists and belongs to the client's app. */
  private async installationFor(client: AuthenticatedClient, uuid: string): Promise<TokenInstallation> {
    const installation = await this.liveInstallation(uuid);
    if (!installation) throw new NotFoundException('Installation not found');
    if (installation.sentryAppId !== client.sentryAppId) {
      throw client.method === 'jwt' ? new InvalidClientError('JWT is not valid for this application') : new UnauthorizedClientError();
    }
    return installation;
  }

  private async liveInstallation(uuid: string): Promise<TokenInstallation | undefined> {
    const row = await this.dataSource.manager.findOne(Installation, { where: { uuid, dateDeleted: IsNull() }, relations: { sentryApp: true } });
    return row ? { id: row.id, uuid, sentryAppId: row.sentryAppId, scopes: row.sentryApp!.scopes } : undefined;
  }
}
