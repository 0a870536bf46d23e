import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { rowsOf } from '../../common/sql.js';
import { AppConfig } from '../../config/app-config.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { ApiApplicationsService } from '../apps/api-applications.service.js';
import type { WebhookDeliveryStatus } from './entities/webhook-delivery.entity.js';
import { WebhookOutbox } from './webhook-outbox.service.js';
import { postOnce, type AttemptResult } from './webhook-sender.js';

interface ClaimedRow {
  id: string;
  request_id: string;
  webhook_url: string;
  payload: object;
  grant_id: string | null;
  attempts: number;
  application_id: string;
}

/**
 * Attempts in flight at once, per instance. A receiver that never answers holds a slot for
 * WEBHOOK_TIMEOUT_MS; with one slot per app at most, it holds only its own app's.
 */
const MAX_IN_FLIGHT = 16;
// Beyond the attempt's own timeout, the time a claimed row may take to sign and record.
const LEASE_MARGIN_MS = 5000;

/**
 * Sends the outbox. Any number of instances may run one: a row is claimed with
 * FOR UPDATE SKIP LOCKED and leased, so no two send it at once, and a row whose worker
 * died mid-attempt is taken up again when the lease runs out (at least once).
 *
 * Fair between apps: an app with an attempt in flight (on any instance) gets no other until
 * it ends, and a slot is refilled as soon as its attempt ends, not when a whole batch has. So
 * an app whose receiver hangs, or that queues thousands of deliveries, delays only itself.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private claiming?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly outbox: WebhookOutbox,
    private readonly applications: ApiApplicationsService,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and lets the attempts in flight finish (each is bounded by the timeout). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.claiming;
    await Promise.all(this.inFlight);
    this.logger.log('Webhook worker stopped');
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.claiming ??= this.fill().finally(() => {
        this.claiming = undefined;
      });
    }, delayMs);
  }

  /** Claims due deliveries into the free slots and starts them; looks again at once while that finds work. */
  private async fill(): Promise<void> {
    let claimed: { row: ClaimedRow; leaseId: string }[] = [];
    try {
      const free = MAX_IN_FLIGHT - this.inFlight.size;
      if (free > 0) claimed = await this.claim(free);
    } catch (error) {
      this.logger.warn(`Webhook round failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const { row, leaseId } of claimed) {
      const attempt: Promise<void> = this.attempt(row, leaseId)
        .catch((error: unknown) => this.logger.warn(`Webhook delivery ${row.id} not recorded: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.inFlight.delete(attempt);
          this.schedule(0);
        });
      this.inFlight.add(attempt);
    }
    const more = claimed.length > 0 && this.inFlight.size < MAX_IN_FLIGHT;
    this.schedule(more ? 0 : this.config.WEBHOOK_POLL_INTERVAL_MS);
  }

  /** Up to `limit` due rows, the oldest of each app that has no attempt in flight, oldest first. */
  private async claim(limit: number): Promise<{ row: ClaimedRow; leaseId: string }[]> {
    const now = this.clock.now();
    const leaseId = randomUUID();
    const lockedUntil = new Date(now.getTime() + this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
    const rows = rowsOf<ClaimedRow>(await this.dataSource.query(
      `UPDATE webhook_deliveries d SET locked_until = $2, lease_id = $3, attempts = d.attempts + 1
         FROM sentry_apps a
        WHERE a.id = d.sentry_app_id AND d.id IN (
              SELECT id FROM webhook_deliveries
               WHERE id IN (
                     SELECT DISTINCT ON (w.sentry_app_id) w.id FROM webhook_deliveries w
                      WHERE w.status = 'retrying' AND w.next_attempt_at <= $1 AND (w.locked_until IS NULL OR w.locked_until <= $1)
                        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries busy
                                         WHERE busy.sentry_app_id = w.sentry_app_id AND busy.status = 'retrying' AND busy.locked_until > $1)
                      ORDER BY w.sentry_app_id, w.next_attempt_at, w.id)
               ORDER BY next_attempt_at, id
               LIMIT $4
               FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.request_id, d.webhook_url, d.payload, d.grant_id, d.attempts, a.application_id`,
      [now, lockedUntil, leaseId, limit],
    ));
    return rows.map((row) => ({ row, leaseId }));
  }

  private async attempt(row: ClaimedRow, leaseId: string): Promise<void> {
    let result: AttemptResult;
    try {
      const body = this.outbox.render({ payload: row.payload, grantId: row.grant_id });
      const secret = await this.applications.currentSecret(row.application_id);
      result = await postOnce(row.webhook_url, body, {
        'Content-Type': 'application/json',
        'Request-ID': row.request_id,
        'Sentry-Hook-Resource': 'installation',
        'Sentry-Hook-Timestamp': String(Math.floor(this.clock.now().getTime() / 1000)),
        'Sentry-Hook-Signature': createHmac('sha256', secret).update(body).digest('hex'),
      }, { timeoutMs: this.config.WEBHOOK_TIMEOUT_MS, allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE });
    } catch (error) {
      result = { outcome: 'error', reason: error instanceof Error ? error.message : 'error' };
    }
    await this.record(row, leaseId, result);
  }

  private async record(row: ClaimedRow, leaseId: string, result: AttemptResult): Promise<void> {
    const now = this.clock.now();
    const status = this.statusAfter(row.attempts, result);
    const backoffMs = this.config.WEBHOOK_BACKOFF_BASE_SECONDS * 1000 * 2 ** (row.attempts - 1);
    const responseCode = result.outcome === 'response' ? result.statusCode : null;
    // Only the lease holder records; a worker whose lease ran out leaves the row to the next one.
    const [, recorded] = await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET status = $3, response_code = $4, last_attempt_at = $5, next_attempt_at = $6, locked_until = NULL, lease_id = NULL
        WHERE id = $1 AND lease_id = $2`,
      [row.id, leaseId, status, responseCode, now, new Date(now.getTime() + backoffMs)],
    );
    if (recorded) this.metrics.webhookDeliveries.inc({ outcome: status });
    const detail = result.outcome === 'response' ? `HTTP ${result.statusCode}` : result.outcome === 'error' ? result.reason : 'blocked target';
    this.logger.log(`Webhook delivery ${row.id} attempt ${row.attempts}: ${detail} → ${status}`);
  }

  private statusAfter(attempts: number, result: AttemptResult): WebhookDeliveryStatus {
    if (result.outcome === 'blocked') return 'blocked';
    if (result.outcome === 'response' && result.statusCode >= 200 && result.statusCode < 300) return 'delivered';
    return attempts >= this.config.WEBHOOK_MAX_ATTEMPTS ? 'failed' : 'retrying';
  }
}
