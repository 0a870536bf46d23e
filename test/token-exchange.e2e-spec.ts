import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, exchange, installedApp, refresh, storedPairs, tokenRequest } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('token endpoint: the contract, step by step', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('1. the body and the client', () => {
    it.each([
      ['malformed JSON', '{"client_id":', 'application/json'],
      ['an empty JSON body', '', 'application/json'],
      ['a JSON array', '[]', 'application/json'],
      ['a JSON string', '"client_id"', 'application/json'],
      ['a text body', 'client_id=x', 'text/plain'],
      ['a content type that does not parse', '{}', 'a'],
      ['a content type of one separator', '{}', ';'],
      ['a content type without type or subtype', '{}', '/'],
      ['a list of content types', '{}', 'application/json, application/x-www-form-urlencoded'],
      ['a type that only begins like a form', 'client_id=x&grant_type=refresh_token', 'application/x-www-form-urlencodedfoo'],
    ])('answers 401 invalid_request to %s', async (_name, body, type) => {
      const { installation } = await installedApp(t);
      const response = await tokenRequest(t, installation.uuid).set('Content-Type', type).send(body).expect(401);
      expect(response.body).toEqual({ detail: 'Invalid request', error: 'invalid_request' });
    });

    it('gives one identical 401 for a missing, unknown or wrong client', async () => {
      const { app, installation } = await installedApp(t);
      const attempts = [
        {},
        { client_id: app.clientId },
        { client_id: app.clientId, client_secret: 'a'.repeat(64) },
        { client_id: 'f'.repeat(64), client_secret: app.clientSecret },
        { client_id: 42, client_secret: ['x'] },
      ];
      for (const credentials of attempts) {
        const response = await tokenRequest(t, installation.uuid).send({ ...credentials, grant_type: 'authorization_code', code: installation.code }).expect(401);
        expect(response.body).toEqual({ detail: 'Invalid Client ID / Secret pair', error: 'invalid_client' });
      }
    });

    it('checks the client before the installation exists', async () => {
      const response = await tokenRequest(t, '00000000-0000-4000-8000-000000000000').send({ grant_type: 'authorization_code' }).expect(401);
      expect(response.body.error).toBe('invalid_client');
    });
  });

  it('2. answers 404 with only a detail for an unknown or uninstalled installation', async () => {
    const { owner, app, installation } = await installedApp(t);
    const unknown = await exchange(t, app, { ...installation, uuid: '00000000-0000-4000-8000-000000000000' }).expect(404);
    expect(unknown.body).toEqual({ detail: 'Installation not found' });
    await exchange(t, app, { ...installation, uuid: 'not-a-uuid' }).expect(404);
    await t.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(owner.token)).expect(204);
    const gone = await exchange(t, app, installation).expect(404);
    expect(gone.body).toEqual({ detail: 'Installation not found' });
  });

  it('marks its errors no-store too', async () => {
    const { app, installation } = await installedApp(t);
    for (const response of [await exchange(t, { ...app, clientSecret: 'wrong' }, installation), await exchange(t, app, installation, { code: 'nope' })]) {
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.pragma).toBe('no-cache');
    }
  });

  it('4. rejects a missing or differently-cased grant_type with 403', async () => {
    const { app, installation } = await installedApp(t);
    for (const grant_type of [undefined, 'AUTHORIZATION_CODE', 7]) {
      const response = await exchange(t, app, installation, { grant_type }).expect(403);
      expect(response.body).toEqual({ detail: 'Invalid grant_type', error: 'unsupported_grant_type' });
    }
  });

  it('5. answers 400 invalid_request to a missing or non-string code or refresh_token', async () => {
    const { app, installation } = await installedApp(t);
    for (const code of [undefined, 12345, { $ne: null }, '']) {
      const response = await exchange(t, app, installation, { code }).expect(400);
      expect(response.body.error).toBe('invalid_request');
    }
    const response = await refresh(t, app, installation, undefined as unknown as string).expect(400);
    expect(response.body.error).toBe('invalid_request');
  });

  describe('6. invalid grants', () => {
    it("rejects another installation's code", async () => {
      const first = await installedApp(t);
      const second = await installedApp(t);
      const response = await exchange(t, first.app, first.installation, { code: second.installation.code }).expect(403);
      expect(response.body.error).toBe('invalid_grant');
    });

    it('rejects a reused code, and revokes the token it issued once the grace window is over', async () => {
      const { app, installation, organization } = await installedApp(t);
      const first = await exchange(t, app, installation).expect(201);
      const doubleSubmit = await exchange(t, app, installation).expect(403);
      expect(doubleSubmit.body).toEqual({ detail: 'Invalid grant', error: 'invalid_grant' });
      await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(first.body.token)).expect(200);
      t.clock.advance(61);
      try {
        const replay = await exchange(t, app, installation).expect(403);
        expect(replay.body).toEqual({ detail: 'Invalid grant', error: 'invalid_grant' });
        const call = await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(first.body.token)).expect(401);
        expect(call.body).toEqual({ detail: 'Invalid token' });
        await refresh(t, app, installation, first.body.refreshToken).expect(403);
      } finally {
        t.clock.advance(-61);
      }
    });

    it('rejects an unknown refresh token, and one of another installation', async () => {
      const first = await installedApp(t);
      const second = await installedApp(t);
      const pair = await exchange(t, second.app, second.installation).expect(201);
      await refresh(t, first.app, first.installation, 'f'.repeat(64)).expect(403);
      const foreign = await refresh(t, first.app, first.installation, pair.body.refreshToken).expect(403);
      expect(foreign.body.error).toBe('invalid_grant');
    });
  });

  it('refreshes: a new pair, and the old access token gets 401 at once', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    const second = await refresh(t, app, installation, first.body.refreshToken).expect(201);
    expect(second.headers['cache-control']).toBe('no-store');
    expect(second.body.token).not.toBe(first.body.token);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect(second.body.scopes).toEqual(first.body.scopes);
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(first.body.token)).expect(401);
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(second.body.token)).expect(200);
  });

  it('answers on the route with and without the trailing slash', async () => {
    const { app, installation } = await installedApp(t);
    const response = await t.http()
      .post(`/api/0/sentry-app-installations/${installation.uuid}/authorizations`)
      .send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: installation.code })
      .expect(201);
    expect(response.body.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never echoes the client secret, and stores no plaintext token or code', async () => {
    const { app, installation } = await installedApp(t);
    const response = await exchange(t, app, installation).expect(201);
    expect(JSON.stringify(response.body)).not.toContain(app.clientSecret);
    const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM api_tokens'));
    const grants = JSON.stringify(await t.dataSource.query('SELECT * FROM api_grants'));
    for (const secret of [response.body.token, response.body.refreshToken, installation.code!]) {
      expect(dump).not.toContain(secret);
      expect(grants).not.toContain(secret);
    }
    const applications = JSON.stringify(await t.dataSource.query('SELECT * FROM api_applications'));
    expect(applications).not.toContain(app.clientSecret);
  });
});

describe('token endpoint under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REFRESH_GRACE_SECONDS: '0' });
  });
  afterAll(() => t.close());

  it('lets exactly one of 20 concurrent exchanges of one code win, and never answers 500', async () => {
    const { app, installation } = await installedApp(t);
    const responses = await Promise.all(Array.from({ length: 20 }, () => exchange(t, app, installation)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 403)).toHaveLength(19);
    expect(await storedPairs(t, installation.uuid)).toBe(1);
  });

  it('mints exactly one new pair from concurrent refreshes of one token, never a 500', async () => {
    const { app, installation } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    const responses = await Promise.all(Array.from({ length: 2 }, () => refresh(t, app, installation, first.body.refreshToken)));
    expect(responses.map((response) => response.status).sort()).toEqual([201, 403]);
    const [{ minted }] = await t.dataSource.query(
      'SELECT count(*)::int AS minted FROM api_tokens t JOIN sentry_app_installations i ON i.id = t.installation_id WHERE i.uuid = $1 AND t.parent_id IS NOT NULL',
      [installation.uuid],
    );
    expect(minted).toBe(1);
  });
});
