import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, exchange, installedApp, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// The one-statement exchange and rotation keep the contract's single-use and reuse rules.
describe('code exchange and refresh rotation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const readOrganization = (slug: string, token: string) => t.http().get(`/api/0/organizations/${slug}/`).set(bearer(token));

  it('rejects a reused code; inside the grace window the first exchange\'s token keeps working', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    const second = await exchange(t, app, installation).expect(403);
    expect(second.body.error).toBe('invalid_grant');
    await readOrganization(organization.slug, first.body.token).expect(200);
  });

  it('rejects a code reused after the grace window and revokes the token it issued', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    t.clock.advance(61);
    try {
      expect((await exchange(t, app, installation).expect(403)).body.error).toBe('invalid_grant');
      await readOrganization(organization.slug, first.body.token).expect(401);
    } finally {
      t.clock.advance(-61);
    }
  });

  it('lets exactly one of many concurrent exchanges of a code succeed', async () => {
    const { app, installation } = await installedApp(t);
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => exchange(t, app, installation)))).map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
  });

  it('rotates a refresh token: a new pair works and the old access token gets 401 at once', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    await readOrganization(organization.slug, first.body.token).expect(200);
    const next = await refresh(t, app, installation, first.body.refreshToken).expect(201);
    expect(next.body.token).not.toBe(first.body.token);
    await readOrganization(organization.slug, first.body.token).expect(401);
    await readOrganization(organization.slug, next.body.token).expect(200);
  });

  it('answers a retry inside the grace window with the pair it answered first', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    const lost = await refresh(t, app, installation, first.body.refreshToken).expect(201);
    const retry = await refresh(t, app, installation, first.body.refreshToken).expect(201);
    expect(retry.body).toEqual(lost.body);
    await readOrganization(organization.slug, lost.body.token).expect(200);
  });

  it('answers a refresh token that is not one of ours (padded, upper-case, cut, longer) with 403 invalid_grant, and the real one still works', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    const real = first.body.refreshToken as string;
    for (const presented of [`${real} `, ` ${real}`, real.toUpperCase(), real.slice(0, 63), `${real}0`, `${real}${real}`, 'x'.repeat(4096)]) {
      const response = await refresh(t, app, installation, presented);
      expect([response.status, response.body.error]).toEqual([403, 'invalid_grant']);
    }
    await readOrganization(organization.slug, first.body.token).expect(200);
    const next = await refresh(t, app, installation, real).expect(201);
    await readOrganization(organization.slug, next.body.token).expect(200);
  });

  it('treats a rotated refresh token presented after the grace window as reuse and revokes its family', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    const next = await refresh(t, app, installation, first.body.refreshToken).expect(201);
    t.clock.advance(61);
    try {
      const reuse = await refresh(t, app, installation, first.body.refreshToken).expect(403);
      expect(reuse.body.error).toBe('invalid_grant');
      await readOrganization(organization.slug, next.body.token).expect(401);
      await refresh(t, app, installation, next.body.refreshToken).expect(403);
    } finally {
      t.clock.advance(-61);
    }
  });
});
