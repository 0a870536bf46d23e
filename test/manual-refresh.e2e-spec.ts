import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { callsOrganization, exchange, installedApp, livePairs, now, signClientJwt as sign, tokenRequest } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe("Sentry's manual refresh (JWT bearer grant)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const manualRefresh = (uuid: string, authorization?: string) => {
    const call = tokenRequest(t, uuid);
    if (authorization) call.set('Authorization', authorization);
    return call.send({ grant_type: JWT_BEARER_GRANT });
  };

  it("revokes the installation's live tokens and issues a new pair", async () => {
    const { app, installation, organization } = await installedApp(t);
    const old = (await exchange(t, app, installation).expect(201)).body;
    const response = await manualRefresh(installation.uuid, `Bearer ${await sign(app)}`).expect(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toMatchObject({ token: expect.stringMatching(/^[0-9a-f]{64}$/), refreshToken: expect.stringMatching(/^[0-9a-f]{64}$/), scopes: app.scopes, application: null });
    expect(await callsOrganization(t, organization.slug, old.token)).toBe(401);
    expect(await callsOrganization(t, organization.slug, response.body.token)).toBe(200);
  });

  it('answers "Header is in invalid form" without a Bearer JWT', async () => {
    const { installation } = await installedApp(t);
    for (const header of [undefined, 'Basic abc', 'Bearer', 'Bearer a b']) {
      const response = await manualRefresh(installation.uuid, header).expect(401);
      expect(response.body.detail).toBe('Header is in invalid form');
    }
  });

  it('answers "Could not validate JWT" to bad signatures, expiry, long lifetimes, other algorithms and missing claims', async () => {
    const { app, installation } = await installedApp(t);
    await exchange(t, app, installation).expect(201);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: app.clientId, iat: now(), exp: now() + 60, jti: 'x' })).toString('base64url')}.`;
    const bad = [
      await sign(app, {}, { secret: 'f'.repeat(64) }),
      await sign(app, { exp: now() - 10 }),
      await sign(app, { exp: now() + 6 * 60 }),
      await sign(app, {}, { alg: 'HS512' }),
      await new SignJWT({ iss: app.clientId, exp: now() + 60, iat: now() }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(app.clientSecret)),
      await sign({ ...app, clientId: 'f'.repeat(64) }),
      unsigned,
      'a.b.c',
      'not-a-jwt',
    ];
    const answers = [];
    for (const jwt of bad) {
      const response = await manualRefresh(installation.uuid, `Bearer ${jwt}`);
      answers.push([response.status, response.body.detail]);
    }
    expect(answers).toEqual(bad.map(() => [401, 'Could not validate JWT']));
  });

  it("answers \"JWT is not valid for this application\" to another app's JWT", async () => {
    const { installation } = await installedApp(t);
    const { app: other } = await installedApp(t);
    const response = await manualRefresh(installation.uuid, `Bearer ${await sign(other)}`).expect(401);
    expect(response.body.detail).toBe('JWT is not valid for this application');
  });

  it('accepts each jti once', async () => {
    const { app, installation } = await installedApp(t);
    await exchange(t, app, installation).expect(201);
    const jwt = await sign(app);
    await manualRefresh(installation.uuid, `Bearer ${jwt}`).expect(201);
    const replay = await manualRefresh(installation.uuid, `Bearer ${jwt}`).expect(401);
    expect(replay.body.detail).toBe('JWT has already been used');
  });

  it('refuses a jti that is not well-formed text, so that two different jtis can never count as one', async () => {
    const { app, installation } = await installedApp(t);
    await exchange(t, app, installation).expect(201);
    for (const jti of ['a\u0000b', '\ud800', '\udc00', 'x\ud800', '\ud801']) {
      const response = await manualRefresh(installation.uuid, `Bearer ${await sign(app, { jti })}`).expect(401);
      expect(response.body).toEqual({ detail: 'Could not validate JWT', error: 'invalid_client' });
    }
    await manualRefresh(installation.uuid, `Bearer ${await sign(app, { jti: '🔑' })}`).expect(201);
  });

  it('refuses a JWT issued more than 60 seconds in the future, and accepts a little clock skew', async () => {
    const { app, installation } = await installedApp(t);
    await exchange(t, app, installation).expect(201);
    for (const ahead of [90, 3600]) {
      const response = await manualRefresh(installation.uuid, `Bearer ${await sign(app, { iat: now() + ahead })}`).expect(401);
      expect(response.body.detail).toBe('Could not validate JWT');
    }
    await manualRefresh(installation.uuid, `Bearer ${await sign(app, { iat: now() + 30 })}`).expect(201);
  });

  it('serializes concurrent manual refreshes of one installation: exactly one pair is left alive, and it works', async () => {
    const { app, installation, organization } = await installedApp(t);
    await exchange(t, app, installation).expect(201);
    const jwts = await Promise.all(Array.from({ length: 15 }, () => sign(app)));
    const responses = await Promise.all(jwts.map((jwt) => manualRefresh(installation.uuid, `Bearer ${jwt}`)));
    expect(responses.map((response) => response.status)).toEqual(jwts.map(() => 201));
    expect(await livePairs(t, installation.uuid)).toBe(1);
    const working = await Promise.all(responses.map((response) => callsOrganization(t, organization.slug, response.body.token)));
    expect(working.filter((status) => status === 200)).toHaveLength(1);
  });

  it('answers "Installation does not have a token" before the code was exchanged', async () => {
    const { app, installation } = await installedApp(t);
    const response = await manualRefresh(installation.uuid, `Bearer ${await sign(app)}`).expect(401);
    expect(response.body.detail).toBe('Installation does not have a token');
  });
});

describe('manual refresh switched off', () => {
  it('answers 403', async () => {
    const t = await createTestApp({ MANUAL_REFRESH_ENABLED: 'false' });
    try {
      const { app, installation } = await installedApp(t);
      await exchange(t, app, installation).expect(201);
      const response = await tokenRequest(t, installation.uuid).set('Authorization', `Bearer ${await sign(app)}`).send({ grant_type: JWT_BEARER_GRANT }).expect(403);
      expect(response.body.error).toBe('unsupported_grant_type');
    } finally {
      await t.close();
    }
  });
});
