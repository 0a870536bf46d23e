import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock.js';
import { isHexToken, sha256Hex } from '../../../common/crypto.js';
import { InvalidGrantError } from '../../../common/oauth-errors.js';
import { TokenService, type ConsumingStatement, type IssuedPair, type Revoker } from '../token.service.js';
import { installationOfApp, lockLiveInstallation, requiredString, type DirectRequest, type GrantHandler, type GrantRequest } from './grant-handler.js';

interface PresentedPair {
  id: string;
  family_id: string;
  rotated_at: Date | null;
}

/**
 * Rotation with reuse detection (RFC 9700 §4.14) and a grace window for lost responses
 * (Sentry #94190). A retry inside the window gets the very pair its first presentation got,
 * so a client that races itself keeps a live pair whichever answer it stores last.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  direct({ client, installationUuid, body }: DirectRequest): Promise<IssuedPair | undefined> {
    // Only a token of ours can be rotated (and sealed under); anything else takes the checks' path to its error.
    if (!isHexToken(body.refresh_token) || !client.sentryAppId) return Promise.resolve(undefined);
    const rotating = this.rotating(installationUuid, client.sentryAppId, sha256Hex(body.refresh_token));
    return this.tokens.issueConsuming(this.dataSource.manager, rotating, body.refresh_token);
  }

  async handle({ client, installation, body }: GrantRequest): Promise<IssuedPair> {
    const refreshToken = requiredString(body, 'refresh_token');
    // Returned, not thrown, so that a family revoked on the way is committed.
    const pair = await this.dataSource.transaction((em) => this.retried(em, installation.id, refreshToken, client));
    if (!pair) throw new InvalidGrantError();
    return pair;
  }

  /**
   * The common case: a live pair of a live installation is marked rotated, and its successor
   * minted, in one statement. Its own answer to its parent's retries goes with it: once
   * rotated, those retries are reuse.
   */
  private rotating(installationUuid: string, sentryAppId: string, refreshTokenHash: string): ConsumingStatement {
    return {
      sql: `UPDATE api_tokens t SET rotated_at = $3, revoked_at = $3, sealed_answer = NULL FROM ${installationOfApp('$2', '$4')} live
             WHERE t.refresh_token_hash = $1 AND t.installation_id = live.id AND t.rotated_at IS NULL AND t.revoked_at IS NULL
            RETURNING live.id AS installation_id, live.scopes, t.family_id, t.id AS parent_id, t.token_hash AS replaced_token_hash`,
      params: [refreshTokenHash, installationUuid, this.clock.now(), sentryAppId],
    };
  }

  /**
   * Anything else: unknown, revoked, or rotated already. The installation is locked as a
   * revocation locks it (TokenService.revoke), so these run one after another, no rotation
   * of the installation is in flight meanwhile, and a reuse revokes the family whole.
   * Taken at once, not raised from a share lock later: two reuses raising theirs would deadlock.
   */
  private async retried(em: EntityManager, installationId: string, refreshToken: string, by: Revoker): Promise<IssuedPair | undefined> {
    if (!(await lockLiveInstallation(em, installationId, 'NO KEY UPDATE'))) return undefined;
    const [presented] = await em.query<PresentedPair[]>(
      'SELECT id, family_id, rotated_at FROM api_tokens WHERE refresh_token_hash = $1 AND installation_id = $2 FOR UPDATE',
      [sha256Hex(refreshToken), installationId],
    );
    if (!presented?.rotated_at) return undefined;
    if (this.tokens.withinGrace(presented.rotated_at)) {
      const successor = await this.tokens.successorOf(em, presented.id);
      // A lost or raced response: the same pair again, and nothing changes. A successor that
      // was rotated or revoked since (reuse detection included) is never handed out again.
      if (successor?.live) return this.tokens.answerAgain(successor, refreshToken);
    }
    await this.tokens.revokeFamily(em, installationId, presented.family_id, 'refresh-reuse', by);
    return undefined;
  }
}
