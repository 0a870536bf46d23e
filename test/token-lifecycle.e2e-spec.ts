import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callsOrganization, exchange, installedApp, livePairs, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('token families: the refresh grace window and reuse detection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REFRESH_GRACE_SECONDS: '60' });
  });
  afterAll(() => t.close());

  it('answers a refresh retried after a lost response with a new pair, and revokes the lost one', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const lost = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    t.clock.advance(30);
    try {
      const retried = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
      expect(retried.token).not.toBe(lost.token);
      expect(await callsOrganization(t, organization.slug, lost.token)).toBe(401);
      expect(await callsOrganization(t, organization.slug, retried.token)).toBe(200);
      await refresh(t, app, installation, lost.refreshToken).expect(403);
    } finally {
      t.clock.advance(-30);
    }
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
    t.clock.advance(61);
    try {
      const reuse = await refresh(t, app, installation, first.refreshToken).expect(403);
      expect(reuse.body).toEqual({ detail: 'Invalid grant', error: 'invalid_grant' });
      expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
      await refresh(t, app, installation, second.refreshToken).expect(403);
      expect(await livePairs(t, installation.uuid)).toBe(0);
    } finally {
      t.clock.advance(-61);
    }
  });

  it('treats a retry as reuse once the pair minted from it has itself been rotated', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const third = (await refresh(t, app, installation, second.refreshToken).expect(201)).body;
    await refresh(t, app, installation, first.refreshToken).expect(403);
    expect(await callsOrganization(t, organization.slug, third.token)).toBe(401);
  });

  it('revokes a replayed code\'s whole family, refreshed pairs included (RFC 6749 §4.1.2)', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    await exchange(t, app, installation).expect(403);
    expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
    await refresh(t, app, installation, second.refreshToken).expect(403);
  });

  it('leaves one consistent family after 20 concurrent refreshes of one token, never a 500', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(t, app, installation, first.refreshToken)));
    expect(responses.every((response) => response.status === 201)).toBe(true);
    expect(await livePairs(t, installation.uuid)).toBe(1);
    const alive = [];
    for (const response of responses) if ((await callsOrganization(t, organization.slug, response.body.token)) === 200) alive.push(response.body);
    expect(alive).toHaveLength(1);
    await refresh(t, app, installation, alive[0].refreshToken).expect(201);
  });
});
