import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/crypto.js';
import { BearerAuthError } from '../common/http-errors.js';
import type { Principal } from './principal.js';
import { TokenCache, type CachedAppToken } from './token-cache.service.js';

/** Personal tokens carry Sentry's user-token prefix; app tokens are bare 64-hex (as Sentry's). */
export const PERSONAL_TOKEN_PREFIX = 'sntryu_';

interface AppTokenRow {
  token_id: string;
  user_id: string;
  installation_id: string;
  organization_id: string;
  organization_slug: string;
  organization_name: string;
  organization_date_created: Date;
  sentry_app_id: string;
  application_id: string;
  scopes: string[];
  expires_at: Date;
  revoked: boolean;
}

// One indexed lookup: token → installation → app and organization. The organization comes
// along so that organization routes need no second query for the token's own organization.
const APP_TOKEN_SQL = `
  SELECT t.id AS token_id, sa.proxy_user_id AS user_id, i.id AS installation_id, i.organization_id,
         o.slug AS organization_slug, o.name AS organization_name, o.date_created AS organization_date_created,
         i.sentry_app_id, sa.application_id, t.scopes, t.expires_at,
         (t.revoked_at IS NOT NULL OR i.date_deleted IS NOT NULL) AS revoked
    FROM api_tokens t
    JOIN sentry_app_installations i ON i.id = t.installation_id
    JOIN sentry_apps sa ON sa.id = i.sentry_app_id
    JOIN organizations o ON o.id = i.organization_id
   WHERE t.token_hash = $1`;

/**
 * Resolves a Bearer token to its principal. App tokens are served from the verified-token
 * cache when it is online, else with one indexed query; expiry is checked on every request.
 */
@Injectable()
export class BearerTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly cache: TokenCache,
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
    const entry = this.cache.get(hash) ?? (await this.appToken(hash));
    if (entry.expiresAtMs <= this.clock.now().getTime()) throw new BearerAuthError('Token expired');
    return entry.principal;
  }

  private async appToken(hash: string): Promise<CachedAppToken> {
    const ticket = this.cache.ticket();
    const [row] = await this.dataSource.query<AppTokenRow[]>(APP_TOKEN_SQL, [hash]);
    if (!row || row.revoked) throw new BearerAuthError('Invalid token');
    const entry: CachedAppToken = {
      dependsOn: { installationId: row.installation_id, applicationId: row.application_id, sentryAppId: row.sentry_app_id, organizationId: row.organization_id },
      expiresAtMs: row.expires_at.getTime(),
      principal: {
        kind: 'app',
        userId: row.user_id,
        tokenId: row.token_id,
        installationId: row.installation_id,
        organizationId: row.organization_id,
        organization: { id: row.organization_id, slug: row.organization_slug, name: row.organization_name, dateCreated: row.organization_date_created },
        sentryAppId: row.sentry_app_id,
        scopes: new Set(row.scopes),
      },
    };
    this.cache.set(hash, entry, ticket);
    return entry;
  }
}
