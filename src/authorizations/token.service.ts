import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { randomHex, sha256Hex } from '../common/crypto.js';
import { AppConfig } from '../config/app-config.js';
import { ApiToken } from './entities/api-token.entity.js';

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

/** Mints and revokes token pairs. Plaintexts leave only in the response that created them. */
@Injectable()
export class TokenService {
  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async issue(em: EntityManager, pair: NewPair): Promise<IssuedPair> {
    const token = randomHex(32);
    const refreshToken = randomHex(32);
    const dateCreated = this.clock.now();
    const expiresAt = new Date(dateCreated.getTime() + this.config.TOKEN_TTL_SECONDS * 1000);
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
