import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createOrganization, createSentryApp, createUser, exchange, install, installedApp, tokenRequest } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// The eight tests of Sentry's 2018 "OAuth authorization endpoint" commit, one for one.
describe('token exchange (the seed)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('exchanges a grant code for an 8-hour token with the app scopes', async () => {
    const { app, installation } = await installedApp(t);
    const before = Date.now();
    const response = await exchange(t, app, installation).expect(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toMatchObject({ scopes: ['org:read', 'org:write'], application: null, state: null });
    expect(response.body.token).toMatch(/^[0-9a-f]{64}$/);
    expect(response.body.refreshToken).toMatch(/^[0-9a-f]{64}$/);
    expect(response.body.tokenLastCharacters).toBe(response.body.token.slice(-4));
    const expiresAt = Date.parse(response.body.expiresAt);
    expect(expiresAt - before).toBeGreaterThanOrEqual(8 * 3600 * 1000 - 1000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(8 * 3600 * 1000 + 1000);
    expect(response.body.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('rejects an incorrect grant_type with 403', async () => {
    const { app, installation } = await installedApp(t);
    const response = await exchange(t, app, installation, { grant_type: 'notit' }).expect(403);
    expect(response.body).toEqual({ detail: 'Invalid grant_type', error: 'unsupported_grant_type' });
  });

  it("rejects another app's credentials for this installation with 403", async () => {
    const { installation } = await installedApp(t);
    const { app: other } = await installedApp(t);
    const response = await exchange(t, other, installation).expect(403);
    expect(response.body.error).toBe('unauthorized_client');
  });

  it('rejects a client that is not a sentry app with 401', async () => {
    const { owner, installation } = await installedApp(t);
    const plain = await t.http().post('/api/0/api-applications/').set(bearer(owner.token)).send({ name: 'plain' }).expect(201);
    const response = await tokenRequest(t, installation.uuid)
      .send({ client_id: plain.body.clientId, client_secret: plain.body.clientSecret, grant_type: 'authorization_code', code: installation.code })
      .expect(401);
    expect(response.body).toEqual({ detail: 'Invalid Client ID / Secret pair', error: 'invalid_client' });
  });

  it('rejects an invalid grant with 403', async () => {
    const { app, installation } = await installedApp(t);
    const response = await exchange(t, app, installation, { code: '123' }).expect(403);
    expect(response.body.error).toBe('invalid_grant');
  });

  it('rejects an expired grant with 403', async () => {
    const { app, installation } = await installedApp(t);
    t.clock.advance(601);
    try {
      const response = await exchange(t, app, installation).expect(403);
      expect(response.body.error).toBe('invalid_grant');
    } finally {
      t.clock.advance(-601);
    }
  });

  it("lets the exchanged token read the installation's organization", async () => {
    const owner = await createUser(t);
    const home = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, home);
    const superuser = await createUser(t, { superuser: true });
    const elsewhere = await createOrganization(t, superuser);
    const installation = await install(t, superuser, elsewhere, app);
    const { body } = await exchange(t, app, installation).expect(201);
    const response = await t.http().get(`/api/0/organizations/${elsewhere.slug}/`).set(bearer(body.token)).expect(200);
    expect(response.body.id).toBe(elsewhere.id);
  });

  it('echoes state', async () => {
    const { app, installation } = await installedApp(t);
    const response = await exchange(t, app, installation, { state: 'abc123' }).expect(201);
    expect(response.body.state).toBe('abc123');
  });
});
