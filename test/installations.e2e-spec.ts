import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMember, bearer, createOrganization, createSentryApp, createUser, exchange, install, installedApp, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('installations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('installs with a single-use code, pending until the app verifies', async () => {
    const { app, organization, installation } = await installedApp(t);
    expect(installation).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      app: { uuid: app.uuid, slug: app.slug },
      organization: { id: organization.id, slug: organization.slug },
      status: 'pending',
      code: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const { app: quiet, installation: direct } = await installedApp(t, { verifyInstall: false });
    expect(quiet.slug).toBeDefined();
    expect(direct.status).toBe('installed');
  });

  it('returns an existing installation as it is: the same code until it is exchanged', async () => {
    const { owner, organization, app, installation } = await installedApp(t);
    const again = await install(t, owner, organization, app);
    expect(again).toEqual(installation);
    await exchange(t, app, installation).expect(201);
    const after = await install(t, owner, organization, app);
    expect(after).toEqual({ ...installation, code: null });
  });

  it('makes one installation of 20 concurrent installs', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const results = await Promise.all(Array.from({ length: 20 }, () => install(t, owner, organization, app)));
    expect(new Set(results.map((result) => result.uuid)).size).toBe(1);
    expect(new Set(results.map((result) => result.code)).size).toBe(1);
  });

  it('refuses members (403) and unknown or foreign unpublished apps (404)', async () => {
    const { owner, organization, app } = await installedApp(t);
    const member = await addMember(t, organization, owner, 'member');
    const url = `/api/0/organizations/${organization.slug}/sentry-app-installations/`;
    await t.http().post(url).set(bearer(member.token)).send({ slug: app.slug }).expect(403);
    await t.http().post(url).set(bearer(owner.token)).send({ slug: 'no-such-app' }).expect(404);
    await t.http().post(url).set(bearer(owner.token)).send({}).expect(400);
  });

  it('lets a superuser install an unpublished app anywhere', async () => {
    const owner = await createUser(t);
    const app = await createSentryApp(t, owner, await createOrganization(t, owner));
    const root = await createUser(t, { superuser: true });
    const elsewhere = await createOrganization(t, await createUser(t));
    const installation = await install(t, root, elsewhere, app);
    expect(installation.organization.slug).toBe(elsewhere.slug);
  });

  it('lists installations to members, with codes only for owners and managers', async () => {
    const { owner, organization, installation } = await installedApp(t);
    const member = await addMember(t, organization, owner, 'member');
    const url = `/api/0/organizations/${organization.slug}/sentry-app-installations/`;
    const asOwner = await t.http().get(url).set(bearer(owner.token)).expect(200);
    expect(asOwner.body).toEqual([installation]);
    const asMember = await t.http().get(url).set(bearer(member.token)).expect(200);
    expect(asMember.body).toEqual([{ ...installation, code: null }]);
    await t.http().get(url).set(bearer((await createUser(t)).token)).expect(403);
  });

  it("is marked installed by the app's own token only", async () => {
    const { owner, app, installation } = await installedApp(t);
    const url = `/api/0/sentry-app-installations/${installation.uuid}/`;
    const { body } = await exchange(t, app, installation).expect(201);
    await t.http().put(url).send({ status: 'installed' }).expect(401);
    await t.http().put(url).set(bearer(owner.token)).send({ status: 'installed' }).expect(403);
    const other = await installedApp(t);
    const otherToken = (await exchange(t, other.app, other.installation).expect(201)).body.token;
    await t.http().put(url).set(bearer(otherToken)).send({ status: 'installed' }).expect(403);
    await t.http().put(url).set(bearer(body.token)).send({ status: 'pending' }).expect(400);
    const done = await t.http().put(url).set(bearer(body.token)).send({ status: 'installed' }).expect(200);
    expect(done.body).toMatchObject({ uuid: installation.uuid, status: 'installed' });
  });

  it('uninstalls: every token is revoked at once and the grant is gone', async () => {
    const { owner, organization, app, installation } = await installedApp(t);
    const member = await addMember(t, organization, owner, 'member');
    const pair = await exchange(t, app, installation).expect(201);
    const url = `/api/0/sentry-app-installations/${installation.uuid}/`;
    await t.http().delete(url).set(bearer(member.token)).expect(403);
    await t.http().delete(url).set(bearer((await createUser(t)).token)).expect(404);
    await t.http().delete(url).set(bearer(pair.body.token)).expect(403);
    await t.http().delete(url).set(bearer(owner.token)).expect(204);
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(pair.body.token)).expect(401);
    await refresh(t, app, installation, pair.body.refreshToken).expect(404);
    await t.http().delete(url).set(bearer(owner.token)).expect(404);
    const [{ grants }] = await t.dataSource.query('SELECT count(*)::int AS grants FROM api_grants g JOIN sentry_app_installations i ON i.id = g.installation_id WHERE i.uuid = $1', [installation.uuid]);
    expect(grants).toBe(0);
  });

  it('installs again after an uninstall with a new uuid and a new code', async () => {
    const { owner, organization, app, installation } = await installedApp(t);
    await t.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(owner.token)).expect(204);
    const again = await install(t, owner, organization, app);
    expect(again.uuid).not.toBe(installation.uuid);
    expect(again.code).not.toBe(installation.code);
    await exchange(t, app, again).expect(201);
  });
});
