import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ALL_SCOPES } from '../src/auth/scopes.js';
import { addMember, bearer, createOrganization, createSentryApp, createUser, exchange, install, publish, type TestOrganization, type TestUser } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** The attacks an outside review made against the permission model, each as its victim would see it. */
describe('who may do what', () => {
  let t: TestApp;
  let root: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    root = await createUser(t, { superuser: true });
  });
  afterAll(() => t.close());

  /** An app owned by `owner`'s organization, published, installed in `into`, and the token of that installation. */
  async function appToken(owner: TestUser, home: TestOrganization, into: { by: TestUser; organization: TestOrganization }, scopes: string[]) {
    const app = await createSentryApp(t, owner, home, { scopes, verifyInstall: false });
    await publish(t, root, app);
    const installation = await install(t, into.by, into.organization, app);
    const { token } = (await exchange(t, app, installation).expect(201)).body;
    return { app, installation, token: token as string };
  }

  const membersUrl = (organization: TestOrganization) => `/api/0/organizations/${organization.slug}/members/`;

  describe('adding members', () => {
    it("refuses an integration's token, whatever its scopes, so it cannot make anyone an owner", async () => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const attacker = await createUser(t);
      for (const scopes of [['org:write'], ['org:admin', 'member:admin'], [...ALL_SCOPES]]) {
        const { token } = await appToken(owner, organization, { by: owner, organization }, scopes);
        await t.http().post(membersUrl(organization)).set(bearer(token)).send({ email: attacker.email, role: 'owner' }).expect(403);
        await t.http().post(membersUrl(organization)).set(bearer(token)).send({ email: attacker.email, role: 'member' }).expect(403);
      }
      await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(attacker.token)).expect(403);
    });

    it('lets nobody grant a role above their own: owners any, managers up to manager, members nothing', async () => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const manager = await addMember(t, organization, owner, 'manager');
      const member = await addMember(t, organization, owner, 'member');
      const add = async (by: TestUser, role: string) => t.http().post(membersUrl(organization)).set(bearer(by.token)).send({ email: (await createUser(t)).email, role });
      const refused = await add(manager, 'owner');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ detail: expect.stringMatching(/role/i) });
      expect((await add(manager, 'manager')).status).toBe(201);
      expect((await add(manager, 'member')).status).toBe(201);
      expect((await add(member, 'member')).status).toBe(403);
      expect((await add(owner, 'owner')).status).toBe(201);
      expect((await add(root, 'owner')).status).toBe(201);
    });

    it("answers who may before what was sent: an outsider or a member with a bad body learns only that they may not", async () => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const member = await addMember(t, organization, owner, 'member');
      const outsider = await createUser(t);
      const { token } = await appToken(owner, organization, { by: owner, organization }, [...ALL_SCOPES]);
      const bad = [{}, { email: 'x', role: 'god' }, { email: outsider.email, role: ['owner'] }];
      for (const body of bad) {
        const asOutsider = await t.http().post(membersUrl(organization)).set(bearer(outsider.token)).send(body);
        expect([asOutsider.status, asOutsider.body]).toEqual([403, { detail: 'You do not have access to this organization.' }]);
        await t.http().post('/api/0/organizations/no-such-organization/members/').set(bearer(outsider.token)).send(body).expect(404);
        const asMember = await t.http().post(membersUrl(organization)).set(bearer(member.token)).send(body);
        expect([asMember.status, asMember.body]).toEqual([403, { detail: 'You do not have permission to perform this action.' }]);
        await t.http().post(membersUrl(organization)).set(bearer(token)).send(body).expect(403);
        // The owner may add members, so the body's faults are theirs to hear, field by field.
        const asOwner = await t.http().post(membersUrl(organization)).set(bearer(owner.token)).send(body);
        expect(asOwner.status).toBe(400);
        expect(asOwner.body.errors).toEqual(expect.objectContaining({ role: expect.any(Array) }));
      }
      await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(outsider.token)).expect(403);
    });
  });

  it('answers who may create an app before what is wrong with the app: only a body that names no organization is a 400 first', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const member = await addMember(t, organization, owner, 'member');
    const outsider = await createUser(t);
    const create = (by: TestUser, body: Record<string, unknown>) => t.http().post('/api/0/sentry-apps/').set(bearer(by.token)).send(body);
    const bad = { name: '', organization: organization.slug, scopes: ['org:everything'], webhookUrl: 'javascript:alert(1)' };
    expect([(await create(outsider, bad)).status, (await create(member, bad)).status]).toEqual([403, 403]);
    expect((await create(outsider, { ...bad, organization: 'no-such-organization' })).status).toBe(404);
    const asOwner = await create(owner, bad);
    expect(asOwner.status).toBe(400);
    expect(Object.keys(asOwner.body.errors).sort()).toEqual(['name', 'scopes', 'webhookUrl']);
    const unnamed = await create(outsider, { name: 'x', scopes: [] });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors).toEqual({ organization: expect.any(Array) });
  });

  it('never shows an integration a grant code, even with org:integrations', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const { token } = await appToken(owner, organization, { by: owner, organization }, ['org:read', 'org:integrations', 'org:admin']);
    const other = await createSentryApp(t, owner, organization);
    const pending = await install(t, owner, organization, other);
    expect(pending.code).toMatch(/^[0-9a-f]{64}$/);
    const url = `/api/0/organizations/${organization.slug}/sentry-app-installations/`;
    const seen = await t.http().get(url).set(bearer(token)).expect(200);
    expect(seen.body).toHaveLength(2);
    expect(seen.body.map((installation: { code: string | null }) => installation.code)).toEqual([null, null]);
    const asOwner = await t.http().get(url).set(bearer(owner.token)).expect(200);
    expect(asOwner.body.find((installation: { uuid: string }) => installation.uuid === pending.uuid).code).toBe(pending.code);
  });

  it("shows an app's details and request log to no integration, not its own token nor one installed in its owner organization", async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const { app, token: ownToken } = await appToken(owner, organization, { by: owner, organization }, [...ALL_SCOPES]);
    const vendor = await createUser(t);
    const { token: thirdParty } = await appToken(vendor, await createOrganization(t, vendor), { by: owner, organization }, [...ALL_SCOPES]);
    for (const token of [ownToken, thirdParty]) {
      await t.http().get(`/api/0/sentry-apps/${app.slug}/`).set(bearer(token)).expect(403);
      await t.http().get(`/api/0/sentry-apps/${app.slug}/requests/`).set(bearer(token)).expect(403);
      await t.http().post(`/api/0/sentry-apps/${app.slug}/rotate-secret/`).set(bearer(token)).expect(403);
    }
    await t.http().get(`/api/0/sentry-apps/${app.slug}/`).set(bearer(owner.token)).expect(200);
  });

  it("lets an app's token mark only its own installation installed, not the same app's installation elsewhere", async () => {
    const owner = await createUser(t);
    const home = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, home);
    await publish(t, root, app);
    const customer = await createUser(t);
    const elsewhere = await createOrganization(t, customer);
    const victim = await install(t, customer, elsewhere, app);
    const own = await install(t, owner, home, app);
    const { token } = (await exchange(t, app, own).expect(201)).body;
    await t.http().put(`/api/0/sentry-app-installations/${victim.uuid}/`).set(bearer(token)).send({ status: 'installed' }).expect(403);
    const [{ status }] = await t.dataSource.query('SELECT status FROM sentry_app_installations WHERE uuid = $1', [victim.uuid]);
    expect(status).toBe('pending');
    await t.http().put(`/api/0/sentry-app-installations/${own.uuid}/`).set(bearer(token)).send({ status: 'installed' }).expect(200);
  });
});
