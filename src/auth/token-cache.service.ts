import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { AppPrincipal } from './principal.js';

/** What a verified app token resolves to, with what its invalidations are keyed on. */
export interface CachedAppToken {
  principal: AppPrincipal;
  applicationId: string;
  expiresAtMs: number;
}

/** A change announced by the database triggers (see the TokenCacheInvalidation migration). */
export type Invalidation =
  | { kind: 'token'; tokenHash: string }
  | { kind: 'installation'; id: string }
  | { kind: 'application'; id: string }
  | { kind: 'organization'; id: string };

/**
 * The in-process verified-token cache, keyed by token hash. It is only ever consulted while
 * the invalidation listener is connected (`online`); going offline empties it, so an entry
 * can never outlive a revocation this instance did not hear about.
 */
@Injectable()
export class TokenCache {
  private readonly entries = new Map<string, CachedAppToken>();
  private readonly capacity: number;
  private live = false;
  // Bumped by every invalidation: a read that raced one must not be stored (see `set`).
  private generation = 0;

  constructor(config: AppConfig) {
    this.capacity = config.TOKEN_CACHE_SIZE;
  }

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

  get(tokenHash: string): CachedAppToken | undefined {
    return this.online ? this.entries.get(tokenHash) : undefined;
  }

  /** Stores the row read under `ticket` unless an invalidation arrived since: that row may be stale. */
  set(tokenHash: string, entry: CachedAppToken, ticket: number): void {
    if (!this.online || ticket !== this.generation) return;
    if (this.entries.size >= this.capacity && !this.entries.has(tokenHash)) {
      // A size cap, oldest first: cheaper than LRU bookkeeping on every hit.
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(tokenHash, entry);
  }

  invalidate(change: Invalidation): void {
    this.generation++;
    if (change.kind === 'token') {
      this.entries.delete(change.tokenHash);
      return;
    }
    for (const [hash, entry] of this.entries) {
      if (matches(entry, change)) this.entries.delete(hash);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function matches({ principal, applicationId }: CachedAppToken, change: Invalidation): boolean {
  switch (change.kind) {
    case 'installation':
      return principal.installationId === change.id;
    case 'application':
      return applicationId === change.id;
    case 'organization':
      return principal.organization.id === change.id;
    default:
      return false;
  }
}
