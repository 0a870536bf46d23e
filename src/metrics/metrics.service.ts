import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { TokenCache } from '../auth/token-cache.service.js';

export const WEBHOOK_OUTCOMES = ['delivered', 'retrying', 'failed', 'blocked'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/**
 * The service's Prometheus metrics, in a registry of its own per application (so two
 * instances in one process, as in the tests, never share or double-register a metric).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly tokenRequests = new Counter({
    name: 'token_requests_total',
    help: 'Token endpoint requests, by grant type and outcome (issued, or the RFC 6749 error code).',
    labelNames: ['grant_type', 'outcome'] as const,
    registers: [this.registry],
  });

  /** For the webhook worker: `metrics.webhookDeliveries.inc({ outcome })` once per delivery attempt's result. */
  readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered, retrying, failed, blocked).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(dataSource: DataSource, tokenCache: TokenCache) {
    const pool = () => (dataSource.driver as unknown as { master?: PgPool }).master;
    new Gauge({
      name: 'db_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const current = pool();
        this.set({ state: 'total' }, current?.totalCount ?? 0);
        this.set({ state: 'idle' }, current?.idleCount ?? 0);
        this.set({ state: 'waiting' }, current?.waitingCount ?? 0);
      },
    });
    new Gauge({
      name: 'db_pool_max_connections',
      help: 'The PostgreSQL pool size (DATABASE_POOL_SIZE).',
      registers: [this.registry],
      collect() {
        this.set(pool()?.options?.max ?? 0);
      },
    });
    new Gauge({
      name: 'token_cache_online',
      help: '1 while the token cache listens for invalidations and serves hits; 0 while every request reads the database.',
      registers: [this.registry],
      collect() {
        this.set(tokenCache.online ? 1 : 0);
      },
    });
    for (const outcome of WEBHOOK_OUTCOMES) this.webhookDeliveries.inc({ outcome }, 0);
    collectDefaultMetrics({ register: this.registry });
  }
}
