import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { AppPrincipal } from './principal.js';

/** A change announced by the database triggers (see the TokenCacheInvalidation migration). */
export type Invalidation =
  | { kind: 'token'; tokenHash: string }
  | { kind: 'installation' | 'application' | 'sentryApp' | 'organization'; id: string };

/** The ids of the rows an entry was read from: a change to any of them evicts it. */
export interface Dependencies {
  installationId?: string;
  applicationId?: string;
  sentryAppId?: string | null;
  organizationId?: string;
}

/**
 * An in-process cache that is only ever consulted while the invalidation listener is
 * connected (`online`); going offline empties it, so an entry can never outlive a change
 * this instance did not hear about.
 */
export class InvalidatedCache<V extends { dependsOn: Dependencies }> {
  private readonly entries = new Map<string, V>();
  private live = false;
  // Bumped by every invalidation: a read that raced one must not be stored (see `set`).
  private generation = 0;
  // Writes of this instance whose invalidations it has not heard back yet (see `hold`).
  private holds = 0;

  constructor(private readonly capacity: number) {}

  get online(): boolean {
    return this.live && this.capacity > 0;
  }

  /** The listener's state: offline clears; online starts from empty, since notifications may have been missed. */
  setOnline(online: boolean): void {
    this.entries.clear();
    this.generation++;
    this.live = online;
  }

  /** A token to pass to `set`, taken before reading the database. */
  ticket(): number {
    return this.generation;
  }

  /**
   * Bypasses the cache until `release` is called: from the moment a write of this instance
   * has committed until its invalidations have come back through the listener, reads go to
   * the database, so the write is in effect "at once" here without making it wait.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
    };
  }

  get(key: string): V | undefined {
    return this.online && this.holds === 0 ? this.entries.get(key) : undefined;
  }

  /** Stores the row read under `ticket` unless an invalidation arrived since: that row may be stale. */
  set(key: string, entry: V, ticket: number): void {
    if (!this.online || this.holds > 0 || ticket !== this.generation) return;
    if (this.entries.size >= this.capacity && !this.entries.has(key)) {
      // A size cap, oldest first: cheaper than LRU bookkeeping on every hit.
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, entry);
  }

  invalidate(change: Invalidation): void {
    this.generation++;
    if (change.kind === 'token') {
      this.entries.delete(change.tokenHash);
      return;
    }
    const field = `${change.kind}Id` as keyof Dependencies;
    for (const [key, entry] of this.entries) {
      if (entry.dependsOn[field] === change.id) this.entries.delete(key);
    }
  }
}

/** Verified app tokens, keyed by token hash; expiry is checked by the caller on every request. */
export interface CachedAppToken {
  principal: AppPrincipal;
  expiresAtMs: number;
  dependsOn: Dependencies;
}

@Injectable()
export class TokenCache extends InvalidatedCache<CachedAppToken> {
  constructor(config: AppConfig) {
    super(config.TOKEN_CACHE_SIZE);
  }
}

/**
 * The OAuth clients the token endpoint reads on every request, keyed `client:<client id>`.
 * Their secrets stay encrypted in here.
 */
@Injectable()
export class TokenEndpointCache extends InvalidatedCache<{ value: unknown; dependsOn: Dependencies }> {
  constructor(config: AppConfig) {
    super(config.TOKEN_CACHE_SIZE);
  }

  /**
   * A token's rotation or revocation changes no client, so it neither evicts one nor discards
   * a client read that raced it: under refresh load one always does, and the cache stayed cold.
   */
  override invalidate(change: Invalidation): void {
    if (change.kind !== 'token') super.invalidate(change);
  }

  /** The cached value, or `read`'s (stored when it is found and no invalidation raced the read). */
  async through<T>(key: string, read: () => Promise<{ value: T; dependsOn: Dependencies } | undefined>): Promise<T | undefined> {
    const hit = this.get(key);
    if (hit) return hit.value as T;
    const ticket = this.ticket();
    const entry = await read();
    if (entry) this.set(key, entry, ticket);
    return entry?.value;
  }
}
