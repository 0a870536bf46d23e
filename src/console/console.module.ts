import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { SentryAppsModule } from '../sentry-apps/sentry-apps.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConsoleAccess } from './console-access.service.js';
import { ConsolePages } from './console-pages.service.js';
import { consoleRoutes } from './console-route.js';
import { ConsoleGuard } from './console.guard.js';
import { AccountPages } from './pages/account.controller.js';
import { AuditLogPage } from './pages/audit-log.controller.js';
import { AuthPages } from './pages/auth.controller.js';
import { DeveloperSettingsPages } from './pages/developer-settings.controller.js';
import { ExternalInstallPage } from './pages/external-install.controller.js';
import { IntegrationsPages } from './pages/integrations.controller.js';
import { ManageAppsPage } from './pages/manage.controller.js';
import { MembersPage } from './pages/members.controller.js';
import { OrganizationsPages } from './pages/organizations.controller.js';
import { SignInService } from './sign-in.service.js';

const CONTROLLERS = [AuthPages, AccountPages, OrganizationsPages, ExternalInstallPage, IntegrationsPages, MembersPage, AuditLogPage, DeveloperSettingsPages, ManageAppsPage];

/** The console's pages, which sit outside /api/0 at Sentry's own paths. */
export const CONSOLE_ROUTES = consoleRoutes(CONTROLLERS);

/** The console: server-rendered pages for people, over the same services as the API. */
@Module({
  imports: [UsersModule, OrganizationsModule, SentryAppsModule],
  controllers: CONTROLLERS,
  providers: [ConsoleGuard, ConsolePages, ConsoleAccess, SignInService],
})
export class ConsoleModule {}
