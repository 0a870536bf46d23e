import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ConsoleSessionsService } from '../auth/console-sessions.service.js';
import { setPageHeaders, type ConsoleRequest } from './console-http.js';
import { assertReadableForm } from './forms.js';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Every console page, once the global permission guard has found its session and allowed its
 * action: the page's headers, the flash it shows once, and the CSRF token of every form.
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(private readonly sessions: ConsoleSessionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    setPageHeaders(reply);
    if (!SAFE_METHODS.has(request.method)) {
      assertReadableForm(request);
      if (!(await csrfTokenValid(request, reply))) throw new ForbiddenException({ detail: 'This form has expired or did not come from this site. Reload the page and try again.' });
    } else if (request.consoleSession) {
      request.consoleFlash = await this.sessions.takeFlash(request.consoleSession.id);
    }
    return true;
  }
}

/**
 * @fastify/csrf-protection's check (the token in the form against the secret in the `_csrf`
 * cookie, bound to the session), as a promise: the plugin answers a failure itself with
 * `reply.send`, which is caught here so that the console's filter renders the 403.
 */
function csrfTokenValid(request: ConsoleRequest, reply: FastifyReply): Promise<boolean> {
  return new Promise((resolve) => {
    const failure = new Proxy(reply, { get: (target, key, receiver) => (key === 'send' ? () => resolve(false) : Reflect.get(target, key, receiver)) });
    request.server.csrfProtection(request, failure, () => resolve(true));
  });
}
