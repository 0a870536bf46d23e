import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Installation } from '../../installations/entities/installation.entity.js';
import { SentryApp } from '../../apps/entities/sentry-app.entity.js';

export type WebhookEventType = 'installation.created' | 'installation.deleted';
export type WebhookDeliveryStatus = 'retrying' | 'delivered' | 'failed' | 'blocked';

/**
 * The outbox: one row per webhook, written in the transaction of the event it reports and
 * sent by the worker. `payload` is the body without the grant code (stored as `json`, which
 * keeps its text, so every attempt renders the same bytes); the code is re-derived from
 * `grant_id` at send time, so it is never stored.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_due_idx', ['nextAttemptAt'], { where: `"status" = 'retrying'` })
@Index('webhook_deliveries_sentry_app_id_idx', ['sentryAppId', 'id'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** Sent as Request-ID on every attempt, so receivers can de-duplicate. */
  @Column({ name: 'request_id', type: 'uuid', unique: true })
  requestId: string;

  @Column({ name: 'sentry_app_id', type: 'bigint' })
  sentryAppId: string;

  @ManyToOne(() => SentryApp, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sentry_app_id' })
  sentryApp?: Relation<SentryApp>;

  @Column({ name: 'installation_id', type: 'bigint' })
  installationId: string;

  @ManyToOne(() => Installation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'installation_id' })
  installation?: Relation<Installation>;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType: WebhookEventType;

  @Column({ name: 'webhook_url', type: 'varchar', length: 2048 })
  webhookUrl: string;

  @Column({ type: 'json' })
  payload: object;

  @Column({ name: 'grant_id', type: 'uuid', nullable: true })
  grantId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'retrying' })
  status: WebhookDeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'response_code', type: 'integer', nullable: true })
  responseCode: number | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  /** The lease of the worker that claimed the row; after it passes, another worker may retry. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'lease_id', type: 'uuid', nullable: true })
  leaseId: string | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'date_created', type: 'timestamptz', default: () => 'now()' })
  dateCreated: Date;
}
