import { Body, Get, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Authorized } from '../../auth/authorization.service.js';
import { ConsoleSessionsService } from '../../auth/console-sessions.service.js';
import { CurrentTarget, SessionPermission } from '../../auth/permission.guard.js';
import { SentryAppsService } from '../../sentry-apps/apps/sentry-apps.service.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import type { FormBody } from '../forms.js';

/** Superusers publish apps, so that any organization may install them. */
@ConsoleController('manage/sentry-apps')
export class ManageAppsPage {
  constructor(
    private readonly pages: ConsolePages,
    private readonly sentryApps: SentryAppsService,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  @Get()
  @SessionPermission('sentry-app.list-all')
  async list(@Res() reply: FastifyReply) {
    await this.pages.render(reply, 'manage-apps', { title: 'Publish integrations', apps: await this.sentryApps.all() });
  }

  /** The API's publish (PUT /sentry-apps/{slug}/): the same action, service and audit row. */
  @Post(':appSlug/status')
  @SessionPermission('sentry-app.publish')
  async setStatus(@CurrentTarget() { app }: Authorized, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const session = this.pages.session(reply);
    const status = body.status === 'published' ? 'published' : 'unpublished';
    await this.sentryApps.update(session.principal, app!, { status });
    await this.sessions.setFlash(session.id, { notice: `${app!.name} is ${status}.` });
    this.pages.redirect(reply, '/manage/sentry-apps/');
  }
}
