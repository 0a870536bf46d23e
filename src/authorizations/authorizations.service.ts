import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TokenEndpointCache } from '../auth/token-cache.service.js';
import { UnauthorizedClientError, UnsupportedGrantTypeError } from '../common/oauth-errors.js';
import type { VerifiedClient } from '../sentry-apps/api-applications.service.js';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant.js';
import type { GrantHandler, TokenInstallation } from './grants/grant-handler.js';
import { RefreshTokenGrant } from './grants/refresh-token.grant.js';
import type { IssuedPair } from './token.service.js';

/** The token endpoint's checks, in Sentry's order, then the grant type's handler. */
@Injectable()
export class AuthorizationsService {
  private readonly handlers: Map<string, GrantHandler>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: TokenEndpointCache,
    authorizationCode: AuthorizationCodeGrant,
    refreshToken: RefreshTokenGrant,
  ) {
    this.handlers = new Map([authorizationCode, refreshToken].map((handler) => [handler.grantType, handler]));
  }

  async token(client: VerifiedClient, installationUuid: string, body: Record<string, unknown>): Promise<IssuedPair> {
    const installation = await this.liveInstallation(installationUuid);
    if (!installation) throw new NotFoundException('Installation not found');
    if (installation.sentryAppId !== client.sentryAppId) throw new UnauthorizedClientError();
    const handler = typeof body.grant_type === 'string' ? this.handlers.get(body.grant_type) : undefined;
    if (!handler) throw new UnsupportedGrantTypeError();
    return handler.handle({ client, installation, body });
  }

  /** Cached while live; an uninstall or a change to its app evicts it (TokenCacheInvalidation triggers). */
  private liveInstallation(uuid: string): Promise<TokenInstallation | undefined> {
    return this.cache.through(`installation:${uuid}`, async () => {
      const [row] = await this.dataSource.query<{ id: string; sentry_app_id: string; application_id: string; organization_id: string; scopes: string[] }[]>(
        `SELECT i.id, i.sentry_app_id, sa.application_id, i.organization_id, sa.scopes
           FROM sentry_app_installations i JOIN sentry_apps sa ON sa.id = i.sentry_app_id
          WHERE i.uuid = $1 AND i.date_deleted IS NULL`,
        [uuid],
      );
      if (!row) return undefined;
      const installation = { id: row.id, uuid, sentryAppId: row.sentry_app_id, applicationId: row.application_id, organizationId: row.organization_id, scopes: row.scopes };
      return { value: installation, dependsOn: { installationId: row.id, sentryAppId: row.sentry_app_id, applicationId: row.application_id, organizationId: row.organization_id } };
    });
  }
}
