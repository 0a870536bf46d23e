import fastifyCookie from '@fastify/cookie';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Eta } from 'eta';
import { existsSync } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppConfig } from '../config/app-config.js';
import { csrfUserInfo } from './console-http.js';

/** The package's root, whether this runs from src/ (tests) or dist/src/ (the build). */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) directory = dirname(directory);
  return directory;
}

export const CONSOLE_VIEWS = join(packageRoot(), 'src/console/views');
const CONSOLE_STATIC = join(packageRoot(), 'src/console/static');

/**
 * The console's HTTP plumbing on Fastify: cookies, CSRF tokens (@fastify/csrf-protection:
 * a secret in the `_csrf` cookie, tokens bound to the session by an HMAC under a key derived
 * from SECRET_KEY), Eta templates, and the one stylesheet under /static/.
 */
export function configureConsole(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const config = app.get(AppConfig);
  void fastify.register(fastifyCookie);
  void fastify.register(fastifyCsrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true },
    getUserInfo: csrfUserInfo,
    csrfOpts: { userInfo: true, hmacKey: Buffer.from(hkdfSync('sha256', config.SECRET_KEY!, Buffer.alloc(0), 'console-csrf', 32)) },
  });
  void fastify.register(fastifyView, {
    engine: { eta: new Eta({ views: CONSOLE_VIEWS, autoEscape: true, cache: true }) },
    templates: CONSOLE_VIEWS,
    production: true,
  });
  // Swagger UI registered @fastify/static first, so this one leaves the reply undecorated.
  void fastify.register(fastifyStatic, { root: CONSOLE_STATIC, prefix: '/static/', decorateReply: false, index: false, list: false });
}
