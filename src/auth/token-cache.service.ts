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

/** What a cache holds right now, for operators and for the tests that attack it. */
export interface CacheStats {
  entries: number;
  /** Approximate: UTF-16 string lengths plus a fixed overhead per value (see approximateBytes). */
  bytes: number;
}

const OBJECT_OVERHEAD = 48;
const VALUE_OVERHEAD = 16;

/** Roughly what a value costs in V8's heap: two bytes a character, plus overheads. Iterative. */
export function approximateBytes(value: unknown): number {
  let bytes = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') bytes += VALUE_OVERHEAD + 2 * item.length;
    else if (item instanceof Set || item instanceof Map) {
      bytes += OBJECT_OVERHEAD;
      for (const member of item) pending.push(member);
    } else if (typeof item === 'object' && item !== null && !(item instanceof Date)) {
      bytes += OBJECT_OVERHEAD;
      for (const [key, member] of Object.entries(item)) pending.push(key, member);
    } else bytes += VALUE_OVERHEAD;
  }
  return bytes;
}

/**
 * An in-process cache that is only ever consulted while the invalidation listener is
 * connected (`online`); going offline empties it, so an entry can never outlive a change
 * this instance did not hear about. It is bounded in entries and in (approximate) bytes,
 * oldest out first, so nothing a caller sends can grow it further.
 */
export class InvalidatedCache<V extends { dependsOn: Dependencies }> {
  private readonly entries = new Map<string, { entry: V; bytes: number }>();
  private bytes = 0;
  private live = false;
  // Bumped by every invalidation: a read that raced one must not be stored (see `set`).
  private generation = 0;
  // Writes of this instance whose invalidations it has not heard back yet (see `hold`).
  private holds = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  stats(): CacheStats {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  get online(): boolean {
    return this.live && this.capacity > 0;
  }

  /** The listener's state: offline clears; online starts from empty, since notifications may have been missed. */
  setOnline(online: boolean): void {
    this.entries.clear();
    this.bytes = 0;
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
    return this.online && this.holds === 0 ? this.entries.get(key)?.entry : undefined;
  }

  /** Stores the row read under `ticket` unless an invalidation arrived since: that row may be stale. */
  set(key: string, entry: V, ticket: number): void {
    if (!this.online || this.holds > 0 || ticket !== this.generation) return;
    const bytes = approximateBytes(key) + approximateBytes(entry);
    if (bytes > this.maxBytes) return;
    this.delete(key);
    // Oldest out first: cheaper than LRU bookkeeping on every hit.
    while (this.entries.size >= this.capacity || this.bytes + bytes > this.maxBytes) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, { entry, bytes });
    this.bytes += bytes;
  }

  private delete(key: string): void {
    const held = this.entries.get(key);
    if (!held) return;
    this.entries.delete(key);
    this.bytes -= held.bytes;
  }

  invalidate(change: Invalidation): void {
    this.generation++;
    if (change.kind === 'token') {
      this.delete(change.tokenHash);
      return;
    }
    const field = `${change.kind}Id` as keyof Dependencies;
    for (const [key, { entry }] of this.entries) {
      if (entry.dependsOn[field] === change.id) this.delete(key);
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
    super(config.TOKEN_CACHE_SIZE, config.TOKEN_CACHE_MAX_MB * 1024 * 1024);
  }
}

/**
 * The OAuth clients the token endpoint reads on every request, keyed `client:<client id>`
 * (a well-formed id; unknown ones are held as null). Their secrets stay encrypted in here.
 */
@Injectable()
export class TokenEndpointCache extends InvalidatedCache<{ value: unknown; dependsOn: Dependencies }> {
  constructor(config: AppConfig) {
    super(config.TOKEN_CACHE_SIZE, config.TOKEN_CACHE_MAX_MB * 1024 * 1024);
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
