import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { randomHex, sha256Hex } from '../common/crypto.js';
import { rowsOf } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';

export interface IssuedPair {
  id: string;
  token: string;
  refreshToken: string;
  expiresAt: Date;
  dateCreated: Date;
  scopes: string[];
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
 * place; it numbers its own parameters from $1.
 */
export interface ConsumingStatement {
  sql: string;
  params: unknown[];
}

const COLUMNS = 'installation_id, family_id, parent_id, token_hash, refresh_token_hash, token_last_characters, scopes, expires_at, date_created';

/** Mints and revokes token pairs. Plaintexts leave only in the response that created them. */
@Injectable()
export class TokenService {
  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async issue(em: EntityManager, pair: NewPair): Promise<IssuedPair> {
    const minted = this.mint();
    const [row] = await em.query<{ id: string }[]>(
      `INSERT INTO api_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [pair.installationId, pair.familyId, pair.parentId, ...minted.hashes, pair.scopes, ...minted.times],
    );
    return { ...minted.pair, id: String(row!.id), scopes: pair.scopes };
  }

  /**
   * Consumes and mints in one statement: atomic without a transaction block, and one round
   * trip on the token endpoint's common path. Undefined when nothing was consumed.
   */
  async issueConsuming(em: EntityManager, consuming: ConsumingStatement): Promise<IssuedPair | undefined> {
    const minted = this.mint();
    const $ = (n: number) => `$${consuming.params.length + n}`;
    const [row] = rowsOf<{ id: string; scopes: string[] }>(await em.query(
      `WITH consumed AS (${consuming.sql})
       INSERT INTO api_tokens (${COLUMNS})
       SELECT installation_id, family_id, parent_id, ${$(1)}, ${$(2)}, ${$(3)}, scopes, ${$(4)}::timestamptz, ${$(5)}::timestamptz FROM consumed
       RETURNING id, scopes`,
      [...consuming.params, ...minted.hashes, ...minted.times],
    ));
    return row && { ...minted.pair, id: String(row.id), scopes: row.scopes };
  }

  private mint() {
    const token = randomHex(32);
    const refreshToken = randomHex(32);
    const dateCreated = this.clock.now();
    const expiresAt = new Date(dateCreated.getTime() + this.config.TOKEN_TTL_SECONDS * 1000);
    return {
      hashes: [sha256Hex(token), sha256Hex(refreshToken), token.slice(-4)],
      times: [expiresAt, dateCreated],
      pair: { token, refreshToken, expiresAt, dateCreated },
    };
  }

  /** RFC 6749 §4.1.2 and RFC 9700 §4.14: a replayed code or refresh token ends its whole family. */
  async revokeFamily(em: EntityManager, familyId: string): Promise<void> {
    await em.query('UPDATE api_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [familyId, this.clock.now()]);
  }

  /** RFC 7009: revokes the pair that holds this access or refresh token; unknown tokens are ignored. */
  async revokePair(em: EntityManager, installationId: string, token: string): Promise<void> {
    const hash = sha256Hex(token);
    await em.query(
      'UPDATE api_tokens SET revoked_at = $3 WHERE installation_id = $1 AND (token_hash = $2 OR refresh_token_hash = $2) AND revoked_at IS NULL',
      [installationId, hash, this.clock.now()],
    );
  }

  async revokeInstallation(em: EntityManager, installationId: string): Promise<void> {
    await em.query('UPDATE api_tokens SET revoked_at = $2 WHERE installation_id = $1 AND revoked_at IS NULL', [installationId, this.clock.now()]);
  }
}
