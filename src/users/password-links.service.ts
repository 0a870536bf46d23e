import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import { isHexToken, randomHex, sha256Hex } from '../common/crypto.js';
import { rowsOf } from '../common/sql.js';
import { PasswordLink } from './entities/password-link.entity.js';

/** How long a set-password link works. */
export const PASSWORD_LINK_TTL_SECONDS = 24 * 60 * 60;

/** Single-use links to set a password: the initial admin's, printed once on the first start. */
@Injectable()
export class PasswordLinksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** A new link's token, in plaintext this once. */
  async create(em: EntityManager, userId: string): Promise<string> {
    const token = randomHex(32);
    const expiresAt = new Date(this.clock.now().getTime() + PASSWORD_LINK_TTL_SECONDS * 1000);
    await em.insert(PasswordLink, { userId, tokenHash: sha256Hex(token), expiresAt });
    return token;
  }

  /** The user a live link is for, without using it up. */
  async peek(token: string): Promise<string | null> {
    if (!isHexToken(token)) return null;
    const link = await this.dataSource.getRepository(PasswordLink).findOneBy({ tokenHash: sha256Hex(token), usedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) });
    return link?.userId ?? null;
  }

  /** Uses the link up: of any number of concurrent uses exactly one gets its user. */
  async consume(em: EntityManager, token: string): Promise<string | null> {
    if (!isHexToken(token)) return null;
    const now = this.clock.now();
    const [row] = rowsOf<{ user_id: string }>(await em.query(
      'UPDATE password_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id',
      [sha256Hex(token), now],
    ));
    return row?.user_id ?? null;
  }
}
