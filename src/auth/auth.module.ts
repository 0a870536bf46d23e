import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthorizationService } from './authorization.service.js';
import { BearerTokenService } from './bearer-token.service.js';
import { ConsoleSessionsService } from './console-sessions.service.js';
import { PermissionGuard } from './permission.guard.js';

/** Authentication (Bearer tokens, console sessions) and the permission model: one global guard for every route, and the service anything else can ask. */
@Global()
@Module({
  providers: [BearerTokenService, ConsoleSessionsService, AuthorizationService, { provide: APP_GUARD, useClass: PermissionGuard }],
  exports: [BearerTokenService, ConsoleSessionsService, AuthorizationService],
})
export class AuthModule {}
