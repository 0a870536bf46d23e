import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { rowsOf } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';

export interface JanitorReport {
  /** True when another instance held the janitor lock, so this pass did nothing. */
  skipped: boolean;
  tokens: number;
  grants: number;
  jwtIds: number;
  webhookDeliveries: number;
  /** Refresh answers erased once their retry window had closed. */
  sealedAnswers: number;
  sessions: number;
  passwordLinks: number;
}

/** How long a finished webhook delivery stays in the request log. */
export const WEBHOOK_LOG_RETENTION_DAYS = 30;

// A family is dead once no pair in it can be used (all revoked or rotated) and its last
// access token has expired. Until then every row stays, so that a replayed refresh token
// is still recognised as reuse (RFC 9700 §4.14) rather than as an unknown token.
const DEAD_FAMILIES = `
  DELETE FROM api_tokens WHERE family_id IN (
    SELECT family_id FROM api_tokens GROUP BY family_id
    HAVING bool_and(revoked_at IS NOT NULL) AND max(expires_at) <= $1
    LIMIT $2)
  RETURNING 1`;

// An expired grant goes once it was never exchanged or its family is gone: while the
// family lives, a replayed code must still revoke it (RFC 6749 §4.1.2).
const EXPIRED_GRANTS = `
  DELETE FROM api_grants WHERE id IN (
    SELECT g.id FROM api_grants g
     WHERE g.expires_at <= $1
       AND (g.family_id IS NULL OR NOT EXISTS (SELECT 1 FROM api_tokens t WHERE t.family_id = g.family_id))
     LIMIT $2)
  RETURNING 1`;

// A pair's sealed first answer serves retries of the refresh that minted it, for
// REFRESH_GRACE_SECONDS; after that nothing may open it, so it goes ($1 is the window's start).
const CLOSED_RETRY_WINDOWS = `
  UPDATE api_tokens SET sealed_answer = NULL WHERE id IN (
    SELECT id FROM api_tokens WHERE sealed_answer IS NOT NULL AND date_created <= $1 LIMIT $2)
  RETURNING 1`;

const EXPIRED_JWT_IDS = `
  DELETE FROM used_jwt_ids WHERE (application_id, jti) IN (
    SELECT application_id, jti FROM used_jwt_ids WHERE expires_at <= $1 LIMIT $2)
  RETURNING 1`;

// Finished deliveries only: a delivery still being retried is never lost to the janitor.
const OLD_WEBHOOK_DELIVERIES = `
  DELETE FROM webhook_deliveries WHERE id IN (
    SELECT id FROM webhook_deliveries
     WHERE status <> 'retrying' AND coalesce(last_attempt_at, date_created) <= $1::timestamptz - interval '${WEBHOOK_LOG_RETENTION_DAYS} days'
     LIMIT $2)
  RETURNING 1`;

// A console session past its absolute or its idle expiry can never be resumed ($3: SESSION_IDLE_SECONDS).
const ENDED_SESSIONS = `
  DELETE FROM console_sessions WHERE id IN (
    SELECT id FROM console_sessions WHERE expires_at <= $1 OR last_seen_at <= $1::timestamptz - $3 * interval '1 second' LIMIT $2)
  RETURNING 1`;

// A set-password link works once, and for a day.
const SPENT_PASSWORD_LINKS = `
  DELETE FROM password_links WHERE id IN (
    SELECT id FROM password_links WHERE used_at IS NOT NULL OR expires_at <= $1 LIMIT $2)
  RETURNING 1`;

const NOTHING: Omit<JanitorReport, 'skipped'> = { tokens: 0, grants: 0, jwtIds: 0, webhookDeliveries: 0, sealedAnswers: 0, sessions: 0, passwordLinks: 0 };

/** Deletes what can no longer matter, in batches, one instance at a time. */
@Injectable()
export class JanitorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async run(): Promise<JanitorReport> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock(7401003, hashtext(current_schema())) AS locked');
      if (!locked) return { skipped: true, ...NOTHING };
      try {
        const now = this.clock.now();
        const tokens = await this.inBatches(runner.manager, DEAD_FAMILIES, now);
        const grants = await this.inBatches(runner.manager, EXPIRED_GRANTS, now);
        const jwtIds = await this.inBatches(runner.manager, EXPIRED_JWT_IDS, now);
        const webhookDeliveries = await this.inBatches(runner.manager, OLD_WEBHOOK_DELIVERIES, now);
        const windowStart = new Date(now.getTime() - this.config.REFRESH_GRACE_SECONDS * 1000);
        const sealedAnswers = await this.inBatches(runner.manager, CLOSED_RETRY_WINDOWS, windowStart);
        const sessions = await this.inBatches(runner.manager, ENDED_SESSIONS, now, this.config.SESSION_IDLE_SECONDS);
        const passwordLinks = await this.inBatches(runner.manager, SPENT_PASSWORD_LINKS, now);
        return { skipped: false, tokens, grants, jwtIds, webhookDeliveries, sealedAnswers, sessions, passwordLinks };
      } finally {
        await runner.query('SELECT pg_advisory_unlock(7401003, hashtext(current_schema()))');
      }
    } finally {
      await runner.release();
    }
  }

  /** One short statement per batch, so no pass holds locks on many rows at once. */
  private async inBatches(em: EntityManager, sql: string, cutoff: Date, ...more: unknown[]): Promise<number> {
    const batch = this.config.JANITOR_BATCH_SIZE;
    let total = 0;
    for (;;) {
      const deleted = rowsOf(await em.query(sql, [cutoff, batch, ...more])).length;
      total += deleted;
      if (deleted < batch) return total;
    }
  }
}
