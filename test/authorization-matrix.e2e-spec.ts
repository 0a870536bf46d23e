import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decide, describeRule, PERMISSIONS, type Action, type Target } from '../src/auth/permissions.js';
import { randomHex } from '../src/common/crypto.js';
import type { Role } from '../src/organizations/entities/organization-member.entity.js';
import { bearer, createSentryApp, createUser, install, unique } from './support/factories.js';
import { APPS, buildWorld, coverage, each, formatMatrix, installationId, KINDS, MEMBERS, PEOPLE, routeOf, rowName, shown, successOf, type Expected, type Kind, type Row, type World } from './support/matrix.js';
import { controllerRoutes, type AppRoute } from './support/routes.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const NEEDS_TOKEN: Expected = { anonymous: 401 };

/**
 * What api-contract.md says, written out by hand and independently of the model: for each row,
 * the status the contract names for a kind of caller (kinds it is silent about are left out).
 * The world is test/support/matrix.ts's.
 */
const CONTRACT: Record<string, Expected> = {
  'GET /internal/health': each(KINDS, 200),
  'GET /metrics': each(KINDS, 200),
  'POST /users': { ...NEEDS_TOKEN, ...each([...MEMBERS, 'outsider', ...APPS], 403), superuser: 201 },
  'GET /users/me': { ...NEEDS_TOKEN, ...each([...PEOPLE, ...APPS], 200) },
  'POST /organizations': { ...NEEDS_TOKEN, ...each(PEOPLE, 201) },
  'GET /organizations/{organizationSlug}': { ...NEEDS_TOKEN, ...each([...MEMBERS, 'superuser', 'app-all-scopes', 'app-third-party'], 200), ...each(['outsider', 'app-no-scopes', 'app-other-org'], 403) },
  'GET /organizations/{organizationSlug} [unknown]': { ...NEEDS_TOKEN, ...each([...PEOPLE, ...APPS], 404) },
  'PUT /organizations/{organizationSlug}': { ...NEEDS_TOKEN, ...each(['manager', 'owner', 'app-all-scopes', 'app-third-party'], 200), ...each(['outsider', 'member', 'app-no-scopes', 'app-other-org'], 403) },
  'PUT /organizations/{organizationSlug} [unknown]': { ...NEEDS_TOKEN, ...each([...PEOPLE, ...APPS], 404) },
  'POST /organizations/{organizationSlug}/members [grants member]': { ...NEEDS_TOKEN, ...each(['manager', 'owner', 'superuser'], 201), ...each(['outsider', 'member', ...APPS], 403) },
  'POST /organizations/{organizationSlug}/members [grants manager]': { ...NEEDS_TOKEN, ...each(['manager', 'owner', 'superuser'], 201), ...each(['outsider', 'member', ...APPS], 403) },
  'POST /organizations/{organizationSlug}/members [grants owner]': { ...NEEDS_TOKEN, ...each(['owner', 'superuser'], 201), ...each(['outsider', 'member', 'manager', ...APPS], 403) },
  'POST /organizations/{organizationSlug}/members [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404), ...each(APPS, 403) },
  'GET /organizations/{organizationSlug}/audit-logs': { ...NEEDS_TOKEN, ...each(['manager', 'owner', 'superuser'], 200), ...each(['outsider', 'member', ...APPS], 403) },
  'GET /organizations/{organizationSlug}/audit-logs [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404), ...each(APPS, 403) },
  'POST /sentry-apps': { ...NEEDS_TOKEN, ...each(['manager', 'owner'], 201), ...each(['outsider', 'member', ...APPS], 403) },
  'POST /sentry-apps [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404), ...each(APPS, 403) },
  'GET /sentry-apps/{slug}': { ...NEEDS_TOKEN, ...each(MEMBERS, 200), ...each(APPS, 403) },
  'GET /sentry-apps/{slug} [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404) },
  'PUT /sentry-apps/{slug}': { ...NEEDS_TOKEN, superuser: 200, ...each([...MEMBERS, 'outsider', ...APPS], 403) },
  'PUT /sentry-apps/{slug} [unknown]': { ...NEEDS_TOKEN, superuser: 404 },
  'POST /sentry-apps/{slug}/rotate-secret': { ...NEEDS_TOKEN, ...each(['manager', 'owner'], 200), ...each(['member', ...APPS], 403) },
  'POST /sentry-apps/{slug}/rotate-secret [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404) },
  'GET /sentry-apps/{slug}/requests': { ...NEEDS_TOKEN, ...each(MEMBERS, 200), ...each(APPS, 403) },
  'GET /sentry-apps/{slug}/requests [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404) },
  'POST /api-applications': { ...NEEDS_TOKEN, ...each(PEOPLE, 201) },
  'POST /organizations/{organizationSlug}/sentry-app-installations': { ...NEEDS_TOKEN, ...each(['manager', 'owner', 'superuser'], 200), ...each(['outsider', 'member'], 403) },
  'POST /organizations/{organizationSlug}/sentry-app-installations [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404) },
  'GET /organizations/{organizationSlug}/sentry-app-installations': { ...NEEDS_TOKEN, ...each([...MEMBERS, 'app-all-scopes', 'app-third-party'], 200), ...each(['outsider', 'app-no-scopes', 'app-other-org'], 403) },
  'GET /organizations/{organizationSlug}/sentry-app-installations [unknown]': { ...NEEDS_TOKEN, ...each([...PEOPLE, ...APPS], 404) },
  'PUT /sentry-app-installations/{uuid}': { ...NEEDS_TOKEN, 'app-all-scopes': 200, ...each(['app-no-scopes', 'app-other-org', 'app-third-party'], 403) },
  'PUT /sentry-app-installations/{uuid} [unknown]': { ...NEEDS_TOKEN, ...each(APPS, 404) },
  'DELETE /sentry-app-installations/{uuid}': { ...NEEDS_TOKEN, ...each(['manager', 'owner'], 204), member: 403, outsider: 404 },
  'DELETE /sentry-app-installations/{uuid} [unknown]': { ...NEEDS_TOKEN, ...each(PEOPLE, 404) },
  'POST /sentry-app-installations/{uuid}/authorizations': each(KINDS, 201),
  'POST /sentry-app-installations/{uuid}/authorizations/revoke': each(KINDS, 200),
};

function rows(t: TestApp, w: World): Row[] {
  const org = `/api/0/organizations/${w.organization.slug}`;
  const missingOrg = `/api/0/organizations/${unique('missing')}`;
  const missingApp = `/api/0/sentry-apps/${unique('missing')}`;
  const missingInstallation = `/api/0/sentry-app-installations/${randomUUID()}`;
  const on = (kind: Kind, more: Partial<Target> = {}): Target => ({ organizationId: w.organization.id, role: w.roles[kind] ?? null, ...more });
  const freshApp = () => createSentryApp(t, w.owner, w.organization, { verifyInstall: false });
  const member = (role: Role): Row => ({
    route: 'POST /api/0/organizations/:organizationSlug/members', variant: `grants ${role}`, success: 201,
    request: async (kind) => ({ path: `${org}/members/`, body: { email: (await createUser(t)).email, role }, target: on(kind, { grantedRole: role }) }),
  });
  const unknown = (route: string, path: string, body?: object): Row => ({ route, variant: 'unknown', success: 0, request: async () => ({ path, body, target: null }) });
  return [
    { route: 'GET /api/0/internal/health', success: 200, request: async () => ({ path: '/api/0/internal/health/' }) },
    { route: 'GET /metrics', success: 200, request: async () => ({ path: '/metrics' }) },
    { route: 'POST /api/0/users', success: 201, request: async () => ({ path: '/api/0/users/', body: { email: `${unique('new')}@example.com` } }) },
    { route: 'GET /api/0/users/me', success: 200, request: async () => ({ path: '/api/0/users/me/' }) },
    { route: 'POST /api/0/organizations', success: 201, request: async () => ({ path: '/api/0/organizations/', body: { name: 'New', slug: unique('new') } }) },
    { route: 'GET /api/0/organizations/:organizationSlug', success: 200, request: async (kind) => ({ path: `${org}/`, target: on(kind) }) },
    unknown('GET /api/0/organizations/:organizationSlug', `${missingOrg}/`),
    { route: 'PUT /api/0/organizations/:organizationSlug', success: 200, request: async (kind) => ({ path: `${org}/`, body: { name: w.organization.name }, target: on(kind) }) },
    unknown('PUT /api/0/organizations/:organizationSlug', `${missingOrg}/`, { name: 'x' }),
    member('member'), member('manager'), member('owner'),
    unknown('POST /api/0/organizations/:organizationSlug/members', `${missingOrg}/members/`, { email: 'someone@example.com', role: 'member' }),
    { route: 'GET /api/0/organizations/:organizationSlug/audit-logs', success: 200, request: async (kind) => ({ path: `${org}/audit-logs/`, target: on(kind) }) },
    unknown('GET /api/0/organizations/:organizationSlug/audit-logs', `${missingOrg}/audit-logs/`),
    { route: 'POST /api/0/sentry-apps', success: 201, request: async (kind) => ({ path: '/api/0/sentry-apps/', body: { name: unique('app'), organization: w.organization.slug, scopes: ['org:read'] }, target: on(kind) }) },
    unknown('POST /api/0/sentry-apps', '/api/0/sentry-apps/', { name: unique('app'), organization: unique('missing'), scopes: [] }),
    { route: 'GET /api/0/sentry-apps/:slug', success: 200, request: async (kind) => ({ path: `/api/0/sentry-apps/${w.app.slug}/`, target: on(kind) }) },
    unknown('GET /api/0/sentry-apps/:slug', `${missingApp}/`),
    { route: 'PUT /api/0/sentry-apps/:slug', success: 200, request: async (kind) => ({ path: `/api/0/sentry-apps/${w.app.slug}/`, body: { status: 'published' }, target: on(kind) }) },
    unknown('PUT /api/0/sentry-apps/:slug', `${missingApp}/`, { status: 'published' }),
    { route: 'POST /api/0/sentry-apps/:slug/rotate-secret', success: 200, request: async (kind) => ({ path: `/api/0/sentry-apps/${w.app.slug}/rotate-secret/`, target: on(kind) }) },
    unknown('POST /api/0/sentry-apps/:slug/rotate-secret', `${missingApp}/rotate-secret/`),
    { route: 'GET /api/0/sentry-apps/:slug/requests', success: 200, request: async (kind) => ({ path: `/api/0/sentry-apps/${w.app.slug}/requests/`, target: on(kind) }) },
    unknown('GET /api/0/sentry-apps/:slug/requests', `${missingApp}/requests/`),
    { route: 'POST /api/0/api-applications', success: 201, request: async () => ({ path: '/api/0/api-applications/', body: { name: 'plain' } }) },
    {
      route: 'POST /api/0/organizations/:organizationSlug/sentry-app-installations', success: 200,
      request: async (kind) => ({ path: `${org}/sentry-app-installations/`, body: { slug: (await freshApp()).slug }, target: on(kind) }),
    },
    unknown('POST /api/0/organizations/:organizationSlug/sentry-app-installations', `${missingOrg}/sentry-app-installations/`, { slug: w.app.slug }),
    { route: 'GET /api/0/organizations/:organizationSlug/sentry-app-installations', success: 200, request: async (kind) => ({ path: `${org}/sentry-app-installations/`, target: on(kind) }) },
    unknown('GET /api/0/organizations/:organizationSlug/sentry-app-installations', `${missingOrg}/sentry-app-installations/`),
    {
      route: 'PUT /api/0/sentry-app-installations/:uuid', success: 200,
      request: async (kind) => ({ path: `/api/0/sentry-app-installations/${w.installation.uuid}/`, body: { status: 'installed' }, target: on(kind, { installationId: w.installation.id }) }),
    },
    unknown('PUT /api/0/sentry-app-installations/:uuid', `${missingInstallation}/`, { status: 'installed' }),
    {
      route: 'DELETE /api/0/sentry-app-installations/:uuid', success: 204,
      request: async (kind) => {
        const { uuid } = await install(t, w.owner, w.organization, await freshApp());
        return { path: `/api/0/sentry-app-installations/${uuid}/`, target: on(kind, { installationId: await installationId(t, uuid) }) };
      },
    },
    unknown('DELETE /api/0/sentry-app-installations/:uuid', `${missingInstallation}/`),
    {
      route: 'POST /api/0/sentry-app-installations/:uuid/authorizations', success: 201,
      request: async () => {
        const app = await freshApp();
        const installation = await install(t, w.owner, w.organization, app);
        return { path: `/api/0/sentry-app-installations/${installation.uuid}/authorizations/`, body: { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: installation.code } };
      },
    },
    {
      route: 'POST /api/0/sentry-app-installations/:uuid/authorizations/revoke', success: 200,
      request: async () => ({
        path: `/api/0/sentry-app-installations/${w.noScopes.installation.uuid}/authorizations/revoke/`,
        body: { client_id: w.noScopes.app.clientId, client_secret: w.noScopes.app.clientSecret, token: randomHex(32) },
      }),
    },
  ];
}

describe('the authorization matrix: every route × every kind of caller', () => {
  let t: TestApp;
  let world: World;
  let routes: AppRoute[];
  beforeAll(async () => {
    t = await createTestApp();
    world = await buildWorld(t);
    routes = controllerRoutes(t.app);
  });
  afterAll(() => t.close());

  it('declares an action of the permission model on every route, and the matrix covers every API route', () => {
    expect(routes.filter((route) => !route.action).map((route) => `${route.method} ${route.path}`)).toEqual([]);
    // The console's pages have their own matrix: console-authorization-matrix.e2e-spec.ts.
    expect(coverage(rows(t, world), routes.filter((route) => !route.isConsole))).toEqual({ uncovered: [], unknown: [] });
  });

  it("answers each caller what the model decides, and what the contract names where it names one", async () => {
    const started = Date.now();
    const table: string[][] = [];
    const wrong: string[] = [];
    for (const row of rows(t, world)) {
      const route = routeOf(routes, row);
      const contract = CONTRACT[rowName(row)] ?? {};
      const cells = await Promise.all(KINDS.map(async (kind) => {
        const { path, body, target } = await row.request(kind);
        let call = t.http()[route.method.toLowerCase() as 'get'](path);
        if (world.tokens[kind]) call = call.set(bearer(world.tokens[kind]!));
        const status = (await (body ? call.send(body) : call)).status;
        const decision = decide(world.principals[kind], route.action!, target ?? null);
        const modelSays = decision.allowed ? successOf(row, kind) : decision.status;
        if (status !== modelSays) wrong.push(`${rowName(row)} as ${kind}: ${status}, the model says ${modelSays}`);
        if (contract[kind] !== undefined && status !== contract[kind]) wrong.push(`${rowName(row)} as ${kind}: ${status}, the contract says ${contract[kind]}`);
        return `${status}${status !== modelSays ? '!' : ''}${contract[kind] !== undefined && status !== contract[kind] ? '?' : ''}`;
      }));
      table.push([rowName(row), route.action!, ...cells]);
    }
    const cells = table.length * KINDS.length;
    const named = Object.values(CONTRACT).reduce((sum, expected) => sum + Object.keys(expected).length, 0);
    console.log(formatMatrix(
      `reliability: authorization matrix: ${routes.filter((route) => !route.isConsole).length} API routes in ${table.length} rows × ${KINDS.length} kinds of caller = ${cells} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ${named} cells named by the contract; ${wrong.length} wrong`,
      table,
      "(! differs from the model, ? from the contract; app:X is the app's token from its installation in another organization)",
    ));
    expect(Object.keys(CONTRACT).filter((name) => !table.some((line) => line[0] === name))).toEqual([]);
    expect(wrong).toEqual([]);
  }, 60_000);

  it('is what the README\'s "Who may do what" says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = /<!-- who-may-do-what:start -->\n([\s\S]*?)<!-- who-may-do-what:end -->/.exec(readme)?.[1];
    const lines = (Object.keys(PERMISSIONS) as Action[]).map((action) => {
      const { people, apps } = describeRule(PERMISSIONS[action]);
      const served = routes.filter((route) => route.action === action).map((route) => (route.isConsole ? `page \`${route.method} ${shown(route.path)}/\`` : `\`${route.method} ${shown(route.path)}/\``));
      return `| \`${action}\` | ${served.join('<br>') || '(inside a route: the `code` of listed installations)'} | ${people} | ${apps} |`;
    });
    const table = ['| Action | Routes | People | App tokens |', '|---|---|---|---|', ...lines, ''].join('\n');
    if (section !== table) console.log(`README "Who may do what" should read:\n${table}`);
    expect(section).toBe(table);
  });
});
