import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/crypto.js';
import { BearerAuthError } from '../common/http-errors.js';
import type { Principal } from './principal.js';

/** Personal tokens carry Sentry's user-token prefix; app tokens are bare 64-hex (as Sentry's). */
export const PERSONAL_TOKEN_PREFIX = 'sntryu_';

interface AppTokenRow {
  token_id: string;
  user_id: string;
  installation_id: string;
  organization_id: string;
  sentry_app_id: string;
  scopes: string[];
  expires_at: Date;
  revoked: boolean;
}

/** Resolves a Bearer token to its principal, with one indexed query on the token's hash. */
@Injectable()
export class BearerTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async authenticate(token: string): Promise<Principal> {
    const hash = sha256Hex(token);
    if (token.startsWith(PERSONAL_TOKEN_PREFIX)) {
      const [user] = await this.dataSource.query<{ id: string; is_superuser: boolean }[]>(
        'SELECT u.id, u.is_superuser FROM personal_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1',
        [hash],
      );
      if (!user) throw new BearerAuthError('Invalid token');
      return { kind: 'user', userId: user.id, isSuperuser: user.is_superuser };
    }
    const [row] = await this.dataSource.query<AppTokenRow[]>(
      `SELECT t.id AS token_id, sa.proxy_user_id AS user_id, i.id AS installation_id, i.organization_id,
              i.sentry_app_id, t.scopes, t.expires_at,
              (t.revoked_at IS NOT NULL OR i.date_deleted IS NOT NULL) AS revoked
         FROM api_tokens t
         JOIN sentry_app_installations i ON i.id = t.installation_id
         JOIN sentry_apps sa ON sa.id = i.sentry_app_id
        WHERE t.token_hash = $1`,
      [hash],
    );
    if (!row || row.revoked) throw new BearerAuthError('Invalid token');
    if (row.expires_at.getTime() <= this.clock.now().getTime()) throw new BearerAuthError('Token expired');
    return {
      kind: 'app',
      userId: row.user_id,
      tokenId: row.token_id,
      installationId: row.installation_id,
      organizationId: row.organization_id,
      sentryAppId: row.sentry_app_id,
      scopes: new Set(row.scopes),
    };
  }
}
