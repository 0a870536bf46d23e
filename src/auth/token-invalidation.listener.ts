import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { TokenCache, type Invalidation } from './token-cache.service.js';

/** The channel the TokenCacheInvalidation migration's triggers notify on. */
export const INVALIDATION_CHANNEL = 'authz_token_cache';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
const KINDS: Record<string, Exclude<Invalidation['kind'], 'token'>> = { i: 'installation', a: 'application', o: 'organization' };

/** Decodes a trigger's payload: `t:<token hash>`, `i:<installation id>`, `a:<application id>` or `o:<organization id>`. */
export function parseInvalidation(payload: string | undefined): Invalidation | undefined {
  const [prefix, value] = (payload ?? '').split(':');
  if (!value) return undefined;
  if (prefix === 't') return { kind: 'token', tokenHash: value };
  const kind = KINDS[prefix!];
  return kind && { kind, id: value };
}

/**
 * Holds one dedicated connection that LISTENs for the triggers' notifications and evicts
 * what they name, on every instance. The cache is online only while this LISTEN is
 * established; on any connection loss it goes offline (requests read the database) and
 * the listener reconnects with backoff.
 */
@Injectable()
export class TokenInvalidationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TokenInvalidationListener.name);
  private client?: pg.Client;
  private retry?: NodeJS.Timeout;
  private delayMs = RECONNECT_MIN_MS;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: TokenCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.cache.setOnline(false);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const options = this.dataSource.options as { url?: string; applicationName?: string };
    const client = new pg.Client({ connectionString: options.url, application_name: `${options.applicationName ?? 'authz'}-listener`, keepAlive: true });
    this.client = client;
    client.on('notification', (message) => {
      const change = parseInvalidation(message.payload);
      if (change) this.cache.invalidate(change);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
    } catch (error) {
      this.logger.warn(`Token cache listener could not connect (${error instanceof Error ? error.message : String(error)}); tokens are read from the database meanwhile`);
      this.lost(client);
      return;
    }
    if (this.client !== client || this.stopped) return;
    this.delayMs = RECONNECT_MIN_MS;
    this.cache.setOnline(true);
  }

  /** Fail safe: offline first, so no request is served from a cache that may have missed a revocation. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.cache.setOnline(false);
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.retry = setTimeout(() => void this.connect(), this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, RECONNECT_MAX_MS);
  }
}
