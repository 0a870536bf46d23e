import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SessionPermission } from '../../auth/permission.guard.js';
import { setSessionCookie, type ConsoleRequest } from '../console-http.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import type { FormBody } from '../forms.js';
import { ConsoleSessionsService } from '../../auth/console-sessions.service.js';
import { SignInService, TooManyAttempts } from '../sign-in.service.js';
import { readNewPassword } from './auth.controller.js';

@ConsoleController('settings/account')
export class AccountPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly signIn: SignInService,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  @Get('security')
  @SessionPermission('account.manage')
  async securityForm(@Res() reply: FastifyReply) {
    await this.pages.render(reply, 'account-security', { title: 'Password', errors: {} });
  }

  /** The current password first (it spends the failure budget like a sign-in), then every session ends and this browser gets a new one. */
  @Post('security')
  @SessionPermission('account.manage')
  async changePassword(@Req() request: ConsoleRequest, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const session = request.consoleSession!;
    const { password, errors } = await readNewPassword(body);
    try {
      if (!(await this.signIn.authenticate(request.ip, session.user.email, String(body.current ?? '')))) errors.current = ['This is not your current password.'];
    } catch (error) {
      if (!(error instanceof TooManyAttempts)) throw error;
      errors.current = [`Too many failed attempts from your address. Try again in ${error.retryAfterSeconds} seconds.`];
    }
    if (Object.keys(errors).length) return this.pages.render(reply, 'account-security', { title: 'Password', errors }, { status: 400 });
    await this.signIn.changePassword(session.user.id, password);
    const { id, cookieValue, maxAgeSeconds } = await this.sessions.start(session.user.id);
    setSessionCookie(reply, cookieValue, maxAgeSeconds);
    await this.sessions.setFlash(id, { notice: 'Your password is changed. Every other session was signed out.' });
    this.pages.redirect(reply, '/settings/account/security/');
  }
}
