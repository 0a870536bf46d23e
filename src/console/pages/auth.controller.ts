import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { SessionPermission } from '../../auth/permission.guard.js';
import { PasswordLinksService } from '../../users/password-links.service.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../users/passwords.js';
import { clearSessionCookie, LOGIN_PATH, safeNext, setSessionCookie, type ConsoleRequest } from '../console-http.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import { validateForm, type FieldErrors, type FormBody } from '../forms.js';
import { ConsoleSessionsService } from '../../auth/console-sessions.service.js';
import { SignInService, TooManyAttempts } from '../sign-in.service.js';

export class NewPasswordForm {
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, { message: `Use at least ${PASSWORD_MIN_LENGTH} characters.` })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` })
  password: string;
}

/** A new password typed twice: the DTO's rules, then the two must match. */
export async function readNewPassword(body: FormBody): Promise<{ password: string; errors: FieldErrors }> {
  const { value, errors } = await validateForm(NewPasswordForm, { password: body.password ?? '' });
  if (!errors.password && body.password !== body.confirm) errors.confirm = ['The two passwords differ.'];
  return { password: value.password, errors };
}

@ConsoleController('auth')
export class AuthPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly signIn: SignInService,
    private readonly sessions: ConsoleSessionsService,
    private readonly links: PasswordLinksService,
  ) {}

  @Get('login')
  @SessionPermission('session.sign-in')
  async loginForm(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    if (request.consoleSession) return this.pages.redirect(reply, safeNext(query.next));
    const notice = query.signedOut ? 'You are signed out.' : query.passwordSet ? 'Your password is set. Sign in with it.' : null;
    await this.pages.render(reply, 'login', { title: 'Sign in', next: safeNext(query.next), email: '', errors: {}, notice });
  }

  @Post('login')
  @SessionPermission('session.sign-in')
  async login(@Req() request: ConsoleRequest, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const next = safeNext(body.next);
    const email = String(body.email ?? '').slice(0, 254);
    const form = { title: 'Sign in', next, email, notice: null };
    try {
      const user = await this.signIn.authenticate(request.ip, email, String(body.password ?? ''));
      if (!user) return this.pages.render(reply, 'login', { ...form, errors: { password: ['The email or the password is wrong.'] } }, { status: 400 });
      // A new id at every sign-in, and the old session ended: no fixation.
      if (request.consoleSession) await this.sessions.end(request.consoleSession.id);
      const { cookieValue, maxAgeSeconds } = await this.sessions.start(user.id);
      setSessionCookie(reply, cookieValue, maxAgeSeconds);
      this.pages.redirect(reply, next);
    } catch (error) {
      if (!(error instanceof TooManyAttempts)) throw error;
      void reply.header('Retry-After', String(error.retryAfterSeconds));
      await this.pages.render(reply, 'login', { ...form, errors: { password: [`Too many failed attempts from your address. Try again in ${error.retryAfterSeconds} seconds.`] } }, { status: 429 });
    }
  }

  @Get('logout')
  @SessionPermission('account.manage')
  async logoutForm(@Res() reply: FastifyReply) {
    await this.pages.render(reply, 'logout', { title: 'Sign out' });
  }

  @Post('logout')
  @SessionPermission('account.manage')
  async logout(@Req() request: ConsoleRequest, @Res() reply: FastifyReply) {
    await this.sessions.end(request.consoleSession!.id);
    clearSessionCookie(reply);
    this.pages.redirect(reply, `${LOGIN_PATH}?signedOut=1`);
  }

  @Get('set-password/:token')
  @SessionPermission('session.sign-in')
  async setPasswordForm(@Param('token') token: string, @Res() reply: FastifyReply) {
    const valid = (await this.links.peek(token)) !== null;
    await this.pages.render(reply, 'set-password', { title: 'Set your password', valid, errors: {} }, { status: valid ? 200 : 404 });
  }

  @Post('set-password/:token')
  @SessionPermission('session.sign-in')
  async setPassword(@Req() request: ConsoleRequest, @Param('token') token: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const { password, errors } = await readNewPassword(body);
    if (Object.keys(errors).length) return this.pages.render(reply, 'set-password', { title: 'Set your password', valid: true, errors }, { status: 400 });
    try {
      if (!(await this.signIn.setPasswordWithLink(request.ip, token, password))) {
        return this.pages.render(reply, 'set-password', { title: 'Set your password', valid: false, errors: {} }, { status: 404 });
      }
    } catch (error) {
      if (!(error instanceof TooManyAttempts)) throw error;
      void reply.header('Retry-After', String(error.retryAfterSeconds));
      return this.pages.render(reply, 'set-password', { title: 'Set your password', valid: true, errors: { password: [`Too many failed attempts from your address. Try again in ${error.retryAfterSeconds} seconds.`] } }, { status: 429 });
    }
    this.pages.redirect(reply, `${LOGIN_PATH}?passwordSet=1`);
  }
}
