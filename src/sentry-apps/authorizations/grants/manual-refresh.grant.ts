import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JWT_BEARER_GRANT } from '../strategies/client-jwt.authenticator.js';
import { InvalidClientError, InvalidGrantError } from '../../../common/oauth-errors.js';
import { TokenService, type IssuedPair } from '../token.service.js';
import { lockLiveInstallation, type GrantHandler, type GrantRequest } from './grant-handler.js';

/**
 * Sentry's manual refresh: an app whose tokens were lost or revoked proves itself with a
 * JWT and gets a fresh pair; the installation's live tokens are revoked first. A failure
 * rolls the transaction back, so the JWT's `jti` is spent only by a success. The
 * installation is locked exclusively, so concurrent manual refreshes (and refreshes and
 * exchanges, which share-lock it) run one after another: each revokes what the one
 * before it issued, and exactly one pair is left alive.
 */
@Injectable()
export class ManualRefreshGrant implements GrantHandler {
  readonly grantType = JWT_BEARER_GRANT;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
  ) {}

  handle({ client, installation }: GrantRequest): Promise<IssuedPair> {
    const jwt = client.jwt;
    if (!jwt) throw new InvalidClientError('Header is in invalid form');
    return this.dataSource.transaction(async (em) => {
      if (!(await lockLiveInstallation(em, installation.id, 'NO KEY UPDATE'))) throw new InvalidGrantError();
      const accepted = await em.query(
        'INSERT INTO used_jwt_ids (application_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING jti',
        [client.applicationId, jwt.jti, jwt.expiresAt],
      );
      if (accepted.length === 0) throw new InvalidClientError('JWT has already been used');
      const issued = await em.query('SELECT 1 FROM api_tokens WHERE installation_id = $1 LIMIT 1', [installation.id]);
      if (issued.length === 0) throw new InvalidClientError('Installation does not have a token');
      await this.tokens.revokeInstallation(em, installation.id, { reason: 'manual-refresh', by: client });
      return this.tokens.issue(em, { installationId: installation.id, familyId: randomUUID(), parentId: null, scopes: installation.scopes });
    });
  }
}
