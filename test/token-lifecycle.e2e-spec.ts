import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, callsOrganization, exchange, installedApp, livePairs, refresh, storedPairs, tokenRequest } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Runs `body` with the clock moved `seconds` ahead, and puts it back. */
async function later<T>(t: TestApp, seconds: number, body: () => Promise<T>): Promise<T> {
  t.clock.advance(seconds);
  try {
    return await body();
  } finally {
    t.clock.advance(-seconds);
  }
}

describe('token families: the refresh grace window and reuse detection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REFRESH_GRACE_SECONDS: '60' });
  });
  afterAll(() => t.close());

  it('answers a refresh retried after a lost response with the very same pair, minting and revoking nothing', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const lost = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const retried = (await later(t, 30, () => refresh(t, app, installation, first.refreshToken).expect(201))).body;
    for (const field of ['id', 'token', 'refreshToken', 'expiresAt', 'dateCreated', 'scopes', 'tokenLastCharacters']) expect(retried[field]).toEqual(lost[field]);
    expect(await storedPairs(t, installation.uuid)).toBe(2);
    expect(await callsOrganization(t, organization.slug, lost.token)).toBe(200);
    expect(await callsOrganization(t, organization.slug, first.token)).toBe(401);
    await refresh(t, app, installation, lost.refreshToken).expect(201);
  });

  it('gives an RFC 6749 client the same pair on a retry, in its own shape', async () => {
    const { app, installation } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const form = () => tokenRequest(t, installation.uuid).type('form').send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: first.refreshToken });
    const lost = (await form().expect(200)).body;
    const retried = (await form().expect(200)).body;
    expect(retried).toEqual(lost);
    expect(lost.access_token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the family going after a grace retry', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    await refresh(t, app, installation, first.refreshToken).expect(201);
    const retried = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const next = (await refresh(t, app, installation, retried.refreshToken).expect(201)).body;
    expect(await callsOrganization(t, organization.slug, next.token)).toBe(200);
    expect(await livePairs(t, installation.uuid)).toBe(1);
  });

  it('treats a retry outside the window as reuse: 403, and every token of the family gets 401 at once', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    await later(t, 61, async () => {
      const reuse = await refresh(t, app, installation, first.refreshToken).expect(403);
      expect(reuse.body).toEqual({ detail: 'Invalid grant', error: 'invalid_grant' });
      expect(reuse.text).not.toContain(second.token);
      expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
      await refresh(t, app, installation, second.refreshToken).expect(403);
      expect(await livePairs(t, installation.uuid)).toBe(0);
    });
  });

  it('treats a retry as reuse once the pair minted from it has itself been rotated', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const third = (await refresh(t, app, installation, second.refreshToken).expect(201)).body;
    await refresh(t, app, installation, first.refreshToken).expect(403);
    expect(await callsOrganization(t, organization.slug, third.token)).toBe(401);
  });

  it('never revives a pair that reuse detection revoked, even inside its own window', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    await later(t, 61, async () => {
      const third = (await refresh(t, app, installation, second.refreshToken).expect(201)).body;
      // `first` was rotated 61 s ago: reuse. `second` was rotated just now: inside its window.
      await refresh(t, app, installation, first.refreshToken).expect(403);
      const retried = await refresh(t, app, installation, second.refreshToken).expect(403);
      expect(retried.text).not.toContain(third.token);
      expect(await callsOrganization(t, organization.slug, third.token)).toBe(401);
    });
  });

  it('never hands out a pair revoked through RFC 7009 again', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    await t.http().post(`/api/0/sentry-app-installations/${installation.uuid}/authorizations/revoke/`)
      .send({ client_id: app.clientId, client_secret: app.clientSecret, token: second.token }).expect(200);
    const retried = await refresh(t, app, installation, first.refreshToken).expect(403);
    expect(retried.text).not.toContain(second.token);
    expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
  });

  it('refuses a retry whose answer is no longer stored, without revoking the live pair', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    await t.dataSource.query('UPDATE api_tokens SET sealed_answer = NULL WHERE id = $1', [second.id]);
    expect((await refresh(t, app, installation, first.refreshToken).expect(403)).body.error).toBe('invalid_grant');
    expect(await callsOrganization(t, organization.slug, second.token)).toBe(200);
  });

  it("answers a retry with another installation's refresh token as an unknown one", async () => {
    const one = await installedApp(t);
    const other = await installedApp(t);
    const first = (await exchange(t, one.app, one.installation).expect(201)).body;
    const second = (await refresh(t, one.app, one.installation, first.refreshToken).expect(201)).body;
    const elsewhere = await refresh(t, other.app, other.installation, first.refreshToken).expect(403);
    expect(elsewhere.text).not.toContain(second.token);
    expect(await callsOrganization(t, one.organization.slug, second.token)).toBe(200);
  });

  it("keeps a code's tokens working through a replay inside the window, refreshed pairs included", async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const replay = await exchange(t, app, installation).expect(403);
    expect(replay.body).toEqual({ detail: 'Invalid grant', error: 'invalid_grant' });
    expect(await callsOrganization(t, organization.slug, second.token)).toBe(200);
    await refresh(t, app, installation, second.refreshToken).expect(201);
  });

  it("revokes a code's whole family when it is replayed after the window, refreshed pairs included (RFC 6749 §4.1.2)", async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    await later(t, 61, async () => {
      await exchange(t, app, installation).expect(403);
      expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
      await refresh(t, app, installation, second.refreshToken).expect(403);
    });
  });

  it('gives 20 concurrent refreshes of one token one pair, which works and refreshes', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(t, app, installation, first.refreshToken)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect(await livePairs(t, installation.uuid)).toBe(1);
    const pair = responses[0]!.body;
    expect(await callsOrganization(t, organization.slug, pair.token)).toBe(200);
    await refresh(t, app, installation, pair.refreshToken).expect(201);
  });
});

describe('token families with REFRESH_GRACE_SECONDS=0: strict rotation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REFRESH_GRACE_SECONDS: '0' });
  });
  afterAll(() => t.close());

  it('treats an immediate retry of a refresh as reuse and revokes the family', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    await refresh(t, app, installation, first.refreshToken).expect(403);
    expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
    expect(await livePairs(t, installation.uuid)).toBe(0);
  });

  it('revokes what a code issued when it is replayed at once', async () => {
    const { app, installation } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    await exchange(t, app, installation).expect(403);
    await t.http().get('/api/0/users/me/').set(bearer(first.token)).expect(401);
  });
});
