import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createOrganization, createSentryApp, createUser, exchange, install, installedApp, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Starts every attempt before awaiting any, so they really overlap on the server. */
async function together<T>(count: number, attempt: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => attempt(index)));
}

function tally(statuses: number[]): Record<number, number> {
  return statuses.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});
}

let racesRun = 0;

describe('concurrency: racing requests keep the invariants', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    console.log(`reliability: concurrency ran ${racesRun} racing requests`);
    await t.close();
  });

  it('50 parallel exchanges of one code give exactly one 201 and one token row', async () => {
    const { app, installation } = await installedApp(t);
    const responses = await together(50, () => exchange(t, app, installation));
    racesRun += responses.length;
    expect(tally(responses.map((response) => response.status))).toEqual({ 201: 1, 403: 49 });
    for (const response of responses.filter((r) => r.status === 403)) expect(response.body.error).toBe('invalid_grant');
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM api_tokens t JOIN sentry_app_installations i ON i.id = t.installation_id WHERE i.uuid = $1',
      [installation.uuid],
    );
    expect(count).toBe(1);
  });

  it('50 parallel refreshes of one refresh token leave one consistent family with one live pair', async () => {
    const { organization, app, installation } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const responses = await together(50, () => refresh(t, app, installation, first.refreshToken));
    racesRun += responses.length;
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 403)).toBe(true);
    const issued = responses.filter((response) => response.status === 201).map((response) => response.body.token as string);
    expect(issued.length).toBeGreaterThanOrEqual(1);

    const rows = await t.dataSource.query<{ family_id: string; live: boolean }[]>(
      `SELECT t.family_id, (t.revoked_at IS NULL AND t.rotated_at IS NULL) AS live
         FROM api_tokens t JOIN sentry_app_installations i ON i.id = t.installation_id WHERE i.uuid = $1`,
      [installation.uuid],
    );
    expect(new Set(rows.map((row) => row.family_id)).size).toBe(1);
    expect(rows).toHaveLength(1 + issued.length);
    expect(rows.filter((row) => row.live)).toHaveLength(1);
    // The one live row is a token some caller holds, and it is the only one that works.
    const working = await Promise.all([first.token, ...issued].map(async (token) => (await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(token))).status));
    expect(tally(working)).toEqual({ 200: 1, 401: issued.length });
  });

  it('20 parallel installs of one app into one organization make one installation with one grant', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const responses = await together(20, () => t.http().post(`/api/0/organizations/${organization.slug}/sentry-app-installations/`).set(bearer(owner.token)).send({ slug: app.slug }));
    racesRun += responses.length;
    expect(tally(responses.map((response) => response.status))).toEqual({ 200: 20 });
    expect(new Set(responses.map((response) => response.body.uuid)).size).toBe(1);
    expect(new Set(responses.map((response) => response.body.code)).size).toBe(1);
    const [{ installations, grants }] = await t.dataSource.query(
      `SELECT count(DISTINCT i.id)::int AS installations, count(g.id)::int AS grants
         FROM sentry_app_installations i LEFT JOIN api_grants g ON g.installation_id = i.id
        WHERE i.organization_id = $1`,
      [organization.id],
    );
    expect({ installations, grants }).toEqual({ installations: 1, grants: 1 });
  });

  it('20 races of uninstall against exchange leave no live token on an uninstalled installation', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const targets = await together(20, async () => {
      const app = await createSentryApp(t, owner, organization);
      return { app, installation: await install(t, owner, organization, app) };
    });
    const outcomes = await together(20, async (index) => {
      const { app, installation } = targets[index]!;
      const [uninstalled, exchanged] = await Promise.all([
        t.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(owner.token)),
        exchange(t, app, installation),
      ]);
      return { uninstalled: uninstalled.status, exchanged: exchanged.status, token: exchanged.body.token as string | undefined };
    });
    racesRun += outcomes.length * 2;
    for (const outcome of outcomes) {
      expect(outcome.uninstalled).toBe(204);
      expect([201, 403, 404]).toContain(outcome.exchanged);
      if (outcome.token) await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(outcome.token)).expect(401);
    }
    const [{ survivors }] = await t.dataSource.query(
      `SELECT count(*)::int AS survivors FROM api_tokens t JOIN sentry_app_installations i ON i.id = t.installation_id
        WHERE i.organization_id = $1 AND t.revoked_at IS NULL`,
      [organization.id],
    );
    expect(survivors).toBe(0);
    const [{ grants }] = await t.dataSource.query(
      'SELECT count(*)::int AS grants FROM api_grants g JOIN sentry_app_installations i ON i.id = g.installation_id WHERE i.organization_id = $1',
      [organization.id],
    );
    expect(grants).toBe(0);
  });
});
