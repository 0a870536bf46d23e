import { Body, ConflictException, Get, NotFoundException, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Authorized } from '../../auth/authorization.service.js';
import { CurrentTarget, SessionPermission } from '../../auth/permission.guard.js';
import { ALL_SCOPES } from '../../auth/scopes.js';
import { CreateSentryAppDto, WEBHOOK_EVENTS } from '../../sentry-apps/apps/dto/sentry-app.dto.js';
import { ApiApplicationsService } from '../../sentry-apps/apps/api-applications.service.js';
import type { SentryApp } from '../../sentry-apps/apps/entities/sentry-app.entity.js';
import { NEW_APP_PAGE, SentryAppsService } from '../../sentry-apps/apps/sentry-apps.service.js';
import { InstallationsService } from '../../sentry-apps/installations/installations.service.js';
import { WebhookRequestsService } from '../../sentry-apps/webhooks/webhook-requests.service.js';
import { ConsoleAccess } from '../console-access.service.js';
import type { ConsoleRequest } from '../console-http.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import { DOUBLE_SUBMIT_SECONDS, fieldErrorsOf, isChecked, linesOf, validateForm, type FormBody } from '../forms.js';
import { SCOPE_RESOURCES } from '../scope-descriptions.js';
import { ConsoleSessionsService } from '../../auth/console-sessions.service.js';
import type { Organization } from '../../organizations/entities/organization.entity.js';
import type { Flash } from '../../auth/entities/console-session.entity.js';
import { safeEqual, sha256Hex } from '../../common/crypto.js';

const EMPTY_FORM = { name: '', author: '', overview: '', webhookUrl: '', redirectUrl: '', allowedOrigins: '', verifyInstall: true, isAlertable: false, scopes: ['org:read'], events: [] as string[] };

/** An organization's own integrations: registering one, its credentials, secret rotation and request log. */
@ConsoleController('settings/:organizationSlug/developer-settings')
export class DeveloperSettingsPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly access: ConsoleAccess,
    private readonly sentryApps: SentryAppsService,
    private readonly applications: ApiApplicationsService,
    private readonly installations: InstallationsService,
    private readonly requests: WebhookRequestsService,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  @Get()
  @SessionPermission('organization.read')
  async list(@CurrentTarget() target: Authorized, @Res() reply: FastifyReply) {
    const { organization } = target;
    const may = this.access.may(this.pages.session(reply).principal, target);
    await this.pages.render(reply, 'developer-settings', { title: 'Developer settings', organization, may, apps: await this.sentryApps.ownedBy(organization) });
  }

  @Get(NEW_APP_PAGE)
  @SessionPermission('sentry-app.create')
  async newForm(@CurrentTarget() { organization }: Authorized, @Res() reply: FastifyReply) {
    await this.pages.render(reply, 'app-new', { title: 'New integration', organization, form: EMPTY_FORM, errors: {}, resources: SCOPE_RESOURCES, events: WEBHOOK_EVENTS });
  }

  /** The API's DTO and service: the client secret is shown once, on the app's page that follows. */
  @Post(NEW_APP_PAGE)
  @SessionPermission('sentry-app.create')
  async create(@CurrentTarget() { organization }: Authorized, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const session = this.pages.session(reply);
    const form = {
      name: body.name ?? '',
      author: body.author ?? '',
      overview: body.overview ?? '',
      webhookUrl: body.webhookUrl ?? '',
      redirectUrl: body.redirectUrl ?? '',
      allowedOrigins: body.allowedOrigins ?? '',
      verifyInstall: isChecked(body, 'verifyInstall'),
      isAlertable: isChecked(body, 'isAlertable'),
      scopes: ALL_SCOPES.filter((scope) => isChecked(body, `scope:${scope}`)),
      events: WEBHOOK_EVENTS.filter((event) => isChecked(body, `event:${event}`)),
    };
    const { value, errors } = await validateForm(CreateSentryAppDto, {
      ...form,
      author: form.author || undefined,
      overview: form.overview || undefined,
      webhookUrl: form.webhookUrl || undefined,
      redirectUrl: form.redirectUrl || undefined,
      allowedOrigins: linesOf(form.allowedOrigins),
      organization: organization.slug,
    });
    if (!Object.keys(errors).length) {
      try {
        // The notice that shows the secret commits with the app, so a second sending that finds the app finds it too.
        const { app } = await this.sentryApps.create(session.principal, organization, value, (em, { app, clientSecret }) =>
          this.sessions.setFlash(session.id, secretNotice(app, clientSecret!, `${app.name} is registered. Copy its client secret now: it is shown only this once.`), em));
        return this.pages.redirect(reply, appPage(organization, app));
      } catch (error) {
        // The same form sent twice (a double click, a resubmit after a slow answer): the browser
        // shows the second answer, so it too goes on to the app the first made, where the first's
        // notice shows the secret, once, and only while it is still the one that notice announced.
        const first = error instanceof ConflictException ? await this.sentryApps.justRegistered(session.principal, organization, value, DOUBLE_SUBMIT_SECONDS) : null;
        if (first) return this.pages.redirect(reply, appPage(organization, first));
        Object.assign(errors, fieldErrorsOf(error, 'name'));
      }
    }
    await this.pages.render(reply, 'app-new', { title: 'New integration', organization, form, errors, resources: SCOPE_RESOURCES, events: WEBHOOK_EVENTS }, { status: 400 });
  }

  @Get(':appSlug')
  @SessionPermission('sentry-app.read')
  async show(@Param('organizationSlug') slug: string, @CurrentTarget() target: Authorized, @Res() reply: FastifyReply) {
    const app = ownedApp(target, slug);
    const principal = this.pages.session(reply).principal;
    const may = this.access.may(principal, target);
    const flash = (reply.request as ConsoleRequest).consoleFlash;
    const notice = flash && 'secretOf' in flash && flash.secretOf === app.uuid ? flash : null;
    const current = notice && await this.applications.currentSecret(app.applicationId);
    // Rotated by someone else since: that secret is theirs to have been shown, not this page's.
    const clientSecret = notice && current && safeEqual(sha256Hex(current), notice.secretSha256) ? current : null;
    await this.pages.render(reply, 'app', {
      title: app.name,
      organization: target.organization,
      may,
      app,
      clientId: (await this.sentryApps.view(app)).clientId,
      clientSecret,
      scopes: SCOPE_RESOURCES,
      installations: await this.installations.ofApp(app),
      requests: may.readRequests ? await this.requests.list(app) : [],
    });
  }

  /** A new secret; the old one stops working at once, and the new one is shown once. */
  @Post(':appSlug/rotate-secret')
  @SessionPermission('sentry-app.rotate-secret')
  async rotate(@Param('organizationSlug') slug: string, @CurrentTarget() target: Authorized, @Res() reply: FastifyReply) {
    const app = ownedApp(target, slug);
    const session = this.pages.session(reply);
    const { clientSecret } = await this.sentryApps.rotateSecret(session.principal, app);
    await this.sessions.setFlash(session.id, secretNotice(app, clientSecret, 'The client secret is replaced; the old one no longer works. Copy the new one now: it is shown only this once.'));
    this.pages.redirect(reply, appPage(target.organization, app));
  }
}

function appPage(organization: Organization, app: SentryApp): string {
  return `/settings/${organization.slug}/developer-settings/${app.slug}/`;
}

/** The notice that shows `secret` on the app's next page, while it is still the app's secret. */
function secretNotice(app: SentryApp, secret: string, notice: string): Flash {
  return { secretOf: app.uuid, secretSha256: sha256Hex(secret), notice };
}

/** The app the page names, under the organization that owns it: another organization's path does not show it. */
function ownedApp({ app, organization }: Authorized, organizationSlug: string): SentryApp {
  if (organization.slug !== organizationSlug) throw new NotFoundException('Sentry app not found');
  return app!;
}
