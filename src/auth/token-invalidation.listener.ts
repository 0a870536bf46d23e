import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { randomHex } from '../common/crypto.js';
import { POOL_TIMINGS } from '../database/data-source-options.js';
import { TokenCache, TokenEndpointCache, type Invalidation } from './token-cache.service.js';

/** The channel the TokenCacheInvalidation migration's triggers notify on. */
export const INVALIDATION_CHANNEL = 'authz_token_cache';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
// A LISTEN connection can outlive its server unnoticed (a machine gone without a TCP reset):
// a ping every 5 s, the connection lost when one is still unanswered as the next falls due,
// takes the caches offline well before a replicated cluster can promote another primary
// (Patroni's ttl, 15 s in deploy/ha/).
const HEARTBEAT_MS = 5000;
const KINDS: Record<string, Exclude<Invalidation['kind'], 'token'>> = { i: 'installation', a: 'application', s: 'sentryApp', o: 'organization' };

/** Decodes a trigger's payload: `t:<token hash>`, `i:<installation id>`, `a:<application id>`, `s:<sentry app id>` or `o:<organization id>`. */
export function parseInvalidation(payload: string | undefined): Invalidation | undefined {
  const [prefix, value] = (payload ?? '').split(':');
  if (!value) return undefined;
  if (prefix === 't') return { kind: 'token', tokenHash: value };
  const kind = KINDS[prefix!];
  return kind && { kind, id: value };
}

/**
 * Holds one dedicated connection that LISTENs for the triggers' notifications and evicts
 * what they name, on every instance. The caches are online only while this LISTEN is
 * established; on any connection loss it goes offline (requests read the database) and
 * the listener reconnects with backoff.
 */
@Injectable()
export class TokenInvalidationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TokenInvalidationListener.name);
  private client?: pg.Client;
  private retry?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private pongDue?: pg.Client;
  private delayMs = RECONNECT_MIN_MS;
  private stopped = false;
  private readonly instance = randomHex(6);
  private syncs = 0;
  private sending?: Promise<void>;
  private queued?: Promise<void>;
  private readonly waiters = new Map<string, () => void>();
  // The listening connection's queries, the heartbeat's and the syncs', one at a time: pg runs
  // one query per client, warns when given a second meanwhile, and pg 9 will refuse it.
  private lastQuery: Promise<unknown> = Promise.resolve();

  private readonly caches: (TokenCache | TokenEndpointCache)[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenCache,
    endpoint: TokenEndpointCache,
  ) {
    this.caches = [tokens, endpoint];
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.setOnline(false);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const options = this.dataSource.options as { url?: string; applicationName?: string };
    const client = new pg.Client({
      connectionString: options.url,
      application_name: `${options.applicationName ?? 'authz'}-listener`,
      connectionTimeoutMillis: POOL_TIMINGS.connectionTimeoutMillis,
      keepAlive: true,
      keepAliveInitialDelayMillis: POOL_TIMINGS.keepAliveInitialDelayMillis,
    });
    this.client = client;
    this.lastQuery = Promise.resolve();
    client.on('notification', (message) => {
      const waiter = this.waiters.get(message.payload ?? '');
      if (waiter) return waiter();
      const change = parseInvalidation(message.payload);
      if (change) for (const cache of this.caches) cache.invalidate(change);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await this.query(client, `LISTEN ${INVALIDATION_CHANNEL}`);
    } catch (error) {
      this.logger.warn(`Token cache listener could not connect (${error instanceof Error ? error.message : String(error)}); tokens are read from the database meanwhile`);
      this.lost(client);
      return;
    }
    if (this.client !== client || this.stopped) return;
    this.delayMs = RECONNECT_MIN_MS;
    this.heartbeat = setInterval(() => this.ping(client), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.setOnline(true);
  }

  /**
   * Resolves once this instance has applied every invalidation committed before the call:
   * notifications arrive in commit order, so it sends one of its own and waits for it. Used
   * after mutating requests, so that a change is in effect "at once" on the instance that
   * made it (the other instances follow within milliseconds). Callers that arrive while a
   * sync is on the wire share the next one, which is sent after it: concurrent writes cost
   * one round trip between them, and the listening connection runs one query at a time.
   */
  /** Holds the caches (see `InvalidatedCache.hold`) until this instance has caught up with its own writes. */
  holdUntilCaughtUp({ onlyTokens = false } = {}): void {
    const releases = (onlyTokens ? [this.tokens] : this.caches).map((cache) => cache.hold());
    void this.caughtUp().finally(() => releases.forEach((release) => release()));
  }

  caughtUp(): Promise<void> {
    if (!this.client || !this.caches.some((cache) => cache.online)) return Promise.resolve();
    if (this.queued) return this.queued;
    if (!this.sending) return this.send();
    this.queued = this.sending.then(() => {
      this.queued = undefined;
      return this.send();
    });
    return this.queued;
  }

  private send(): Promise<void> {
    const sending = this.syncOnce().finally(() => {
      if (this.sending === sending) this.sending = undefined;
    });
    this.sending = sending;
    return sending;
  }

  private async syncOnce(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const payload = `sync:${this.instance}:${++this.syncs}`;
    const arrived = new Promise<void>((resolve) => this.waiters.set(payload, resolve));
    try {
      await this.query(client, `NOTIFY ${INVALIDATION_CHANNEL}, '${payload}'`);
      await arrived;
    } catch {
      // The connection is gone: the caches went offline with it, so there is nothing to wait for.
    } finally {
      this.waiters.delete(payload);
    }
  }

  /** Pings `client`, unless its previous ping is still unanswered: then the connection is lost. */
  private ping(client: pg.Client): void {
    if (this.pongDue === client) {
      // Judged after the I/O already received is read: a stalled event loop is not a dead server.
      setImmediate(() => this.pongDue === client && this.lost(client));
      return;
    }
    this.pongDue = client;
    this.query(client, 'SELECT 1').then(
      () => {
        if (this.pongDue === client) this.pongDue = undefined;
      },
      () => this.lost(client),
    );
  }

  /** `sql` on `client` once the query before it has finished (see lastQuery). */
  private query(client: pg.Client, sql: string): Promise<unknown> {
    const run = this.lastQuery.then(() => client.query(sql));
    this.lastQuery = run.catch(() => undefined);
    return run;
  }

  private setOnline(online: boolean): void {
    for (const cache of this.caches) cache.setOnline(online);
  }

  /** Fail safe: offline first, so no request is served from a cache that may have missed a revocation. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.setOnline(false);
    for (const release of this.waiters.values()) release();
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.retry = setTimeout(() => void this.connect(), this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, RECONNECT_MAX_MS);
  }
}
