import { RateLimiterCompatibleAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { sha256Hex } from '../../common/crypto.js';
import type { CacheStats } from '../../auth/token-cache.service.js';

interface Window {
  points: number;
  expiresAt: number;
}

export interface BoundedMemoryLimiterOptions {
  keyPrefix: string;
  points: number;
  /** Seconds per window. */
  duration: number;
  maxKeys: number;
}

// A key plus its window: the string (two bytes a character) and the Map entry around it.
const ENTRY_OVERHEAD_BYTES = 96;
// Longer keys are stored as their SHA-256, so no key costs more than this, whoever built it.
const MAX_KEY_LENGTH = 128;

/**
 * rate-limiter-flexible's in-process fixed-window limiter, with a bounded store.
 * RateLimiterMemory keeps a key and a timer for every key it has seen in the window, so a
 * caller who varies the key (random installation uuids, many source addresses) grows the
 * process without limit. Here windows expire lazily, keys are at most MAX_KEY_LENGTH, and
 * past `maxKeys` the least recently used key goes: to win back a spent budget by eviction,
 * a caller must first send `maxKeys` requests with other keys, each of which counts too.
 */
export class BoundedMemoryLimiter extends RateLimiterCompatibleAbstract {
  private readonly windows = new Map<string, Window>();
  private readonly options: BoundedMemoryLimiterOptions;

  constructor(options: BoundedMemoryLimiterOptions) {
    super();
    this.options = options;
    // The base class declares these as accessors that throw until overridden; rate-limiter-flexible
    // sets the last two on an insurance limiter, and this one neither blocks nor spreads requests.
    Object.defineProperties(this, {
      keyPrefix: { value: options.keyPrefix },
      blockDuration: { value: 0, writable: true },
      execEvenly: { value: false, writable: true },
    });
  }

  get points(): number {
    return this.options.points;
  }

  stats(): CacheStats {
    let bytes = 0;
    for (const key of this.windows.keys()) bytes += ENTRY_OVERHEAD_BYTES + 2 * key.length;
    return { entries: this.windows.size, bytes };
  }

  override consume(key: string | number, points = 1): Promise<RateLimiterRes> {
    const result = this.add(key, points);
    return result.consumedPoints > this.points ? Promise.reject(result) : Promise.resolve(result);
  }

  override penalty(key: string | number, points = 1): Promise<RateLimiterRes> {
    return Promise.resolve(this.add(key, points));
  }

  override reward(key: string | number, points = 1): Promise<RateLimiterRes> {
    return Promise.resolve(this.add(key, -points));
  }

  override get(key: string | number): Promise<RateLimiterRes | null> {
    const stored = this.storeKey(key);
    const window = this.windows.get(stored);
    if (!window || window.expiresAt <= Date.now()) return Promise.resolve(null);
    return Promise.resolve(this.result(window, false));
  }

  override set(key: string | number, points: number, secDuration: number): Promise<RateLimiterRes> {
    return Promise.resolve(this.result(this.open(this.storeKey(key), points, secDuration > 0 ? secDuration : this.options.duration), true));
  }

  override block(key: string | number, secDuration: number): Promise<RateLimiterRes> {
    return this.set(key, this.points + 1, secDuration);
  }

  override delete(key: string | number): Promise<boolean> {
    return Promise.resolve(this.windows.delete(this.storeKey(key)));
  }

  private add(key: string | number, points: number): RateLimiterRes {
    const stored = this.storeKey(key);
    const window = this.windows.get(stored);
    if (!window || window.expiresAt <= Date.now()) return this.result(this.open(stored, points, this.options.duration), true);
    window.points += points;
    // Most recently used last, so eviction takes the key nobody has touched for longest.
    this.windows.delete(stored);
    this.windows.set(stored, window);
    return this.result(window, false);
  }

  private open(stored: string, points: number, seconds: number): Window {
    this.windows.delete(stored);
    this.evict();
    const window = { points, expiresAt: Date.now() + seconds * 1000 };
    this.windows.set(stored, window);
    return window;
  }

  /**
   * Drops least recently used keys while the store is full or they have expired. Only the
   * oldest end is looked at, so a full store costs O(1) per new key, not a scan.
   */
  private evict(): void {
    const now = Date.now();
    for (const [key, window] of this.windows) {
      if (this.windows.size < this.options.maxKeys && window.expiresAt > now) return;
      this.windows.delete(key);
    }
  }

  private storeKey(key: string | number): string {
    const full = `${this.keyPrefix}:${key}`;
    return full.length <= MAX_KEY_LENGTH ? full : `${this.keyPrefix}:sha256:${sha256Hex(full)}`;
  }

  private result(window: Window, first: boolean): RateLimiterRes {
    return new RateLimiterRes(Math.max(this.points - window.points, 0), Math.max(window.expiresAt - Date.now(), 0), window.points, first);
  }
}
