import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from './principal.js';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/crypto.js';
import { rowsOf } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { ConsoleSession, type Flash } from './entities/console-session.entity.js';

/** The cookie that names a person's console session (the CSRF secret lives in its own cookie, `_csrf`). */
export const SESSION_COOKIE = 'console_session';
/** 256 random bits, base64url: what the cookie holds. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** last_seen_at is written at most this often, not on every page. */
const TOUCH_EVERY_MS = 60_000;

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  isSuperuser: boolean;
}

export interface ActiveSession {
  id: string;
  /** SHA-256 of the cookie's id: the CSRF tokens of this session are bound to it. */
  hash: string;
  user: SignedInUser;
  /** The person, as the services see any caller: the same principal as their personal token. */
  principal: Extract<Principal, { kind: 'user' }>;
  expiresAt: Date;
}

interface SessionRow {
  id: string;
  session_hash: string;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string;
  email: string;
  name: string;
  is_superuser: boolean;
}

/**
 * Console sessions in PostgreSQL: idle and absolute expiry, ended by sign-out and password
 * changes. The permission guard authenticates a console page's caller with one, as it
 * authenticates an API route's caller with a Bearer token.
 */
@Injectable()
export class ConsoleSessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** A new session for the person; the returned id goes into the cookie and is stored only hashed. */
  async start(userId: string): Promise<{ id: string; cookieValue: string; maxAgeSeconds: number }> {
    const cookieValue = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const { identifiers } = await this.dataSource.getRepository(ConsoleSession).insert({
      sessionHash: sha256Hex(cookieValue),
      userId,
      dateCreated: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.SESSION_MAX_AGE_SECONDS * 1000),
    });
    return { id: String(identifiers[0]!.id), cookieValue, maxAgeSeconds: this.config.SESSION_MAX_AGE_SECONDS };
  }

  /** The live session the cookie names, or null (absent, malformed, unknown, idle too long or too old). */
  async resolve(cookieValue: string | undefined): Promise<ActiveSession | null> {
    if (!cookieValue || !SESSION_ID.test(cookieValue)) return null;
    const now = this.clock.now();
    const idleSince = new Date(now.getTime() - this.config.SESSION_IDLE_SECONDS * 1000);
    const [row] = await this.dataSource.query<SessionRow[]>(
      `SELECT s.id, s.session_hash, s.last_seen_at, s.expires_at, u.id AS user_id, u.email, u.name, u.is_superuser
         FROM console_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.session_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND NOT u.is_sentry_app`,
      [sha256Hex(cookieValue), now, idleSince],
    );
    if (!row) return null;
    if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
      await this.dataSource.query('UPDATE console_sessions SET last_seen_at = $2 WHERE id = $1', [row.id, now]);
    }
    return {
      id: row.id,
      hash: row.session_hash,
      user: { id: row.user_id, email: row.email, name: row.name, isSuperuser: row.is_superuser },
      principal: { kind: 'user', userId: row.user_id, isSuperuser: row.is_superuser },
      expiresAt: row.expires_at,
    };
  }

  async end(sessionId: string): Promise<void> {
    await this.dataSource.getRepository(ConsoleSession).delete({ id: sessionId });
  }

  /** Every session of the person, in the caller's transaction (a password change). */
  async endAllFor(em: EntityManager, userId: string): Promise<void> {
    await em.delete(ConsoleSession, { userId });
  }

  /** In `em`'s transaction when given: with the write it announces. */
  async setFlash(sessionId: string, flash: Flash, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.getRepository(ConsoleSession).update({ id: sessionId }, { flash });
  }

  /** The flash, once: of concurrent takers only one gets it. */
  async takeFlash(sessionId: string): Promise<Flash | null> {
    const [row] = rowsOf<{ flash: Flash }>(await this.dataSource.query(
      `UPDATE console_sessions s SET flash = NULL
         FROM (SELECT id, flash FROM console_sessions WHERE id = $1 AND flash IS NOT NULL FOR UPDATE) old
        WHERE s.id = old.id
        RETURNING old.flash`,
      [sessionId],
    ));
    return row?.flash ?? null;
  }
}
