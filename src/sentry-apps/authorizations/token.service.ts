import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditLog, type RevocationReason } from '../../audit/audit-log.service.js';
import { Clock } from '../../common/clock.js';
import { openUnder, randomHex, sealUnder, sha256Hex } from '../../common/crypto.js';
import { rowsOf } from '../../common/sql.js';
import { AppConfig } from '../../config/app-config.js';
import { TokenCache } from '../../auth/token-cache.service.js';
import { ApiToken } from './entities/api-token.entity.js';
import { lockLiveInstallation } from './grants/grant-handler.js';

export interface IssuedPair {
  id: string;
  token: string;
  refreshToken: string;
  expiresAt: Date;
  dateCreated: Date;
  scopes: string[];
}

/** Who presented the credentials that revoked tokens: the address the audit log records. */
export interface Revoker {
  address?: string;
}

export interface NewPair {
  installationId: string;
  familyId: string;
  parentId: string | null;
  scopes: string[];
}

/**
 * A data-modifying statement that consumes a code or a refresh token and returns the
 * `installation_id`, `scopes`, `family_id` and `parent_id` of the pair to mint in its
 * place, and the `replaced_token_hash` of the access token it ended (null for a code);
 * it numbers its own parameters from $1.
 */
export interface ConsumingStatement {
  sql: string;
  params: unknown[];
}

/** The pair a rotated refresh token minted, as a retry of that refresh finds it. */
export interface Successor {
  id: string;
  live: boolean;
  token_hash: string;
  refresh_token_hash: string;
  scopes: string[];
  expires_at: Date;
  date_created: Date;
  sealed_answer: Buffer | null;
}

const COLUMNS = 'installation_id, family_id, parent_id, token_hash, refresh_token_hash, token_last_characters, scopes, expires_at, date_created, sealed_answer';

/** Mints and revokes token pairs. Plaintexts leave only in the response that created them. */
@Injectable()
export class TokenService {
  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly cache: TokenCache,
  ) {}

  async issue(em: EntityManager, pair: NewPair): Promise<IssuedPair> {
    const { token, refreshToken, expiresAt, dateCreated } = this.mint();
    const { identifiers } = await em.insert(ApiToken, {
      ...pair,
      tokenHash: sha256Hex(token),
      refreshTokenHash: sha256Hex(refreshToken),
      tokenLastCharacters: token.slice(-4),
      expiresAt,
      dateCreated,
    });
    return { id: String(identifiers[0]!.id), token, refreshToken, expiresAt, dateCreated, scopes: pair.scopes };
  }

  /**
   * Consumes and mints in one statement: atomic without a transaction block, and one round
   * trip on the token endpoint's common path. Undefined when nothing was consumed. With
   * `presentedRefreshToken`, the new pair is also stored sealed under it, for `answerAgain`.
   * The access token it replaced is evicted from this instance's cache before the answer
   * leaves; the other instances hear of it from the trigger's notification, sent by the same
   * transaction.
   */
  async issueConsuming(em: EntityManager, consuming: ConsumingStatement, presentedRefreshToken?: string): Promise<IssuedPair | undefined> {
    const { token, refreshToken, expiresAt, dateCreated } = this.mint();
    const tokenHash = sha256Hex(token);
    const sealed = presentedRefreshToken === undefined ? null : sealUnder(presentedRefreshToken, tokenHash, Buffer.from(token + refreshToken, 'hex'));
    const $ = (n: number) => `$${consuming.params.length + n}`;
    // Raw SQL on purpose: the token endpoint's success path is this one round trip (see npm run bench).
    const [row] = rowsOf<{ id: string; scopes: string[]; replaced_token_hash: string | null }>(await em.query(
      `WITH consumed AS (${consuming.sql}),
       minted AS (
         INSERT INTO api_tokens (${COLUMNS})
         SELECT installation_id, family_id, parent_id, ${$(1)}, ${$(2)}, ${$(3)}, scopes, ${$(4)}::timestamptz, ${$(5)}::timestamptz, ${$(6)}::bytea FROM consumed
         RETURNING id, scopes)
       SELECT minted.id, minted.scopes, consumed.replaced_token_hash FROM minted CROSS JOIN consumed`,
      [...consuming.params, tokenHash, sha256Hex(refreshToken), token.slice(-4), expiresAt, dateCreated, sealed],
    ));
    if (row?.replaced_token_hash) this.cache.invalidate({ kind: 'token', tokenHash: row.replaced_token_hash });
    return row && { id: String(row.id), token, refreshToken, expiresAt, dateCreated, scopes: row.scopes };
  }

  /** Within REFRESH_GRACE_SECONDS of `since` (a rotation or a code's exchange); never when the window is 0. */
  withinGrace(since: Date): boolean {
    const graceMs = this.config.REFRESH_GRACE_SECONDS * 1000;
    return graceMs > 0 && this.clock.now().getTime() - since.getTime() < graceMs;
  }

  /**
   * The newest pair minted from `parentId`, share-locked: a concurrent rotation of it either
   * committed before (and is seen) or waits until this transaction ends.
   */
  async successorOf(em: EntityManager, parentId: string): Promise<Successor | undefined> {
    const [successor] = await em.query<Successor[]>(
      `SELECT id, (rotated_at IS NULL AND revoked_at IS NULL) AS live, token_hash, refresh_token_hash, scopes, expires_at, date_created, sealed_answer
         FROM api_tokens WHERE parent_id = $1 ORDER BY id DESC LIMIT 1 FOR SHARE`,
      [parentId],
    );
    return successor;
  }

  /**
   * The successor's first answer again, opened with the refresh token that minted it, which
   * is the only key to it. Undefined when it cannot be (erased, or not this token's answer).
   */
  answerAgain(successor: Successor, presentedRefreshToken: string): IssuedPair | undefined {
    if (!successor.sealed_answer) return undefined;
    const opened = openUnder(presentedRefreshToken, successor.token_hash, successor.sealed_answer);
    if (opened?.length !== 64) return undefined;
    const token = opened.subarray(0, 32).toString('hex');
    const refreshToken = opened.subarray(32).toString('hex');
    if (sha256Hex(token) !== successor.token_hash || sha256Hex(refreshToken) !== successor.refresh_token_hash) return undefined;
    const { id, expires_at: expiresAt, date_created: dateCreated, scopes } = successor;
    return { id: String(id), token, refreshToken, expiresAt, dateCreated, scopes };
  }

  private mint() {
    const dateCreated = this.clock.now();
    // One draw for both secrets, 32 bytes each: a draw's fixed cost is most of its price.
    const secrets = randomHex(64);
    return { token: secrets.slice(0, 64), refreshToken: secrets.slice(64), dateCreated, expiresAt: new Date(dateCreated.getTime() + this.config.TOKEN_TTL_SECONDS * 1000) };
  }

  /** RFC 6749 §4.1.2 and RFC 9700 §4.14: a replayed code or refresh token ends its whole family. */
  async revokeFamily(em: EntityManager, installationId: string, familyId: string, reason: 'code-replay' | 'refresh-reuse', by: Revoker): Promise<void> {
    await this.revoke(em, installationId, 'family_id = $3', [familyId], { reason, address: by.address });
  }

  /**
   * RFC 7009: revokes every live token of the grant this access or refresh token came from
   * (§2.1), so a rotated refresh token takes its successors with it: inside the grace window
   * its retry would otherwise still be handed the live pair. Unknown tokens are ignored.
   */
  async revokePair(em: EntityManager, installationId: string, token: string, by: Revoker): Promise<void> {
    const family = 'SELECT family_id FROM api_tokens WHERE installation_id = $2 AND (token_hash = $3 OR refresh_token_hash = $3)';
    await this.revoke(em, installationId, `family_id IN (${family})`, [sha256Hex(token)], { reason: 'revocation', address: by.address });
  }

  /** Every live token of the installation: a manual refresh (audited here), or an uninstall (audited as such). */
  async revokeInstallation(em: EntityManager, installationId: string, audited?: { reason: 'manual-refresh'; by: Revoker }): Promise<void> {
    await this.revoke(em, installationId, 'TRUE', [], audited && { reason: audited.reason, address: audited.by.address });
  }

  /**
   * Revokes the installation's live tokens that `where` selects ($1 is the time, $2 the
   * installation) and, with a reason, writes the audit log's token.family-revoke, in one
   * transaction: `em`'s, or one of its own.
   *
   * A rotation mints a successor while it holds the installation's row share-locked
   * (`liveInstallation`). So the installation is first locked against every holder: the
   * rotations in flight commit before the UPDATE takes its snapshot, and it sees their
   * successors; those that come later wait, then find their token revoked and mint nothing.
   * Without the lock, a successor inserted after the UPDATE's snapshot outlived its family.
   */
  private async revoke(em: EntityManager, installationId: string, where: string, params: unknown[], audited?: { reason: RevocationReason; address?: string }): Promise<void> {
    const work = async (tx: EntityManager) => {
      // No row when it is uninstalled: then its uninstall (which holds the row) revokes everything anyway.
      await lockLiveInstallation(tx, installationId, 'NO KEY UPDATE');
      const revoked = rowsOf<{ installation_id: string }>(await tx.query(
        `UPDATE api_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND installation_id = $2 AND ${where} RETURNING installation_id`,
        [this.clock.now(), installationId, ...params],
      ));
      if (audited && revoked.length > 0) await this.audit.recordRevocation(tx, installationId, audited.reason, revoked.length, audited.address);
    };
    await (em.queryRunner?.isTransactionActive ? work(em) : em.transaction(work));
  }
}
