import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMember, bearer, createOrganization, createSentryApp, createUser, exchange, install, unique } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('sentry apps', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates an app with its credentials, shown this once', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const name = `My Integration ${unique('x')}`;
    const response = await t.http()
      .post('/api/0/sentry-apps/')
      .set(bearer(owner.token))
      .send({ name, organization: organization.slug, scopes: ['org:read', 'project:read'], webhookUrl: 'https://example.com/hook', events: ['issue'] })
      .expect(201);
    expect(response.body).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      slug: name.toLowerCase().replace(/ /g, '-'),
      name,
      scopes: ['org:read', 'project:read'],
      events: ['issue'],
      status: 'unpublished',
      webhookUrl: 'https://example.com/hook',
      redirectUrl: null,
      verifyInstall: true,
      author: null,
      overview: null,
      schema: {},
      isAlertable: false,
      allowedOrigins: [],
      owner: { id: organization.id, slug: organization.slug },
      clientId: expect.stringMatching(/^[0-9a-f]{64}$/),
      clientSecret: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const shown = await t.http().get(`/api/0/sentry-apps/${response.body.slug}/`).set(bearer(owner.token)).expect(200);
    const { clientSecret: _secret, ...withoutSecret } = response.body;
    expect(shown.body).toEqual(withoutSecret);
  });

  it('rejects bad scopes, non-http URLs and taken names', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const post = (body: Record<string, unknown>) => t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: unique('app'), organization: organization.slug, scopes: [], ...body });
    expect((await post({ scopes: ['org:read', 'root:everything'] }).expect(400)).body.errors.scopes).toBeDefined();
    expect((await post({ webhookUrl: 'ftp://example.com/x' }).expect(400)).body.errors.webhookUrl).toBeDefined();
    expect((await post({ redirectUrl: 'javascript:alert(1)' }).expect(400)).body.errors.redirectUrl).toBeDefined();
    expect((await post({ scopes: 'org:read' }).expect(400)).body.errors.scopes).toBeDefined();
    const app = await createSentryApp(t, owner, organization);
    await post({ name: app.slug }).expect(409);
    // Its console page would be the "New integration" form's path, so the app could never be opened there.
    expect((await post({ name: 'New  Public!' }).expect(400)).body.errors.name).toEqual(['"new-public" names a page of the console; choose another name.']);
  });

  it('refuses lists longer than anything valid, however many distinct items a 64 KiB body holds', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const many = Array.from({ length: 8_000 }, (_, i) => String(i));
    for (const field of ['scopes', 'events', 'allowedOrigins']) {
      const response = await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: unique('many'), organization: organization.slug, scopes: [], [field]: many }).expect(400);
      expect(response.body.errors[field]).toContainEqual(expect.stringMatching(/must contain no more than \d+ elements/));
    }
    const twice = await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: unique('twice'), organization: organization.slug, scopes: ['org:read', 'org:read'] }).expect(400);
    expect(twice.body.errors.scopes).toContain("All scopes's elements must be unique");
  });

  it('lets only owners and managers of the organization create apps', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const member = await addMember(t, organization, owner, 'member');
    const manager = await addMember(t, organization, owner, 'manager');
    const body = { organization: organization.slug, scopes: ['org:read'] };
    await t.http().post('/api/0/sentry-apps/').set(bearer(member.token)).send({ ...body, name: unique('app') }).expect(403);
    await t.http().post('/api/0/sentry-apps/').set(bearer(manager.token)).send({ ...body, name: unique('app') }).expect(201);
    await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ ...body, organization: 'no-such-org', name: unique('app') }).expect(404);
  });

  it('shows an app to members of its organization only', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const member = await addMember(t, organization, owner, 'member');
    await t.http().get(`/api/0/sentry-apps/${app.slug}/`).set(bearer(member.token)).expect(200);
    await t.http().get(`/api/0/sentry-apps/${app.slug}/`).set(bearer((await createUser(t)).token)).expect(403);
    await t.http().get('/api/0/sentry-apps/no-such-app/').set(bearer(owner.token)).expect(404);
  });

  it('is published by a superuser only, after which any organization can install it', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const outsider = await createUser(t);
    const elsewhere = await createOrganization(t, outsider);
    const url = `/api/0/organizations/${elsewhere.slug}/sentry-app-installations/`;
    await t.http().post(url).set(bearer(outsider.token)).send({ slug: app.slug }).expect(404);
    await t.http().put(`/api/0/sentry-apps/${app.slug}/`).set(bearer(owner.token)).send({ status: 'published' }).expect(403);
    const root = await createUser(t, { superuser: true });
    const published = await t.http().put(`/api/0/sentry-apps/${app.slug}/`).set(bearer(root.token)).send({ status: 'published' }).expect(200);
    expect(published.body.status).toBe('published');
    expect(published.body.clientSecret).toBeUndefined();
    await t.http().post(url).set(bearer(outsider.token)).send({ slug: app.slug }).expect(200);
  });

  it('rotates the secret: the old one stops working at once', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const installation = await install(t, owner, organization, app);
    const member = await addMember(t, organization, owner, 'member');
    await t.http().post(`/api/0/sentry-apps/${app.slug}/rotate-secret/`).set(bearer(member.token)).expect(403);
    const rotated = await t.http().post(`/api/0/sentry-apps/${app.slug}/rotate-secret/`).set(bearer(owner.token)).expect(200);
    expect(rotated.body).toEqual({ clientSecret: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await exchange(t, app, installation).expect(401);
    await exchange(t, { ...app, clientSecret: rotated.body.clientSecret }, installation).expect(201);
  });

  it('creates plain API applications for users, which are not sentry apps', async () => {
    const user = await createUser(t);
    const response = await t.http().post('/api/0/api-applications/').set(bearer(user.token)).send({}).expect(201);
    expect(response.body).toEqual({ id: expect.any(String), name: '', clientId: expect.stringMatching(/^[0-9a-f]{64}$/), clientSecret: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
