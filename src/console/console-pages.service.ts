import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthorizationService } from '../auth/authorization.service.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { csrfUserInfo, isHttps, type ConsoleRequest } from './console-http.js';
import type { ActiveSession } from '../auth/console-sessions.service.js';

export interface RenderOptions {
  status?: number;
}

/** Renders a page inside the layout: the person, their organizations, the flash and the page's CSRF token. */
@Injectable()
export class ConsolePages {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly authorization: AuthorizationService,
  ) {}

  async render(reply: FastifyReply, view: string, data: Record<string, unknown>, options: RenderOptions = {}): Promise<void> {
    const request = reply.request as ConsoleRequest;
    const session = request.consoleSession ?? null;
    const csrfToken = reply.generateCsrf({ userInfo: csrfUserInfo(request), secure: isHttps(request), sameSite: 'lax', path: '/', httpOnly: true });
    const page = {
      user: session?.user ?? null,
      organizations: session ? await this.organizations.listForUser(session.user.id) : [],
      mayPublish: session ? await this.authorization.can(session.principal, 'sentry-app.list-all') : false,
      flash: request.consoleFlash ?? null,
      csrfToken,
    };
    const html = await reply.viewAsync(view, { ...data, page });
    void reply.status(options.status ?? 200).type('text/html; charset=utf-8').send(html);
  }

  /** After a form: 303, so the browser follows with a GET (reloading it never posts again). */
  redirect(reply: FastifyReply, location: string): void {
    void reply.redirect(location, 303);
  }

  session(reply: FastifyReply): ActiveSession {
    return (reply.request as ConsoleRequest).consoleSession!;
  }
}
