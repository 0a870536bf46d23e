import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ClientIdSecretGuard, ClientIdSecretStrategy } from '../auth/strategies/client-id-secret.strategy.js';
import { ClientJwtAuthenticator } from '../auth/strategies/client-jwt.authenticator.js';
import { SentryAppsModule } from '../sentry-apps/sentry-apps.module.js';
import { AuthorizationsController } from './authorizations.controller.js';
import { AuthorizationsService } from './authorizations.service.js';
import { GrantService } from './grant.service.js';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant.js';
import { ManualRefreshGrant } from './grants/manual-refresh.grant.js';
import { RefreshTokenGrant } from './grants/refresh-token.grant.js';
import { TokenRateLimiter } from './token-rate-limiter.service.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [PassportModule, SentryAppsModule],
  controllers: [AuthorizationsController],
  providers: [
    AuthorizationsService,
    GrantService,
    TokenService,
    TokenRateLimiter,
    AuthorizationCodeGrant,
    RefreshTokenGrant,
    ManualRefreshGrant,
    ClientJwtAuthenticator,
    ClientIdSecretStrategy,
    ClientIdSecretGuard,
  ],
  exports: [GrantService, TokenService],
})
export class AuthorizationsModule {}
