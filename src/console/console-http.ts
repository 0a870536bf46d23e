import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Flash } from '../auth/entities/console-session.entity.js';
import { SESSION_COOKIE, type ActiveSession } from '../auth/console-sessions.service.js';

/** Marks a console page: served outside /api/0, authenticated by the session cookie. */
export const CONSOLE_ROUTE = 'console:route';

export const LOGIN_PATH = '/auth/login/';

export type ConsoleRequest = FastifyRequest & {
  consoleSession?: ActiveSession | null;
  consoleFlash?: Flash | null;
};

/** https as the client sees it: Fastify reads X-Forwarded-Proto only with TRUST_PROXY. */
export function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** HttpOnly (no script reads it), SameSite=Lax (no cross-site form posts it), Secure over https. */
export function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  void reply.setCookie(SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: isHttps(reply.request), maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: isHttps(reply.request) });
}

/** What a page's CSRF tokens are bound to: its session, or the signed-out browser. */
export function csrfUserInfo(request: FastifyRequest): string {
  return (request as ConsoleRequest).consoleSession?.hash ?? 'signed-out';
}

/**
 * No script at all, styles from this origin, never framed (the consent page must not be
 * clickjacked), and no Referer: grant codes travel in the URLs a page sends the browser to.
 * Forms post only here; Chromium holds a form's redirects to that too, so no form's answer
 * redirects to another origin (the consent page's goes on from a page: consent-redirect).
 */
export function setPageHeaders(reply: FastifyReply): void {
  const csp = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  void reply.headers({
    'Content-Security-Policy': csp,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  });
}

/** Where to go after signing in: a path on this server only, never another origin. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next) || next.length > 2000) return '/organizations/';
  return next;
}
