import { Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { finalize, type Observable } from 'rxjs';
import { TokenInvalidationListener } from './token-invalidation.listener.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const WRITES_ONLY_TOKENS = 'token-cache:writes-only-tokens';

/**
 * Marks routes whose writes change token rows and nothing else (the token endpoint): after
 * them only the Bearer token cache is held, and the endpoint's own client cache keeps serving.
 */
export const WritesOnlyTokens = () => SetMetadata(WRITES_ONLY_TOKENS, true);

const CACHES_CURRENT = Symbol('token-cache:current');

/** Tells the interceptor that this instance's caches already reflect this request's write (it evicted what it changed). */
export function markCachesCurrent(request: object): void {
  (request as Record<symbol, boolean>)[CACHES_CURRENT] = true;
}

/**
 * A write's effect on the caches is in place before its response leaves: once a mutating
 * request is done (answered or failed), this instance's caches are held (bypassed) until it
 * has heard back the invalidations that write committed. The contract's "at once" (a
 * refreshed token's predecessor, an uninstall, a rotated secret) then holds on the instance
 * the caller talks to, and the write itself does not wait for the round trip.
 */
@Injectable()
export class TokenCacheInterceptor implements NestInterceptor {
  constructor(
    private readonly listener: TokenInvalidationListener,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ method: string } & Record<symbol, boolean>>();
    if (READS.has(request.method)) return next.handle();
    const onlyTokens = this.reflector.getAllAndOverride<boolean>(WRITES_ONLY_TOKENS, [context.getHandler(), context.getClass()]) ?? false;
    return next.handle().pipe(finalize(() => request[CACHES_CURRENT] || this.listener.holdUntilCaughtUp({ onlyTokens })));
  }
}
