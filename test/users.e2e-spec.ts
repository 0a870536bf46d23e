import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InitialAdminService } from '../src/users/initial-admin.service.js';
import { bearer, createUser, exchange, installedApp } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('users and Bearer authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ INITIAL_ADMIN_EMAIL: 'root@localhost' });
  });
  afterAll(() => t.close());

  it('creates the initial superuser on an empty database once, and never again', async () => {
    const admin = await t.app.get(InitialAdminService).ensure();
    expect(admin?.user).toMatchObject({ email: 'root@localhost', isSuperuser: true });
    const me = await t.http().get('/api/0/users/me/').set(bearer(admin!.token)).expect(200);
    expect(me.body).toEqual({ id: admin!.user.id, email: 'root@localhost', name: 'Admin', isSuperuser: true, isSentryApp: false });
    expect(await t.app.get(InitialAdminService).ensure()).toBeNull();
  });

  it('lets a superuser create users, each with a new personal token', async () => {
    const root = await createUser(t, { superuser: true });
    const response = await t.http().post('/api/0/users/').set(bearer(root.token)).send({ email: 'New.Person@Example.com', name: 'New' }).expect(201);
    expect(response.body).toMatchObject({ email: 'new.person@example.com', name: 'New', isSuperuser: false });
    expect(response.body.token).toMatch(/^sntryu_[0-9a-f]{64}$/);
    await t.http().get('/api/0/users/me/').set(bearer(response.body.token)).expect(200);
  });

  it('answers 400 to a bad email and 409 to a taken one', async () => {
    const root = await createUser(t, { superuser: true });
    const bad = await t.http().post('/api/0/users/').set(bearer(root.token)).send({ email: 'nope' }).expect(400);
    expect(bad.body).toEqual({ detail: 'Invalid request', errors: { email: ['Enter a valid email address.'] } });
    await t.http().post('/api/0/users/').set(bearer(root.token)).send({ email: 'twice@example.com' }).expect(201);
    const taken = await t.http().post('/api/0/users/').set(bearer(root.token)).send({ email: 'TWICE@example.com' }).expect(409);
    expect(taken.body.detail).toMatch(/already exists/);
  });

  it('forbids anyone but a superuser from creating users', async () => {
    const user = await createUser(t);
    await t.http().post('/api/0/users/').set(bearer(user.token)).send({ email: 'x@example.com' }).expect(403);
    const { app, installation } = await installedApp(t);
    const { body } = await exchange(t, app, installation).expect(201);
    await t.http().post('/api/0/users/').set(bearer(body.token)).send({ email: 'y@example.com' }).expect(403);
  });

  it("shows an app token's proxy user as a sentry app", async () => {
    const { app, installation } = await installedApp(t);
    const { body } = await exchange(t, app, installation).expect(201);
    const me = await t.http().get('/api/0/users/me/').set(bearer(body.token)).expect(200);
    expect(me.body).toMatchObject({ isSentryApp: true, isSuperuser: false });
  });

  describe('Bearer failures', () => {
    it.each([
      [undefined, 'Authentication credentials were not provided.'],
      ['Basic dXNlcjpwYXNz', 'Authentication credentials were not provided.'],
      ['Bearer', 'Invalid token header. No credentials provided.'],
      ['Bearer a b', 'Invalid token header. No credentials provided.'],
      [`Bearer ${'0'.repeat(64)}`, 'Invalid token'],
      ['Bearer sntryu_nothing', 'Invalid token'],
    ])('answers %s with 401 "%s" and a Bearer challenge', async (header, detail) => {
      const call = t.http().get('/api/0/users/me/');
      if (header) call.set('Authorization', header);
      const response = await call.expect(401);
      expect(response.body).toEqual({ detail });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('accepts the scheme in any case', async () => {
      const user = await createUser(t);
      await t.http().get('/api/0/users/me/').set('Authorization', `bEaReR ${user.token}`).expect(200);
    });

    it('answers "Token expired" once an app token passes its 8 hours', async () => {
      const { app, installation } = await installedApp(t);
      const { body } = await exchange(t, app, installation).expect(201);
      t.clock.advance(8 * 3600 + 1);
      try {
        const response = await t.http().get('/api/0/users/me/').set(bearer(body.token)).expect(401);
        expect(response.body).toEqual({ detail: 'Token expired' });
      } finally {
        t.clock.advance(-(8 * 3600 + 1));
      }
    });
  });
});
