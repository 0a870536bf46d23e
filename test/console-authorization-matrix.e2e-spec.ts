import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { ConsoleSessionsService, SESSION_COOKIE } from '../src/auth/console-sessions.service.js';
import { decide, type Target } from '../src/auth/permissions.js';
import type { Role } from '../src/organizations/entities/organization-member.entity.js';
import { PasswordLinksService } from '../src/users/password-links.service.js';
import { csrfOf } from './support/console.js';
import { bearer, createSentryApp, createUser, install, TEST_PASSWORD, unique } from './support/factories.js';
import { buildWorld, coverage, formatMatrix, installationId, KINDS, PEOPLE, routeOf, rowName, successOf, type Kind, type Row, type World } from './support/matrix.js';
import { controllerRoutes, type AppRoute } from './support/routes.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** A page's answer as the matrix reads it: a redirect to sign in is the model's 401 (no session). */
function observed(response: Response): number {
  const location = String(response.headers.location ?? '');
  const toSignIn = location === '/auth/login/' || location.startsWith('/auth/login/?next=');
  return response.status === 303 && toSignIn ? 401 : response.status;
}

const cookieOf = (response: Response, name: string) =>
  ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith(`${name}=`))?.split(';')[0];

function rows(t: TestApp, w: World): Row[] {
  const org = `/settings/${w.organization.slug}`;
  const missingOrg = `/settings/${unique('missing')}`;
  const on = (kind: Kind, more: Partial<Target> = {}): Target => ({ organizationId: w.organization.id, role: w.roles[kind] ?? null, ...more });
  const freshApp = () => createSentryApp(t, w.owner, w.organization, { verifyInstall: false });
  const link = async () => t.app.get(PasswordLinksService).create(t.dataSource.manager, (await createUser(t)).id);
  const page = (route: string, path: string, success = 200) => ({ route, success, request: async (kind: Kind) => ({ path, target: on(kind) }) });
  const unknown = (route: string, path: string, body?: object): Row => ({ route, variant: 'unknown', success: 0, request: async () => ({ path, body, target: null }) });
  const member = (role: Role): Row => ({
    route: 'POST /settings/:organizationSlug/members', variant: `grants ${role}`, success: 303,
    request: async (kind) => ({ path: `${org}/members/`, body: { email: (await createUser(t)).email, role }, target: on(kind, { grantedRole: role }) }),
  });
  const uninstall = (method: 'GET' | 'POST'): Row => ({
    route: `${method} /settings/:organizationSlug/sentry-apps/:appSlug/uninstall`, success: method === 'GET' ? 200 : 303,
    request: async (kind) => {
      const app = method === 'GET' ? w.app : await freshApp();
      const installation = method === 'GET' ? w.installation : await install(t, w.owner, w.organization, app);
      // The POST names its installation as the confirmation page's form does.
      const body = method === 'POST' ? { installation: installation.uuid } : undefined;
      return { path: `${org}/sentry-apps/${app.slug}/uninstall/`, body, target: on(kind, { installationId: await installationId(t, installation.uuid) }) };
    },
  });
  return [
    // Signed in, the sign-in page sends the browser on; signed out (whatever Bearer token it sends), it shows the form.
    { route: 'GET /auth/login', success: (kind) => (PEOPLE.includes(kind) ? 303 : 200), request: async () => ({ path: '/auth/login/' }) },
    { route: 'POST /auth/login', success: 303, request: async () => ({ path: '/auth/login/', body: { email: (await createUser(t)).email, password: TEST_PASSWORD } }) },
    { route: 'GET /auth/set-password/:token', success: 200, request: async () => ({ path: `/auth/set-password/${await link()}/` }) },
    { route: 'POST /auth/set-password/:token', success: 303, request: async () => ({ path: `/auth/set-password/${await link()}/`, body: { password: 'a new passphrase', confirm: 'a new passphrase' } }) },
    { route: 'GET /auth/logout', success: 200, request: async () => ({ path: '/auth/logout/' }) },
    { route: 'POST /auth/logout', success: 303, request: async () => ({ path: '/auth/logout/' }) },
    { route: 'GET /settings/account/security', success: 200, request: async () => ({ path: '/settings/account/security/' }) },
    {
      route: 'POST /settings/account/security', success: 303,
      request: async () => ({ path: '/settings/account/security/', body: { current: TEST_PASSWORD, password: 'another passphrase', confirm: 'another passphrase' } }),
    },
    { route: 'GET /organizations', success: 200, request: async () => ({ path: '/organizations/' }) },
    { route: 'GET /organizations/new', success: 200, request: async () => ({ path: '/organizations/new/' }) },
    { route: 'POST /organizations/new', success: 303, request: async () => ({ path: '/organizations/new/', body: { name: 'New', slug: unique('new') } }) },
    { route: 'GET /sentry-apps/:appSlug/external-install', success: 200, request: async () => ({ path: `/sentry-apps/${w.app.slug}/external-install/` }) },
    {
      route: 'POST /sentry-apps/:appSlug/external-install', success: 200,
      request: async (kind) => ({ path: `/sentry-apps/${(await freshApp()).slug}/external-install/`, body: { organization: w.organization.slug }, target: on(kind) }),
    },
    unknown('POST /sentry-apps/:appSlug/external-install', `/sentry-apps/${w.app.slug}/external-install/`, { organization: unique('missing') }),
    page('GET /settings/:organizationSlug/integrations', `${org}/integrations/`),
    unknown('GET /settings/:organizationSlug/integrations', `${missingOrg}/integrations/`),
    page('GET /settings/:organizationSlug/sentry-apps/:appSlug', `${org}/sentry-apps/${w.app.slug}/`),
    unknown('GET /settings/:organizationSlug/sentry-apps/:appSlug', `${missingOrg}/sentry-apps/${w.app.slug}/`),
    uninstall('GET'),
    unknown('GET /settings/:organizationSlug/sentry-apps/:appSlug/uninstall', `${org}/sentry-apps/${unique('missing')}/uninstall/`),
    uninstall('POST'),
    unknown('POST /settings/:organizationSlug/sentry-apps/:appSlug/uninstall', `${missingOrg}/sentry-apps/${w.app.slug}/uninstall/`),
    page('GET /settings/:organizationSlug/members', `${org}/members/`),
    unknown('GET /settings/:organizationSlug/members', `${missingOrg}/members/`),
    member('member'), member('manager'), member('owner'),
    unknown('POST /settings/:organizationSlug/members', `${missingOrg}/members/`, { email: 'someone@example.com', role: 'member' }),
    page('GET /settings/:organizationSlug/audit-log', `${org}/audit-log/`),
    unknown('GET /settings/:organizationSlug/audit-log', `${missingOrg}/audit-log/`),
    page('GET /settings/:organizationSlug/developer-settings', `${org}/developer-settings/`),
    unknown('GET /settings/:organizationSlug/developer-settings', `${missingOrg}/developer-settings/`),
    page('GET /settings/:organizationSlug/developer-settings/new-public', `${org}/developer-settings/new-public/`),
    unknown('GET /settings/:organizationSlug/developer-settings/new-public', `${missingOrg}/developer-settings/new-public/`),
    {
      route: 'POST /settings/:organizationSlug/developer-settings/new-public', success: 303,
      request: async (kind) => ({ path: `${org}/developer-settings/new-public/`, body: { name: unique('app'), 'scope:org:read': 'on' }, target: on(kind) }),
    },
    page('GET /settings/:organizationSlug/developer-settings/:appSlug', `${org}/developer-settings/${w.app.slug}/`),
    unknown('GET /settings/:organizationSlug/developer-settings/:appSlug', `${org}/developer-settings/${unique('missing')}/`),
    {
      route: 'POST /settings/:organizationSlug/developer-settings/:appSlug/rotate-secret', success: 303,
      request: async (kind) => ({ path: `${org}/developer-settings/${(await freshApp()).slug}/rotate-secret/`, target: on(kind) }),
    },
    { route: 'GET /manage/sentry-apps', success: 200, request: async () => ({ path: '/manage/sentry-apps/' }) },
    { route: 'POST /manage/sentry-apps/:appSlug/status', success: 303, request: async (kind) => ({ path: `/manage/sentry-apps/${w.app.slug}/status/`, body: { status: 'published' }, target: on(kind) }) },
    unknown('POST /manage/sentry-apps/:appSlug/status', `/manage/sentry-apps/${unique('missing')}/status/`, { status: 'published' }),
  ];
}

describe("the console's authorization matrix: every page × every kind of caller", () => {
  let t: TestApp;
  let world: World;
  let routes: AppRoute[];
  beforeAll(async () => {
    t = await createTestApp();
    world = await buildWorld(t);
    routes = controllerRoutes(t.app).filter((route) => route.isConsole);
  });
  afterAll(() => t.close());

  /**
   * One request as a browser makes it: a person with a session of their own (and never a
   * Bearer token), or no session and whatever Bearer token the caller has. A form carries the
   * CSRF token of a page that browser was shown first.
   */
  async function call(route: AppRoute, path: string, body: object | undefined, as: { userId?: string; token?: string }): Promise<number> {
    const cookies: string[] = [];
    if (as.userId) cookies.push(`${SESSION_COOKIE}=${(await t.app.get(ConsoleSessionsService).start(as.userId)).cookieValue}`);
    const headers = { ...(as.token ? bearer(as.token) : {}) };
    let form: Record<string, unknown> | undefined;
    if (route.method === 'POST') {
      const formPage = await t.http().get(as.userId ? '/auth/logout/' : '/auth/login/').set({ ...headers, Cookie: cookies.join('; ') });
      cookies.push(cookieOf(formPage, '_csrf')!);
      form = { _csrf: csrfOf(formPage.text), ...body };
    }
    const request = t.http()[route.method.toLowerCase() as 'get'](path).set({ ...headers, Cookie: cookies.join('; ') });
    return observed(await (form ? request.type('form').send(form) : request));
  }

  it('covers every page', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(coverage(rows(t, world), routes)).toEqual({ uncovered: [], unknown: [] });
  });

  it('answers each person what the model decides, and every Bearer token as if it were no one', async () => {
    const started = Date.now();
    const table: string[][] = [];
    const wrong: string[] = [];
    let sent = 0;
    for (const row of rows(t, world)) {
      const route = routeOf(routes, row);
      const cells = await Promise.all(KINDS.map(async (kind) => {
        const principal = PEOPLE.includes(kind) ? world.principals[kind] : undefined;
        const signedOut = async () => {
          const { path, body, target } = await row.request(kind);
          const decision = decide(undefined, route.action!, target ?? null);
          return { status: await call(route, path, body, { token: world.tokens[kind] }), modelSays: decision.allowed ? successOf(row, 'anonymous') : decision.status };
        };
        // A person's own Bearer token opens no page either: it answers as if signed out.
        if (principal) {
          const bearerOnly = await signedOut();
          sent += 1;
          if (bearerOnly.status !== bearerOnly.modelSays) wrong.push(`${rowName(row)} with ${kind}'s Bearer token: ${bearerOnly.status}, signed out is ${bearerOnly.modelSays}`);
        }
        const { path, body, target } = await row.request(kind);
        const status = principal ? await call(route, path, body, { userId: principal.userId }) : (await signedOut()).status;
        sent += 1;
        const decision = decide(principal, route.action!, target ?? null);
        const modelSays = decision.allowed ? successOf(row, kind) : decision.status;
        if (status !== modelSays) wrong.push(`${rowName(row)} as ${kind}: ${status}, the model says ${modelSays}`);
        return `${status}${status !== modelSays ? '!' : ''}`;
      }));
      table.push([rowName(row), route.action!, ...cells]);
    }
    console.log(formatMatrix(
      `reliability: console authorization matrix: ${routes.length} pages in ${table.length} rows × ${KINDS.length} kinds of caller, ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ${wrong.length} wrong`,
      table,
      '(people with a session of their own, everyone else with only their Bearer token; 401 is a redirect to sign in; ! differs from the model)',
    ));
    expect(wrong).toEqual([]);
  }, 120_000);
});
