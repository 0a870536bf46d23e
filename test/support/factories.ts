import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { randomHex } from '../../src/common/crypto.js';
import { UsersService } from '../../src/users/users.service.js';
import type { TestApp } from './test-app.js';

export const unique = (prefix: string) => `${prefix}-${randomHex(4)}`;
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

/** The password every test person signs in to the console with. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** A user made the way the CLI makes them, with a personal token and the test password. */
export async function createUser(t: TestApp, options: { superuser?: boolean; email?: string; name?: string } = {}): Promise<TestUser> {
  const { user, token } = await t.app.get(UsersService).create({
    email: options.email ?? `${unique('user')}@example.com`,
    name: options.name,
    isSuperuser: options.superuser ?? false,
    password: TEST_PASSWORD,
  });
  return { id: user.id, email: user.email, token };
}

export interface TestOrganization {
  id: string;
  slug: string;
  name: string;
}

export async function createOrganization(t: TestApp, owner: TestUser, slug = unique('org')): Promise<TestOrganization> {
  const response = await t.http().post('/api/0/organizations/').set(bearer(owner.token)).send({ name: slug, slug }).expect(201);
  return response.body;
}

export async function addMember(t: TestApp, organization: TestOrganization, by: TestUser, role: 'owner' | 'manager' | 'member'): Promise<TestUser> {
  const user = await createUser(t);
  await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(by.token)).send({ email: user.email, role }).expect(201);
  return user;
}

export interface TestSentryApp {
  uuid: string;
  slug: string;
  scopes: string[];
  clientId: string;
  clientSecret: string;
}

export async function createSentryApp(t: TestApp, owner: TestUser, organization: TestOrganization, body: Record<string, unknown> = {}): Promise<TestSentryApp> {
  const response = await t.http()
    .post('/api/0/sentry-apps/')
    .set(bearer(owner.token))
    .send({ name: unique('app'), organization: organization.slug, scopes: ['org:read', 'org:write'], ...body })
    .expect(201);
  return response.body;
}

/** Publishing is a superuser's: afterwards any organization may install the app. */
export async function publish(t: TestApp, superuser: TestUser, app: TestSentryApp): Promise<void> {
  await t.http().put(`/api/0/sentry-apps/${app.slug}/`).set(bearer(superuser.token)).send({ status: 'published' }).expect(200);
}

export interface TestInstallation {
  uuid: string;
  status: string;
  code: string | null;
  organization: { id: string; slug: string };
}

export async function install(t: TestApp, by: TestUser, organization: TestOrganization, app: TestSentryApp): Promise<TestInstallation> {
  const response = await t.http()
    .post(`/api/0/organizations/${organization.slug}/sentry-app-installations/`)
    .set(bearer(by.token))
    .send({ slug: app.slug })
    .expect(200);
  return response.body;
}

/** The seed's world: an owner, an organization, an app it owns, and that app installed there. */
export async function installedApp(t: TestApp, appBody: Record<string, unknown> = {}) {
  const owner = await createUser(t);
  const organization = await createOrganization(t, owner);
  const app = await createSentryApp(t, owner, organization, appBody);
  const installation = await install(t, owner, organization, app);
  return { owner, organization, app, installation };
}

export function tokenRequest(t: TestApp, installationUuid: string) {
  return t.http().post(`/api/0/sentry-app-installations/${installationUuid}/authorizations/`);
}

export function exchange(t: TestApp, app: TestSentryApp, installation: TestInstallation, extra: Record<string, unknown> = {}) {
  return tokenRequest(t, installation.uuid).send({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    grant_type: 'authorization_code',
    code: installation.code,
    ...extra,
  });
}

export const now = () => Math.floor(Date.now() / 1000);

/** A manual-refresh JWT (Sentry's JWT bearer grant), signed with the app's client secret unless told otherwise. */
export function signClientJwt(app: TestSentryApp, claims: Record<string, unknown> = {}, { secret = app.clientSecret, alg = 'HS256' } = {}) {
  return new SignJWT({ iss: app.clientId, iat: now(), exp: now() + 60, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg })
    .sign(new TextEncoder().encode(secret));
}

export function refresh(t: TestApp, app: TestSentryApp, installation: TestInstallation, refreshToken: string) {
  return tokenRequest(t, installation.uuid).send({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
}

/** Every pair ever issued to the installation, live or not (rows the janitor has not deleted). */
export async function storedPairs(t: TestApp, installationUuid: string): Promise<number> {
  const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM api_tokens t JOIN sentry_app_installations i ON i.id = t.installation_id WHERE i.uuid = $1', [installationUuid]);
  return n;
}

/** The pairs of the installation's families that are still alive (neither rotated nor revoked). */
export async function livePairs(t: TestApp, installationUuid: string): Promise<number> {
  const [{ live }] = await t.dataSource.query(
    `SELECT count(*)::int AS live FROM api_tokens t JOIN sentry_app_installations i ON i.id = t.installation_id
      WHERE i.uuid = $1 AND t.revoked_at IS NULL`,
    [installationUuid],
  );
  return live;
}

export async function callsOrganization(t: TestApp, slug: string, token: string): Promise<number> {
  return (await t.http().get(`/api/0/organizations/${slug}/`).set(bearer(token))).status;
}

/** `count` old member.add rows in the organization's audit log, as if written long ago (the pages read them, nothing else). */
export async function fillAuditLog(t: TestApp, organization: TestOrganization, count: number): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO audit_log_entries (organization_id, event, actor_type, actor_id, actor_name, ip_address, target_object, data, date_created)
     SELECT $1, 'member.add', 'user', '0', 'Earlier Admin', '192.0.2.1', n::text, jsonb_build_object('email', 'person' || n || '@example.com', 'role', 'member'), now() - interval '1 day' + n * interval '1 second'
       FROM generate_series(1, $2::int) AS n`,
    [organization.id, count],
  );
}
