import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthorizationService } from './authorization.service.js';
import { BearerTokenService } from './bearer-token.service.js';
import { PermissionGuard } from './permission.guard.js';

/** Authentication and the permission model: one global guard for every route, and the service anything else can ask. */
@Global()
@Module({
  providers: [BearerTokenService, AuthorizationService, { provide: APP_GUARD, useClass: PermissionGuard }],
  exports: [BearerTokenService, AuthorizationService],
})
export class AuthModule {}
