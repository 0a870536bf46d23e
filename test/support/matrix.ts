import { BearerTokenService } from '../../src/auth/bearer-token.service.js';
import type { Target } from '../../src/auth/permissions.js';
import type { Principal } from '../../src/auth/principal.js';
import { ALL_SCOPES } from '../../src/auth/scopes.js';
import type { Role } from '../../src/organizations/entities/organization-member.entity.js';
import { addMember, createOrganization, createSentryApp, createUser, exchange, install, publish, type TestInstallation, type TestOrganization, type TestSentryApp, type TestUser } from './factories.js';
import type { AppRoute } from './routes.js';
import type { TestApp } from './test-app.js';

/** Every kind of caller, each with its standing towards the matrix's organization, app and installation. */
export const KINDS = ['anonymous', 'outsider', 'member', 'manager', 'owner', 'superuser', 'app-no-scopes', 'app-all-scopes', 'app-other-org', 'app-third-party'] as const;
export type Kind = (typeof KINDS)[number];
const COLUMN: Record<Kind, string> = {
  anonymous: 'anon', outsider: 'outsider', member: 'member', manager: 'manager', owner: 'owner', superuser: 'super',
  'app-no-scopes': 'app:none', 'app-all-scopes': 'app:all', 'app-other-org': 'app:X', 'app-third-party': 'app:3rd',
};
export const PEOPLE: Kind[] = ['outsider', 'member', 'manager', 'owner', 'superuser'];
export const MEMBERS: Kind[] = ['member', 'manager', 'owner'];
export const APPS: Kind[] = ['app-no-scopes', 'app-all-scopes', 'app-other-org', 'app-third-party'];
export type Expected = Partial<Record<Kind, number>>;
export const each = (kinds: readonly Kind[], status: number): Expected => Object.fromEntries(kinds.map((kind) => [kind, status]));

/**
 * The organization is O; the app is one O owns with every scope, installed in O (app:all) and,
 * published, in another organization X (app:X, the same app's other installation); app:none is
 * O's app without scopes; app:3rd is an app X owns, installed in O.
 */
export interface World {
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
export interface Row {
  route: string;
  variant?: string;
  /** What the route answers when the model allows it (per kind, where that differs). */
  success: number | ((kind: Kind) => number);
  request(kind: Kind): Promise<{ path: string; body?: object; target?: Target | null }>;
}

export async function installationId(t: TestApp, uuid: string): Promise<string> {
  const [row] = await t.dataSource.query<{ id: string }[]>('SELECT id FROM sentry_app_installations WHERE uuid = $1', [uuid]);
  return row!.id;
}

export async function buildWorld(t: TestApp): Promise<World> {
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

/** `POST /api/0/organizations/:organizationSlug/members` → `POST /organizations/{organizationSlug}/members`. */
export const shown = (route: string) => route.replace('/api/0', '').replace(/:(\w+)/g, '{$1}');
export const rowName = (row: Row) => `${shown(row.route)}${row.variant ? ` [${row.variant}]` : ''}`;
export const successOf = (row: Row, kind: Kind) => (typeof row.success === 'function' ? row.success(kind) : row.success);

/** The route each row calls, which must be one the app serves. */
export const routeOf = (routes: AppRoute[], row: Row) => routes.find((served) => `${served.method} ${served.path}` === row.route)!;

/** The rows' routes against the served ones: the served routes no row calls, and the rows that name no served route. */
export function coverage(rows: Row[], routes: AppRoute[]): { uncovered: string[]; unknown: string[] } {
  const covered = new Set(rows.map((row) => row.route));
  return {
    uncovered: routes.map((route) => `${route.method} ${route.path}`).filter((route) => !covered.has(route)),
    unknown: [...covered].filter((route) => !routes.some((served) => `${served.method} ${served.path}` === route)),
  };
}

/** The matrix as a table for the test's output: a route and its action per line, a status per kind of caller. */
export function formatMatrix(summary: string, table: string[][], legend: string): string {
  const widths = [0, 1].map((column) => Math.max(...table.map((line) => line[column]!.length)));
  const format = (line: string[]) => line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(8))).join(' ');
  return [summary, format(['route', 'action', ...KINDS.map((kind) => COLUMN[kind])]), ...table.map(format), legend].join('\n');
}
