import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes, type RateLimiterLike } from 'rate-limiter-flexible';
import type { CacheStats } from '../../auth/token-cache.service.js';
import { TooManyTokenRequestsError } from '../../common/http-errors.js';
import { AppConfig } from '../../config/app-config.js';
import { BoundedMemoryLimiter } from './bounded-memory-limiter.js';

/**
 * The failure budget's key for a source address: IPv4 as is, IPv6 by its /64 (one host
 * usually holds a whole /64), and anything unparsable (a forged X-Forwarded-For behind
 * TRUST_PROXY) in one shared bucket, so the key is never longer than an address.
 */
export function sourceKey(ip: string): string {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(ip);
  } catch {
    return 'unparsable';
  }
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}

/**
 * A copy that shares no memory with the strings it was made from: a key built from slices of a
 * request's body and URL would otherwise keep both alive for as long as the key is counted.
 */
function ownString(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

/**
 * The token endpoint's two budgets, per minute: requests per client and installation, and
 * failed client authentications per source IP (which only failures spend, so a client
 * with the right secret is never locked out by its own traffic). In-process by default;
 * with REDIS_URL every instance shares them, falling back to in-process counters while
 * Redis is unreachable rather than failing requests. The in-process counters are bounded
 * (RATE_LIMIT_MAX_KEYS each), and every key is built from stored or validated values: a
 * client id as stored, a uuid the route has parsed, a source address.
 */
@Injectable()
export class TokenRateLimiter implements OnModuleDestroy {
  private readonly redis?: Redis;
  private readonly requests: RateLimiterLike;
  private readonly authFailures: RateLimiterLike;
  private readonly inProcess: { requests: BoundedMemoryLimiter; authFailures: BoundedMemoryLimiter };

  constructor(private readonly config: AppConfig) {
    const requests = { keyPrefix: `${config.REDIS_KEY_PREFIX}:token`, points: config.RATE_LIMIT_TOKEN_PER_MINUTE, duration: 60 };
    const failures = { keyPrefix: `${config.REDIS_KEY_PREFIX}:authfail`, points: config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE, duration: 60 };
    const maxKeys = config.RATE_LIMIT_MAX_KEYS;
    this.inProcess = { requests: new BoundedMemoryLimiter({ ...requests, maxKeys }), authFailures: new BoundedMemoryLimiter({ ...failures, maxKeys }) };
    if (config.REDIS_URL) {
      this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
      this.redis.on('error', () => undefined); // reconnects by itself; the insurance limiter covers the gap
      this.requests = new RateLimiterRedis({ storeClient: this.redis, ...requests, insuranceLimiter: this.inProcess.requests });
      this.authFailures = new RateLimiterRedis({ storeClient: this.redis, ...failures, insuranceLimiter: this.inProcess.authFailures });
    } else {
      ({ requests: this.requests, authFailures: this.authFailures } = this.inProcess);
    }
  }

  /** What the in-process counters hold (with Redis, its fallback's). */
  stats(): { requests: CacheStats; authFailures: CacheStats } {
    return { requests: this.inProcess.requests.stats(), authFailures: this.inProcess.authFailures.stats() };
  }

  /** Refuses a source that has already failed too often, before its credentials are looked at. */
  async assertMayAuthenticate(ip: string): Promise<void> {
    const spent = await this.authFailures.get(sourceKey(ip));
    if (spent && spent.consumedPoints >= this.config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE) throw new TooManyTokenRequestsError(spent.msBeforeNext);
  }

  /**
   * For secrets a person can guess (passwords, links): the attempt spends its point before it
   * is checked, so a burst of parallel guesses cannot all pass the budget check first; the
   * returned refund gives the point back when the attempt succeeds. (Client secrets keep
   * check-then-record: they are 256-bit, and a client's own parallel requests must not be refused.)
   */
  async reserveAuthAttempt(ip: string): Promise<() => Promise<void>> {
    const key = sourceKey(ip);
    await this.authFailures.consume(key).catch((result: unknown) => {
      throw result instanceof RateLimiterRes ? new TooManyTokenRequestsError(result.msBeforeNext) : result;
    });
    return async () => {
      await this.authFailures.reward(key, 1);
    };
  }

  async recordAuthFailure(ip: string): Promise<void> {
    await this.authFailures.consume(sourceKey(ip)).catch((result: unknown) => {
      if (!(result instanceof RateLimiterRes)) throw result;
    });
  }

  /** `clientId` as stored, `installationUuid` as the route parsed it (lowercase). */
  async consumeRequest(clientId: string, installationUuid: string): Promise<void> {
    await this.requests.consume(ownString(`${clientId}:${installationUuid}`)).catch((result: unknown) => {
      throw result instanceof RateLimiterRes ? new TooManyTokenRequestsError(result.msBeforeNext) : result;
    });
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
