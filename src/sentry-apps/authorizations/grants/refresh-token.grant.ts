import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock.js';
import { sha256Hex } from '../../../common/crypto.js';
import { InvalidGrantError } from '../../../common/oauth-errors.js';
import { AppConfig } from '../../../config/app-config.js';
import { TokenService, type ConsumingStatement, type IssuedPair } from '../token.service.js';
import { installationOfApp, lockLiveInstallation, requiredString, type DirectRequest, type GrantHandler, type GrantRequest } from './grant-handler.js';

interface PresentedPair {
  id: string;
  family_id: string;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

type Outcome = { outcome: 'issued'; pair: IssuedPair } | { outcome: 'invalid' };

/**
 * Rotation with reuse detection (RFC 9700 §4.14) and a grace window for lost responses
 * (Sentry #94190): the presented pair is locked, so concurrent refreshes of one token
 * run one after another and leave exactly one live pair in the family.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  direct({ client, installationUuid, body }: DirectRequest): Promise<IssuedPair | undefined> {
    if (typeof body.refresh_token !== 'string' || !client.sentryAppId) return Promise.resolve(undefined);
    return this.tokens.issueConsuming(this.dataSource.manager, this.rotating(installationUuid, client.sentryAppId, sha256Hex(body.refresh_token)));
  }

  async handle({ installation, body }: GrantRequest): Promise<IssuedPair> {
    const refreshTokenHash = sha256Hex(requiredString(body, 'refresh_token'));
    const result = await this.dataSource.transaction(async (em): Promise<Outcome> => {
      const parent = await this.retried(em, installation.id, refreshTokenHash);
      if (!parent) return { outcome: 'invalid' };
      const pair = await this.tokens.issue(em, { installationId: installation.id, familyId: parent.family_id, parentId: parent.id, scopes: installation.scopes });
      return { outcome: 'issued', pair };
    });
    if (result.outcome !== 'issued') throw new InvalidGrantError();
    return result.pair;
  }

  /** The common case: a live pair of a live installation is marked rotated, and its successor minted, in one statement. */
  private rotating(installationUuid: string, sentryAppId: string, refreshTokenHash: string): ConsumingStatement {
    return {
      sql: `UPDATE api_tokens t SET rotated_at = $3, revoked_at = $3 FROM ${installationOfApp('$2', '$4')} live
             WHERE t.refresh_token_hash = $1 AND t.installation_id = live.id AND t.rotated_at IS NULL AND t.revoked_at IS NULL
            RETURNING live.id AS installation_id, live.scopes, t.family_id, t.id AS parent_id`,
      params: [refreshTokenHash, installationUuid, this.clock.now(), sentryAppId],
    };
  }

  /** Anything else: unknown, revoked, or rotated already (a retry in the grace window, or a replay). */
  private async retried(em: EntityManager, installationId: string, refreshTokenHash: string): Promise<PresentedPair | undefined> {
    if (!(await lockLiveInstallation(em, installationId))) return undefined;
    const [presented] = await em.query<PresentedPair[]>(
      'SELECT id, family_id, rotated_at, revoked_at FROM api_tokens WHERE refresh_token_hash = $1 AND installation_id = $2 FOR UPDATE',
      [refreshTokenHash, installationId],
    );
    if (!presented?.rotated_at) return undefined;
    if (!(await this.withinGrace(em, presented))) {
      await this.tokens.revokeFamily(em, presented.family_id, 'refresh-reuse');
      return undefined;
    }
    // A retry after a lost response: only the newest pair minted from this token stays alive.
    await em.query('UPDATE api_tokens SET revoked_at = $2 WHERE parent_id = $1 AND revoked_at IS NULL', [presented.id, this.clock.now()]);
    return presented;
  }

  /** Inside REFRESH_GRACE_SECONDS of its rotation, and the pair minted from it is still live and unrotated. */
  private async withinGrace(em: EntityManager, presented: PresentedPair): Promise<boolean> {
    const graceMs = this.config.REFRESH_GRACE_SECONDS * 1000;
    if (graceMs === 0 || this.clock.now().getTime() - presented.rotated_at!.getTime() >= graceMs) return false;
    const [newest] = await em.query<{ live: boolean }[]>(
      'SELECT (rotated_at IS NULL AND revoked_at IS NULL) AS live FROM api_tokens WHERE parent_id = $1 ORDER BY id DESC LIMIT 1',
      [presented.id],
    );
    return newest?.live === true;
  }
}
