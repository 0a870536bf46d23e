import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BearerTokenService } from '../src/auth/bearer-token.service.js';
import { decide, describeRule, PERMISSIONS, type Action, type Target } from '../src/auth/permissions.js';
import type { Principal } from '../src/auth/principal.js';
import { ALL_SCOPES } from '../src/auth/scopes.js';
import { randomHex } from '../src/common/crypto.js';
import type { Role } from '../src/organizations/entities/organization-member.entity.js';
import { addMember, bearer, createOrganization, createSentryApp, createUser, exchange, install, publish, unique, type TestInstallation, type TestOrganization, type TestSentryApp, type TestUser } from './support/factories.js';
import { controllerRoutes, type AppRoute } from './support/routes.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Every kind of caller, each with its standing towards the matrix's organization, app and installation. */
const KINDS = ['anonymous', 'outsider', 'member', 'manager', 'owner', 'superuser', 'app-no-scopes', 'app-all-scopes', 'app-other-org', 'app-third-party'] as const;
type Kind = (typeof KINDS)[number];
const COLUMN: Record<Kind, string> = {
  anonymous: 'anon', outsider: 'outsider', member: 'member', manager: 'manager', owner: 'owner', superuser: 'super',
  'app-no-scopes': 'app:none', 'app-all-scopes': 'app:all', 'app-other-org': 'app:X', 'app-third-party': 'app:3rd',
};
const PEOPLE: Kind[] = ['outsider', 'member', 'manager', 'owner', 'superuser'];
const MEMBERS: Kind[] = ['member', 'manager', 'owner'];
const APPS: Kind[] = ['app-no-scopes', 'app-all-scopes', 'app-other-org', 'app-third-party'];
type Expected = Partial<Record<Kind, number>>;
const each = (kinds: readonly Kind[], status: number): Expected => Object.fromEntries(kinds.map((kind) => [kind, status]));
const NEEDS_TOKEN: Expected = { anonymous: 401 };

/**
 * What api-contract.md says, written out by hand and independently of the model: for each row,
 * the status the contract names for a kind of caller (kinds it is silent about are left out).
 * The organization is O; the app is one O owns with every scope, installed in O (app:all) and,
 * published, in another organization X (app:X, the same app's other installation); app:none is
 * O's app without scopes; app:3rd is an app X owns, installed in O.
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

interface World {
  organization: TestOrganization;
  owner: TestUser;
  app: TestSentryApp;
  installation: TestInstallation & { id: string };
  noScopes: { app: TestSentryApp; installation: TestInstallation };
  tokens: Partial<Record<Kind, string>>;
  principals: Partial<Record<Kind, Principal>>;
  roles: Partial<Record<Kind, Role>>;
}

/** One row: a request per kind of caller, and the target as the model should judge it (null: it does not exist). */
interface Row {
  route: string;
  variant?: string;
  success: number;
  request(kind: Kind): Promise<{ path: string; body?: object; target?: Target | null }>;
}

async function installationId(t: TestApp, uuid: string): Promise<string> {
  const [row] = await t.dataSource.query<{ id: string }[]>('SELECT id FROM sentry_app_installations WHERE uuid = $1', [uuid]);
  return row!.id;
}

async function buildWorld(t: TestApp): Promise<World> {
  const [root, owner, outsider, vendor] = await Promise.all([createUser(t, { superuser: true }), createUser(t), createUser(t), createUser(t)]);
  const [organization, elsewhere] = await Promise.all([createOrganization(t, owner), createOrganization(t, vendor)]);
  const [manager, member] = await Promise.all([addMember(t, organization, owner, 'manager'), addMember(t, organization, owner, 'member')]);
  const [app, noScopes, thirdParty] = await Promise.all([
    createSentryApp(t, owner, organization, { scopes: [...ALL_SCOPES] }),
    createSentryApp(t, owner, organization, { scopes: [] }),
    createSentryApp(t, vendor, elsewhere, { scopes: [...ALL_SCOPES] }),
  ]);
  await Promise.all([publish(t, root, app), publish(t, root, thirdParty)]);
  const [installation, noScopesInstallation, otherInstallation, thirdPartyInstallation] = await Promise.all([
    install(t, owner, organization, app), install(t, owner, organization, noScopes), install(t, vendor, elsewhere, app), install(t, owner, organization, thirdParty),
  ]);
  const tokenOf = async (of: TestSentryApp, at: TestInstallation) => (await exchange(t, of, at).expect(201)).body.token as string;
  const tokens: World['tokens'] = {
    outsider: outsider.token, member: member.token, manager: manager.token, owner: owner.token, superuser: root.token,
    'app-no-scopes': await tokenOf(noScopes, noScopesInstallation),
    'app-all-scopes': await tokenOf(app, installation),
    'app-other-org': await tokenOf(app, otherInstallation),
    'app-third-party': await tokenOf(thirdParty, thirdPartyInstallation),
  };
  const bearers = t.app.get(BearerTokenService);
  const principals = Object.fromEntries(await Promise.all(Object.entries(tokens).map(async ([kind, token]) => [kind, await bearers.authenticate(token!)])));
  return {
    organization, owner, app, principals, tokens,
    installation: { ...installation, id: await installationId(t, installation.uuid) },
    noScopes: { app: noScopes, installation: noScopesInstallation },
    roles: { member: 'member', manager: 'manager', owner: 'owner' },
  };
}

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

/** `POST /api/0/organizations/:organizationSlug/members` → `POST /organizations/{organizationSlug}/members`. */
const shown = (route: string) => route.replace('/api/0', '').replace(/:(\w+)/g, '{$1}');
const rowName = (row: Row) => `${shown(row.route)}${row.variant ? ` [${row.variant}]` : ''}`;

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

  it('declares an action of the permission model on every route, and the matrix covers every route', () => {
    expect(routes.filter((route) => !route.action).map((route) => `${route.method} ${route.path}`)).toEqual([]);
    const covered = new Set(rows(t, world).map((row) => row.route));
    expect(routes.map((route) => `${route.method} ${route.path}`).filter((route) => !covered.has(route))).toEqual([]);
    expect([...covered].filter((route) => !routes.some((served) => `${served.method} ${served.path}` === route))).toEqual([]);
  });

  it("answers each caller what the model decides, and what the contract names where it names one", async () => {
    const started = Date.now();
    const table: string[][] = [];
    const wrong: string[] = [];
    for (const row of rows(t, world)) {
      const route = routes.find((served) => `${served.method} ${served.path}` === row.route)!;
      const contract = CONTRACT[rowName(row)] ?? {};
      const cells = await Promise.all(KINDS.map(async (kind) => {
        const { path, body, target } = await row.request(kind);
        let call = t.http()[route.method.toLowerCase() as 'get'](path);
        if (world.tokens[kind]) call = call.set(bearer(world.tokens[kind]!));
        const status = (await (body ? call.send(body) : call)).status;
        const decision = decide(world.principals[kind], route.action!, target ?? null);
        const modelSays = decision.allowed ? row.success : decision.status;
        if (status !== modelSays) wrong.push(`${rowName(row)} as ${kind}: ${status}, the model says ${modelSays}`);
        if (contract[kind] !== undefined && status !== contract[kind]) wrong.push(`${rowName(row)} as ${kind}: ${status}, the contract says ${contract[kind]}`);
        return `${status}${status !== modelSays ? '!' : ''}${contract[kind] !== undefined && status !== contract[kind] ? '?' : ''}`;
      }));
      table.push([rowName(row), route.action!, ...cells]);
    }
    const cells = table.length * KINDS.length;
    const named = Object.values(CONTRACT).reduce((sum, expected) => sum + Object.keys(expected).length, 0);
    const widths = [0, 1].map((column) => Math.max(...table.map((line) => line[column]!.length)));
    const format = (line: string[]) => line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(8))).join(' ');
    console.log([
      `reliability: authorization matrix: ${routes.length} routes in ${table.length} rows × ${KINDS.length} kinds of caller = ${cells} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ${named} cells named by the contract; ${wrong.length} wrong`,
      format(['route', 'action', ...KINDS.map((kind) => COLUMN[kind])]),
      ...table.map(format),
      "(! differs from the model, ? from the contract; app:X is the app's token from its installation in another organization)",
    ].join('\n'));
    expect(Object.keys(CONTRACT).filter((name) => !table.some((line) => line[0] === name))).toEqual([]);
    expect(wrong).toEqual([]);
  }, 60_000);

  it('is what the README\'s "Who may do what" says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = /<!-- who-may-do-what:start -->\n([\s\S]*?)<!-- who-may-do-what:end -->/.exec(readme)?.[1];
    const lines = (Object.keys(PERMISSIONS) as Action[]).map((action) => {
      const { people, apps } = describeRule(PERMISSIONS[action]);
      const served = routes.filter((route) => route.action === action).map((route) => `\`${route.method} ${shown(route.path)}/\``);
      return `| \`${action}\` | ${served.join('<br>') || '(inside a route: the `code` of listed installations)'} | ${people} | ${apps} |`;
    });
    const table = ['| Action | Routes | People | App tokens |', '|---|---|---|---|', ...lines, ''].join('\n');
    if (section !== table) console.log(`README "Who may do what" should read:\n${table}`);
    expect(section).toBe(table);
  });
});
