import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMember, bearer, createOrganization, createSentryApp, createUser, exchange, install, installedApp, unique } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('organizations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates an organization with its creator as owner, deriving the slug from the name', async () => {
    const owner = await createUser(t);
    const name = `Acme Corp ${unique('x')}`;
    const response = await t.http().post('/api/0/organizations/').set(bearer(owner.token)).send({ name }).expect(201);
    expect(response.body).toEqual({ id: expect.any(String), slug: name.toLowerCase().replace(/ /g, '-'), name, dateCreated: expect.stringMatching(/Z$/) });
    const members = await t.http().post(`/api/0/organizations/${response.body.slug}/members/`).set(bearer(owner.token)).send({ email: (await createUser(t)).email, role: 'member' });
    expect(members.status).toBe(201);
  });

  it('rejects a bad slug with 400 and a taken one with 409', async () => {
    const owner = await createUser(t);
    for (const slug of ['12345', '-abc', 'Upper', 'a'.repeat(51), 'with space']) {
      const response = await t.http().post('/api/0/organizations/').set(bearer(owner.token)).send({ name: 'x', slug }).expect(400);
      expect(response.body.errors.slug).toBeDefined();
    }
    const taken = await createOrganization(t, owner);
    await t.http().post('/api/0/organizations/').set(bearer(owner.token)).send({ name: 'y', slug: taken.slug }).expect(409);
    await t.http().post('/api/0/organizations/').set(bearer(owner.token)).send({ name: '!!!' }).expect(400);
  });

  it('shows the organization to members and superusers, 403 to others, 404 for unknown slugs', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const member = await addMember(t, organization, owner, 'member');
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(member.token)).expect(200);
    const root = await createUser(t, { superuser: true });
    const seen = await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(root.token)).expect(200);
    expect(seen.body).toEqual(organization);
    const stranger = await createUser(t);
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(stranger.token)).expect(403);
    await t.http().get('/api/0/organizations/no-such-org/').set(bearer(root.token)).expect(404);
    await t.http().get('/api/0/organizations/%00bad/').set(bearer(root.token)).expect(404);
  });

  it('lets owners and managers rename it, not members', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const manager = await addMember(t, organization, owner, 'manager');
    const member = await addMember(t, organization, owner, 'member');
    const renamed = await t.http().put(`/api/0/organizations/${organization.slug}/`).set(bearer(manager.token)).send({ name: 'Renamed' }).expect(200);
    expect(renamed.body.name).toBe('Renamed');
    await t.http().put(`/api/0/organizations/${organization.slug}/`).set(bearer(member.token)).send({ name: 'Nope' }).expect(403);
    await t.http().put(`/api/0/organizations/${organization.slug}/`).set(bearer(owner.token)).send({ name: 42 }).expect(400);
  });

  it('adds members: 404 unknown user, 409 already a member, 403 for a member', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const member = await addMember(t, organization, owner, 'member');
    const url = `/api/0/organizations/${organization.slug}/members/`;
    await t.http().post(url).set(bearer(owner.token)).send({ email: 'ghost@example.com', role: 'member' }).expect(404);
    await t.http().post(url).set(bearer(owner.token)).send({ email: member.email, role: 'member' }).expect(409);
    await t.http().post(url).set(bearer(member.token)).send({ email: (await createUser(t)).email, role: 'member' }).expect(403);
    const bad = await t.http().post(url).set(bearer(owner.token)).send({ email: member.email, role: 'emperor' }).expect(400);
    expect(bad.body.errors.role).toBeDefined();
  });

  describe('app tokens', () => {
    it("read and write only their installation's organization, within the app's scopes", async () => {
      const { app, installation, organization } = await installedApp(t, { scopes: ['org:read'] });
      const { body } = await exchange(t, app, installation).expect(201);
      await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(body.token)).expect(200);
      await t.http().put(`/api/0/organizations/${organization.slug}/`).set(bearer(body.token)).send({ name: 'x' }).expect(403);
      const other = await createOrganization(t, await createUser(t));
      await t.http().get(`/api/0/organizations/${other.slug}/`).set(bearer(body.token)).expect(403);
      await t.http().post('/api/0/organizations/').set(bearer(body.token)).send({ name: 'by-app' }).expect(403);
    });

    it('write with org:write', async () => {
      const { app, installation, organization } = await installedApp(t, { scopes: ['org:write'] });
      const { body } = await exchange(t, app, installation).expect(201);
      const renamed = await t.http().put(`/api/0/organizations/${organization.slug}/`).set(bearer(body.token)).send({ name: 'By the app' }).expect(200);
      expect(renamed.body.name).toBe('By the app');
    });

    it('are refused in an organization where the app is not installed', async () => {
      const owner = await createUser(t);
      const home = await createOrganization(t, owner);
      const app = await createSentryApp(t, owner, home);
      const installation = await install(t, owner, home, app);
      const { body } = await exchange(t, app, installation).expect(201);
      const second = await createOrganization(t, owner);
      await t.http().get(`/api/0/organizations/${second.slug}/`).set(bearer(body.token)).expect(403);
    });
  });
});
