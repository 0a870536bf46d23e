import { Get, NotFoundException, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Authorized } from '../../auth/authorization.service.js';
import { CurrentTarget, SessionPermission } from '../../auth/permission.guard.js';
import { ConsoleSessionsService } from '../../auth/console-sessions.service.js';
import { Clock } from '../../common/clock.js';
import type { SentryApp } from '../../sentry-apps/apps/entities/sentry-app.entity.js';
import { InstallationsService } from '../../sentry-apps/installations/installations.service.js';
import { ConsoleAccess } from '../console-access.service.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import { DOUBLE_SUBMIT_SECONDS, formField } from '../forms.js';
import { describeScopes } from '../scope-descriptions.js';

/** An organization's integrations: what is installed, what could be, and one installation's page. */
@ConsoleController('settings/:organizationSlug')
export class IntegrationsPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly access: ConsoleAccess,
    private readonly installations: InstallationsService,
    private readonly sessions: ConsoleSessionsService,
    private readonly clock: Clock,
  ) {}

  @Get('integrations')
  @SessionPermission('installation.list')
  async list(@CurrentTarget() target: Authorized, @Res() reply: FastifyReply) {
    const principal = this.pages.session(reply).principal;
    const installed = await this.installations.list(principal, target);
    const directory = await this.installations.installable(principal, target.organization);
    await this.pages.render(reply, 'integrations', {
      title: 'Integrations',
      organization: target.organization,
      may: this.access.may(principal, target),
      installed: installed.map(({ installation, app }) => ({ installation, app, permissions: describeScopes((app as SentryApp).scopes) })),
      directory: directory.map((app) => ({ app, permissions: describeScopes(app.scopes) })),
    });
  }

  /** Where Sentry's example integration sends the admin after its setup. */
  @Get('sentry-apps/:appSlug')
  @SessionPermission('installation.list')
  async installation(@CurrentTarget() target: Authorized, @Param('appSlug') appSlug: string, @Res() reply: FastifyReply) {
    const { organization } = target;
    const view = await this.installations.findLive(organization, appSlug);
    if (!view) throw new NotFoundException(`This integration is not installed in ${organization.name}.`);
    const may = this.access.may(this.pages.session(reply).principal, target);
    await this.pages.render(reply, 'installation', { title: view.app.name, organization, may, app: view.app, installation: view.installation, permissions: describeScopes(view.app.scopes) });
  }

  /** The installation is named by its organization and app, as Sentry's settings URLs name it. */
  @Get('sentry-apps/:appSlug/uninstall')
  @SessionPermission('installation.delete')
  async confirmUninstall(@CurrentTarget() { organization, app, installation }: Authorized, @Res() reply: FastifyReply) {
    await this.pages.render(reply, 'uninstall', { title: `Uninstall ${app!.name}`, organization, app, installation });
  }

  /**
   * The API's uninstall: the grant goes and every token issued to the installation stops
   * working at once. The form names the installation its page showed, so sent twice (a double
   * click, a resubmit) it gets the first's answer: that installation was uninstalled moments
   * ago, or is while it runs. An installation made since (a reinstall) is not the form's.
   */
  @Post('sentry-apps/:appSlug/uninstall')
  @SessionPermission('installation.delete', (request) => {
    const installationUuid = formField(request, 'installation');
    return installationUuid ? { installationUuid, orUninstalled: true } : { organizationSlug: request.params.organizationSlug, appSlug: request.params.appSlug };
  })
  async uninstall(@Param('organizationSlug') organizationSlug: string, @Param('appSlug') appSlug: string, @CurrentTarget() target: Authorized, @Res() reply: FastifyReply) {
    // The installation the form names is of the organization and app its path names, or is not found.
    if (target.organization.slug !== organizationSlug || target.app!.slug !== appSlug) throw new NotFoundException('Installation not found');
    const session = this.pages.session(reply);
    const { dateDeleted } = target.installation!;
    if (dateDeleted && this.clock.now().getTime() - dateDeleted.getTime() > DOUBLE_SUBMIT_SECONDS * 1000) throw new NotFoundException('Installation not found');
    if (!dateDeleted) {
      await this.installations.uninstall(session.principal, target).catch((error: unknown) => {
        if (!(error instanceof NotFoundException)) throw error;
      });
    }
    await this.sessions.setFlash(session.id, { notice: `${target.app!.name} is uninstalled; its tokens no longer work.` });
    this.pages.redirect(reply, `/settings/${target.organization.slug}/integrations/`);
  }
}
