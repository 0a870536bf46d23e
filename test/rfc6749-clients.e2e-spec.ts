import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oauth from 'oauth4webapi';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { callsOrganization, exchange, installedApp, refresh, signClientJwt, tokenRequest, type TestInstallation, type TestSentryApp } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CALLBACK = 'https://integration.example/callback';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('RFC 6749 clients on the token endpoint', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
  });
  afterAll(() => t.close());

  // A standards-strict client library, unpatched, driving the code exchange and a refresh.
  async function strictClientFlow(app: TestSentryApp, installation: TestInstallation, auth: oauth.ClientAuth) {
    const as: oauth.AuthorizationServer = { issuer: baseUrl, token_endpoint: `${baseUrl}/api/0/sentry-app-installations/${installation.uuid}/authorizations/` };
    const client: oauth.Client = { client_id: app.clientId };
    const options = { [oauth.allowInsecureRequests]: true };
    const callback = oauth.validateAuthResponse(as, client, new URL(`${CALLBACK}?code=${installation.code}`), oauth.skipStateCheck);
    const exchanged = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, auth, callback, CALLBACK, oauth.nopkce, options));
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, exchanged.refresh_token!, options));
    return { as, client, options, exchanged, refreshed };
  }

  it('serves oauth4webapi with client_secret_basic: code exchange, then refresh', async () => {
    const { app, installation, organization } = await installedApp(t);
    const { exchanged, refreshed } = await strictClientFlow(app, installation, oauth.ClientSecretBasic(app.clientSecret));
    expect(exchanged).toMatchObject({ token_type: 'bearer', expires_in: 28800, scope: 'org:read org:write' });
    expect(refreshed.access_token).not.toBe(exchanged.access_token);
    expect(await callsOrganization(t, organization.slug, exchanged.access_token)).toBe(401);
    expect(await callsOrganization(t, organization.slug, refreshed.access_token)).toBe(200);
  });

  it('serves oauth4webapi with client_secret_post', async () => {
    const { app, installation, organization } = await installedApp(t);
    const { refreshed } = await strictClientFlow(app, installation, oauth.ClientSecretPost(app.clientSecret));
    expect(await callsOrganization(t, organization.slug, refreshed.access_token)).toBe(200);
  });

  it("gives oauth4webapi RFC 6749 errors it understands", async () => {
    const { app, installation } = await installedApp(t);
    const { as, client, options } = await strictClientFlow(app, installation, oauth.ClientSecretBasic(app.clientSecret));
    const replay = oauth.validateAuthResponse(as, client, new URL(`${CALLBACK}?code=${installation.code}`), oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(app.clientSecret), replay, CALLBACK, oauth.nopkce, options);
    await expect(oauth.processAuthorizationCodeResponse(as, client, response)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    const wrong = await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretBasic('f'.repeat(64)), 'anything', options);
    // A 401 with a challenge: the library surfaces the Basic challenge rather than the body.
    const rejection = await oauth.processRefreshTokenResponse(as, client, wrong).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(rejection).toMatchObject({ status: 401, cause: [expect.objectContaining({ scheme: 'basic' })] });
  });

  describe('on the wire', () => {
    const form = (installation: TestInstallation) => tokenRequest(t, installation.uuid).type('form');

    it('answers 200 with the standard body and no-store headers', async () => {
      const { app, installation } = await installedApp(t);
      const response = await form(installation)
        .set('Authorization', basic(app.clientId, app.clientSecret))
        .send({ grant_type: 'authorization_code', code: installation.code, redirect_uri: CALLBACK })
        .expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.pragma).toBe('no-cache');
      expect(response.body).toEqual({ access_token: expect.stringMatching(/^[0-9a-f]{64}$/), token_type: 'Bearer', expires_in: 28800, refresh_token: expect.stringMatching(/^[0-9a-f]{64}$/), scope: 'org:read org:write' });
    });

    it("tells a form client retrying a refresh inside the grace window what is left of the pair's life, not a fresh 28800", async () => {
      const { app, installation } = await installedApp(t);
      const credentials = { client_id: app.clientId, client_secret: app.clientSecret };
      const exchanged = (await form(installation).send({ ...credentials, grant_type: 'authorization_code', code: installation.code }).expect(200)).body;
      const refreshing = { ...credentials, grant_type: 'refresh_token', refresh_token: exchanged.refresh_token };
      const first = (await form(installation).send(refreshing).expect(200)).body;
      expect(first.expires_in).toBe(28800);
      t.clock.advance(45);
      try {
        const retried = (await form(installation).send(refreshing).expect(200)).body;
        expect(retried.access_token).toBe(first.access_token);
        expect(retried.expires_in).toBe(28800 - 45);
      } finally {
        t.clock.advance(-45);
      }
    });

    it('answers errors with error, error_description and detail', async () => {
      const { app, installation } = await installedApp(t);
      const response = await form(installation).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'password' }).expect(400);
      expect(response.body).toEqual({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type', detail: 'Invalid grant_type' });
      const grant = await form(installation).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: 'nope' }).expect(400);
      expect(grant.body.error).toBe('invalid_grant');
    });

    it('challenges a failed Basic client with WWW-Authenticate: Basic', async () => {
      const { app, installation } = await installedApp(t);
      const response = await form(installation).set('Authorization', basic(app.clientId, 'wrong')).send({ grant_type: 'authorization_code', code: installation.code }).expect(401);
      expect(response.body.error).toBe('invalid_client');
      expect(response.headers['www-authenticate']).toMatch(/^Basic /);
      const post = await form(installation).send({ client_id: app.clientId, client_secret: 'wrong', grant_type: 'authorization_code', code: installation.code }).expect(401);
      expect(post.headers['www-authenticate']).toBeUndefined();
    });

    it('refuses two client authentication methods at once, and repeated parameters', async () => {
      const { app, installation } = await installedApp(t);
      const both = await form(installation).set('Authorization', basic(app.clientId, app.clientSecret)).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: installation.code }).expect(400);
      expect(both.body.error).toBe('invalid_request');
      const repeated = await form(installation).send(`client_id=${app.clientId}&client_secret=${app.clientSecret}&grant_type=authorization_code&code=a&code=b`).expect(400);
      expect(repeated.body.error).toBe('invalid_request');
    });

    it('accepts HTTP Basic with a JSON body, answering the Sentry way', async () => {
      const { app, installation } = await installedApp(t);
      const response = await tokenRequest(t, installation.uuid).set('Authorization', basic(app.clientId, app.clientSecret)).send({ grant_type: 'authorization_code', code: installation.code }).expect(201);
      expect(response.body.token).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});

describe('RFC 7009 revocation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const revoke = (app: TestSentryApp, installation: TestInstallation, body: Record<string, unknown>) =>
    t.http().post(`/api/0/sentry-app-installations/${installation.uuid}/authorizations/revoke/`).send({ client_id: app.clientId, client_secret: app.clientSecret, ...body });

  it('revokes an access token together with its refresh token', async () => {
    const { app, installation, organization } = await installedApp(t);
    const pair = (await exchange(t, app, installation).expect(201)).body;
    await revoke(app, installation, { token: pair.token, token_type_hint: 'access_token' }).expect(200);
    expect(await callsOrganization(t, organization.slug, pair.token)).toBe(401);
    await tokenRequest(t, installation.uuid).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: pair.refreshToken }).expect(403);
  });

  it('revokes a refresh token together with its access token, also for form clients', async () => {
    const { app, installation, organization } = await installedApp(t);
    const pair = (await exchange(t, app, installation).expect(201)).body;
    await t.http()
      .post(`/api/0/sentry-app-installations/${installation.uuid}/authorizations/revoke/`)
      .type('form')
      .set('Authorization', basic(app.clientId, app.clientSecret))
      .send({ token: pair.refreshToken, token_type_hint: 'refresh_token' })
      .expect(200);
    expect(await callsOrganization(t, organization.slug, pair.token)).toBe(401);
  });

  it("answers 200 to an unknown token and leaves another installation's tokens alone", async () => {
    const { app, installation } = await installedApp(t);
    await revoke(app, installation, { token: 'f'.repeat(64) }).expect(200);
    const other = await installedApp(t);
    const theirs = (await exchange(t, other.app, other.installation).expect(201)).body;
    await revoke(app, installation, { token: theirs.token }).expect(200);
    expect(await callsOrganization(t, other.organization.slug, theirs.token)).toBe(200);
  });

  it('revoking a rotated refresh token ends its grant: the pair it led to dies, and a retry inside the grace window gets nothing', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    // The client believes the old refresh token leaked, and revokes it.
    await revoke(app, installation, { token: first.refreshToken, token_type_hint: 'refresh_token' }).expect(200);
    await refresh(t, app, installation, first.refreshToken).expect(403);
    expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
    await refresh(t, app, installation, second.refreshToken).expect(403);
  });

  it('takes no manual-refresh JWT as the client credential, so a JWT cannot revoke, however often it is replayed', async () => {
    const { app, installation, organization } = await installedApp(t);
    const pair = (await exchange(t, app, installation).expect(201)).body;
    const jwt = await signClientJwt(app);
    for (let i = 0; i < 2; i += 1) {
      const refused = await t.http().post(`/api/0/sentry-app-installations/${installation.uuid}/authorizations/revoke/`)
        .set('Authorization', `Bearer ${jwt}`).send({ grant_type: JWT_BEARER_GRANT, token: pair.token }).expect(401);
      expect(refused.body.error).toBe('invalid_client');
    }
    expect(await callsOrganization(t, organization.slug, pair.token)).toBe(200);
    // The JWT was never spent, so its one manual refresh is still there for it.
    await tokenRequest(t, installation.uuid).set('Authorization', `Bearer ${jwt}`).send({ grant_type: JWT_BEARER_GRANT }).expect(201);
  });

  it('answers 401 invalid_client to bad credentials and 400 without a token', async () => {
    const { app, installation } = await installedApp(t);
    const response = await revoke({ ...app, clientSecret: 'wrong' }, installation, { token: 'x' }).expect(401);
    expect(response.body).toEqual({ detail: 'Invalid Client ID / Secret pair', error: 'invalid_client' });
    await revoke(app, installation, {}).expect(400);
  });
});
