import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ApiApplicationsService } from './apps/api-applications.service.js';
import { ApiApplicationsController, SentryAppsController } from './apps/sentry-apps.controller.js';
import { SentryAppsService } from './apps/sentry-apps.service.js';
import { AuthorizationsController } from './authorizations/authorizations.controller.js';
import { AuthorizationsService } from './authorizations/authorizations.service.js';
import { GrantService } from './authorizations/grant.service.js';
import { AuthorizationCodeGrant } from './authorizations/grants/authorization-code.grant.js';
import { ManualRefreshGrant } from './authorizations/grants/manual-refresh.grant.js';
import { RefreshTokenGrant } from './authorizations/grants/refresh-token.grant.js';
import { ClientIdSecretGuard, ClientIdSecretStrategy } from './authorizations/strategies/client-id-secret.strategy.js';
import { ClientJwtAuthenticator } from './authorizations/strategies/client-jwt.authenticator.js';
import { TokenRateLimiter } from './authorizations/token-rate-limiter.service.js';
import { TokenService } from './authorizations/token.service.js';
import { InstallationsController, OrganizationInstallationsController } from './installations/installations.controller.js';
import { InstallationsService } from './installations/installations.service.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.service.js';
import { WebhookRequestsController } from './webhooks/webhook-requests.controller.js';
import { WebhookRequestsService } from './webhooks/webhook-requests.service.js';
import { WebhookWorker } from './webhooks/webhook-worker.service.js';

/**
 * The integration platform, as the design card names it: apps and their API applications,
 * installations, the token endpoint (the authorizations controller behind the ClientIdSecret
 * guard, one handler per grant type, the grant and token services) and installation webhooks.
 */
@Module({
  imports: [PassportModule],
  controllers: [
    SentryAppsController,
    ApiApplicationsController,
    OrganizationInstallationsController,
    InstallationsController,
    AuthorizationsController,
    WebhookRequestsController,
  ],
  providers: [
    // apps/
    SentryAppsService,
    ApiApplicationsService,
    // installations/
    InstallationsService,
    // authorizations/: the token endpoint
    ClientIdSecretStrategy,
    ClientIdSecretGuard,
    ClientJwtAuthenticator,
    AuthorizationsService,
    AuthorizationCodeGrant,
    RefreshTokenGrant,
    ManualRefreshGrant,
    GrantService,
    TokenService,
    TokenRateLimiter,
    // webhooks/
    WebhookOutbox,
    WebhookWorker,
    WebhookRequestsService,
  ],
  // What the console calls: the same services as the API, so every rule stays in one place.
  exports: [SentryAppsService, ApiApplicationsService, InstallationsService, WebhookRequestsService, TokenRateLimiter],
})
export class SentryAppsModule {}
