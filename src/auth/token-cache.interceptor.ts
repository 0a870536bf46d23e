import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { TokenInvalidationListener } from './token-invalidation.listener.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A write's effect on the caches is in place before its response leaves: after any
 * mutating request (answered or failed), wait until this instance has heard the
 * invalidations it committed. The contract's "at once" (a refreshed token's predecessor,
 * an uninstall, a rotated secret) then holds on the instance the caller talks to.
 */
@Injectable()
export class TokenCacheInterceptor implements NestInterceptor {
  constructor(private readonly listener: TokenInvalidationListener) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (READS.has(context.switchToHttp().getRequest<{ method: string }>().method)) return next.handle();
    return next.handle().pipe(
      mergeMap((value) => from(this.listener.caughtUp().then(() => value))),
      catchError((error: unknown) => from(this.listener.caughtUp().then(() => Promise.reject(error)))),
    );
  }
}
