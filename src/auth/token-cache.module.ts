import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TokenCacheInterceptor } from './token-cache.interceptor.js';
import { TokenCache, TokenEndpointCache } from './token-cache.service.js';
import { TokenInvalidationListener } from './token-invalidation.listener.js';

/** The server's in-process caches and the one listener that keeps every instance's caches honest. */
@Global()
@Module({
  providers: [TokenCache, TokenEndpointCache, TokenInvalidationListener, { provide: APP_INTERCEPTOR, useClass: TokenCacheInterceptor }],
  exports: [TokenCache, TokenEndpointCache],
})
export class TokenCacheModule {}
