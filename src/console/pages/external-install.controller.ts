import { Get, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthorizationService, type Authorized } from '../../auth/authorization.service.js';
import { CurrentTarget, SessionPermission } from '../../auth/permission.guard.js';
import { SentryAppsService } from '../../sentry-apps/apps/sentry-apps.service.js';
import { InstallationsService, isInstallable } from '../../sentry-apps/installations/installations.service.js';
import { ConsoleAccess } from '../console-access.service.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import { formField } from '../forms.js';
import { describeScopes } from '../scope-descriptions.js';

/**
 * Sentry's consent page: where an integration sends an admin to install it. Accepting
 * installs through the same service as the API, then the browser goes to the app's
 * redirect URL with `code`, `installationId` and `orgSlug`, as Sentry sends it.
 */
@ConsoleController('sentry-apps/:appSlug/external-install')
export class ExternalInstallPage {
  constructor(
    private readonly pages: ConsolePages,
    private readonly access: ConsoleAccess,
    private readonly authorization: AuthorizationService,
    private readonly sentryApps: SentryAppsService,
    private readonly installations: InstallationsService,
  ) {}

  /** Lists the person's organizations where the model allows `installation.create` and the app is installable. */
  @Get()
  @SessionPermission('installation.consent')
  async consent(@Param('appSlug') appSlug: string, @Query('org') preselected: unknown, @Res() reply: FastifyReply) {
    const principal = this.pages.session(reply).principal;
    const app = await this.sentryApps.withOwner(appSlug);
    // An unpublished app is no one's business outside its owner organization (the API's 404 too).
    if (app.status !== 'published' && !(await this.authorization.can(principal, 'sentry-app.read', { appSlug }))) throw new NotFoundException('Sentry app not found');
    const targets = (await this.access.installTargets(principal)).filter((organization) => isInstallable(app, organization.id, principal));
    const installedIn = new Set((await this.installations.ofApp(app)).map((installation) => installation.organizationId));
    const organizations = targets.map((organization) => ({ ...organization, installed: installedIn.has(organization.id) }));
    const selectable = organizations.filter((organization) => !organization.installed);
    await this.pages.render(reply, 'consent', {
      title: `Install ${app.name}`,
      app,
      permissions: describeScopes(app.scopes),
      organizations,
      selectable,
      selected: typeof preselected === 'string' && selectable.some((organization) => organization.slug === preselected) ? preselected : selectable[0]?.slug,
    });
  }

  /** The organization picked in the form is the target of `installation.create`, as the API's path names it. */
  @Post()
  @SessionPermission('installation.create', (request) => ({ organizationSlug: formField(request, 'organization') ?? '' }))
  async accept(@Param('appSlug') appSlug: string, @CurrentTarget() { organization }: Authorized, @Res() reply: FastifyReply) {
    const principal = this.pages.session(reply).principal;
    const view = await this.installations.install(principal, organization, appSlug);
    const app = await this.sentryApps.withOwner(appSlug);
    // A live grant means the app still has setup to finish: a double-click lands there too. The
    // browser goes on from a page of ours, as Sentry's consent page sends it on from a script,
    // not from this form's answer: the page's form-action would then govern every redirect the
    // app's setup URL makes in turn (an apex to www, a sign-in host), and Chromium stops there.
    if (view.code && view.redirectUrl) {
      return this.pages.render(reply, 'consent-redirect', { title: `${app.name} is installed`, app, organization, refreshTo: view.redirectUrl });
    }
    await this.pages.render(reply, 'consent-done', {
      title: view.code ? `${app.name} is installed` : `${app.name} was already installed`,
      app,
      organization,
      installation: view.installation,
      alreadyInstalled: !view.code,
    });
  }
}
