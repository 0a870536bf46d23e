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

const BATCH_SIZE = 10;
// Beyond the attempt's own timeout, the time a claimed row may take to sign and record.
const LEASE_MARGIN_MS = 5000;

/**
 * Sends the outbox. Any number of instances may run one: a row is claimed with
 * FOR UPDATE SKIP LOCKED and leased, so no two send it at once, and a row whose worker
 * died mid-attempt is taken up again when the lease runs out (at least once).
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
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
    await this.running;
    this.logger.log('Webhook worker stopped');
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then((full) => this.schedule(full ? 0 : this.config.WEBHOOK_POLL_INTERVAL_MS));
    }, delayMs);
  }

  /** One round: claims due rows and attempts them. True when there may be more due right away. */
  async tick(): Promise<boolean> {
    try {
      const claimed = await this.claim();
      await Promise.all(claimed.map(({ row, leaseId }) => this.attempt(row, leaseId)));
      return claimed.length === BATCH_SIZE;
    } catch (error) {
      this.logger.warn(`Webhook round failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  private async claim(): Promise<{ row: ClaimedRow; leaseId: string }[]> {
    const now = this.clock.now();
    const leaseId = randomUUID();
    const lockedUntil = new Date(now.getTime() + this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
    const rows = rowsOf<ClaimedRow>(await this.dataSource.query(
      `UPDATE webhook_deliveries d SET locked_until = $2, lease_id = $3, attempts = d.attempts + 1
         FROM sentry_apps a
        WHERE a.id = d.sentry_app_id AND d.id IN (
              SELECT id FROM webhook_deliveries
               WHERE status = 'retrying' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
               ORDER BY next_attempt_at, id
               LIMIT ${BATCH_SIZE}
               FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.request_id, d.webhook_url, d.payload, d.grant_id, d.attempts, a.application_id`,
      [now, lockedUntil, leaseId],
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
