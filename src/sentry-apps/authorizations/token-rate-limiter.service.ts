import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyTokenRequestsError } from '../../common/http-errors.js';
import { AppConfig } from '../../config/app-config.js';

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
 * Redis is unreachable rather than failing requests.
 */
@Injectable()
export class TokenRateLimiter implements OnModuleDestroy {
  private readonly redis?: Redis;
  private readonly requests: RateLimiterAbstract;
  private readonly authFailures: RateLimiterAbstract;
  /**
   * The in-process counters keep each new key for a minute, with an expiry timer. Armed inside a
   * request, the timer would hold that request's async context (its logger, its request id) for
   * the minute too, so the counters are touched from the context this service was built in.
   */
  private readonly outsideRequests = AsyncLocalStorage.snapshot();

  constructor(private readonly config: AppConfig) {
    const requests = { keyPrefix: `${config.REDIS_KEY_PREFIX}:token`, points: config.RATE_LIMIT_TOKEN_PER_MINUTE, duration: 60 };
    const failures = { keyPrefix: `${config.REDIS_KEY_PREFIX}:authfail`, points: config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE, duration: 60 };
    if (config.REDIS_URL) {
      this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
      this.redis.on('error', () => undefined); // reconnects by itself; the insurance limiter covers the gap
      this.requests = new RateLimiterRedis({ storeClient: this.redis, ...requests, insuranceLimiter: new RateLimiterMemory(requests) });
      this.authFailures = new RateLimiterRedis({ storeClient: this.redis, ...failures, insuranceLimiter: new RateLimiterMemory(failures) });
    } else {
      this.requests = new RateLimiterMemory(requests);
      this.authFailures = new RateLimiterMemory(failures);
    }
  }

  /** Refuses a source that has already failed too often, before its credentials are looked at. */
  async assertMayAuthenticate(ip: string): Promise<void> {
    const spent = await this.authFailures.get(ip);
    if (spent && spent.consumedPoints >= this.config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE) throw new TooManyTokenRequestsError(spent.msBeforeNext);
  }

  async recordAuthFailure(ip: string): Promise<void> {
    await this.outsideRequests(() => this.authFailures.consume(ip)).catch((result: unknown) => {
      if (!(result instanceof RateLimiterRes)) throw result;
    });
  }

  async consumeRequest(clientId: string, installationUuid: string): Promise<void> {
    await this.outsideRequests(() => this.requests.consume(ownString(`${clientId}:${installationUuid}`))).catch((result: unknown) => {
      throw result instanceof RateLimiterRes ? new TooManyTokenRequestsError(result.msBeforeNext) : result;
    });
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
