import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TokenCache } from '../src/auth/token-cache.service.js';
import { TokenInvalidationListener } from '../src/auth/token-invalidation.listener.js';
import { JanitorService } from '../src/janitor/janitor.service.js';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { bearer, callsOrganization, createOrganization, createSentryApp, createUser, exchange, install, installedApp, livePairs, refresh, signClientJwt, storedPairs } from './support/factories.js';
import { watchOverlappingQueries } from './support/pg-overlap.js';
import { spawnServer } from './support/spawned-server.js';
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

  it('50 parallel exchanges of one code give exactly one 201 and one token row, and that token keeps working', async () => {
    const { app, installation, organization } = await installedApp(t);
    const responses = await together(50, () => exchange(t, app, installation));
    racesRun += responses.length;
    expect(tally(responses.map((response) => response.status))).toEqual({ 201: 1, 403: 49 });
    for (const response of responses.filter((r) => r.status === 403)) expect(response.body.error).toBe('invalid_grant');
    expect(await storedPairs(t, installation.uuid)).toBe(1);
    // The losers are the same client racing itself, inside the grace window: they revoke nothing.
    const winner = responses.find((response) => response.status === 201)!.body;
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(winner.token)).expect(200);
    await refresh(t, app, installation, winner.refreshToken).expect(201);
  });

  it('50 parallel refreshes of one refresh token all get one and the same pair, and that pair works', async () => {
    const { organization, app, installation } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const responses = await together(50, () => refresh(t, app, installation, first.refreshToken));
    racesRun += responses.length;
    expect(tally(responses.map((response) => response.status))).toEqual({ 201: 50 });
    const answers = new Set(responses.map((response) => JSON.stringify(response.body)));
    expect(answers.size).toBe(1);
    const pair = responses[0]!.body;

    const rows = await t.dataSource.query<{ id: string; family_id: string; live: boolean }[]>(
      `SELECT t.id, t.family_id, (t.revoked_at IS NULL AND t.rotated_at IS NULL) AS live
         FROM api_tokens t JOIN sentry_app_installations i ON i.id = t.installation_id WHERE i.uuid = $1`,
      [installation.uuid],
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((row) => row.family_id)).size).toBe(1);
    expect(rows.filter((row) => row.live).map((row) => row.id)).toEqual([pair.id]);
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(pair.token)).expect(200);
    await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(first.token)).expect(401);
    await refresh(t, app, installation, pair.refreshToken).expect(201);
  });

  it('20 retries of a refresh racing a refresh of the pair they answer never leave a retrier with a dead pair beside a live one', async () => {
    const { organization, app, installation } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const [moved, ...retries] = await Promise.all([
      refresh(t, app, installation, second.refreshToken),
      ...Array.from({ length: 20 }, () => refresh(t, app, installation, first.refreshToken)),
    ]);
    racesRun += 1 + retries.length;
    expect(moved!.status).toBe(201);
    const statuses = tally(retries.map((response) => response.status));
    for (const response of retries.filter((r) => r.status === 201)) expect(response.body).toEqual(second);
    // A retry that came after the rotation is reuse and ends the family; before it, it got `second`, then rotated.
    const third = await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(moved!.body.token));
    if (statuses[403]) expect(third.status).toBe(401);
    else expect({ statuses, third: third.status }).toEqual({ statuses: { 201: 20 }, third: 200 });
    expect(await livePairs(t, installation.uuid)).toBe(statuses[403] ? 0 : 1);
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

  describe('a revocation racing a rotation of the same family ends the rotated pair too', () => {
    // A rotation that has locked its rows and inserted its successor, but not committed yet: a
    // trigger of this test's own schema holds it there, so the race is met every time, not by luck.
    beforeAll(async () => {
      await t.dataSource.query(`CREATE FUNCTION ${t.schema}.hold_rotation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$`);
      await t.dataSource.query(`CREATE TRIGGER hold_rotation AFTER INSERT ON ${t.schema}.api_tokens FOR EACH ROW
        WHEN (NEW.parent_id IS NOT NULL AND current_setting('application_name') NOT LIKE '%listener') EXECUTE FUNCTION ${t.schema}.hold_rotation()`);
    });
    afterAll(async () => {
      await t.dataSource.query(`DROP TRIGGER hold_rotation ON ${t.schema}.api_tokens`);
    });

    /** Starts a refresh of `refreshToken`, and resolves once its rotation is held inside the database (to its answer, still to come). */
    async function heldRefresh(app: Awaited<ReturnType<typeof installedApp>>['app'], installation: Awaited<ReturnType<typeof installedApp>>['installation'], refreshToken: string) {
      const response = refresh(t, app, installation, refreshToken).then((r) => r);
      for (let waited = 0; ; waited += 10) {
        const [{ held }] = await t.dataSource.query(`SELECT count(*)::int AS held FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%INSERT INTO api_tokens%'`);
        if (held > 0) return { answer: response };
        if (waited > 5000) throw new Error('the rotation never reached the database');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    async function expectFamilyDead(organization: string, installation: string, minted: { status: number; body: { token?: string } }) {
      racesRun += 2;
      if (minted.status === 201) expect(await callsOrganization(t, organization, minted.body.token!)).toBe(401);
      expect(await livePairs(t, installation)).toBe(0);
    }

    /** Runs `race` with the clock past the grace window, so a second presentation is reuse. */
    const afterGrace = (race: () => Promise<void>) => t.clock.ahead(61, race);

    it('a reuse of a rotated refresh token, outside the grace window, while the pair it led to is being rotated', async () => {
      const { app, installation, organization } = await installedApp(t);
      const first = (await exchange(t, app, installation).expect(201)).body;
      const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
      await afterGrace(async () => {
        const rotating = await heldRefresh(app, installation, second.refreshToken);
        expect((await refresh(t, app, installation, first.refreshToken)).body).toEqual({ detail: 'Invalid grant', error: 'invalid_grant' });
        await expectFamilyDead(organization.slug, installation.uuid, await rotating.answer);
      });
    });

    it('a code replayed outside the grace window while the pair it started is being rotated', async () => {
      const { app, installation, organization } = await installedApp(t);
      const first = (await exchange(t, app, installation).expect(201)).body;
      await afterGrace(async () => {
        const rotating = await heldRefresh(app, installation, first.refreshToken);
        await exchange(t, app, installation).expect(403);
        await expectFamilyDead(organization.slug, installation.uuid, await rotating.answer);
      });
    });

    it('an RFC 7009 revocation of a refresh token while that very token is being rotated', async () => {
      const { app, installation, organization } = await installedApp(t);
      const first = (await exchange(t, app, installation).expect(201)).body;
      const rotating = await heldRefresh(app, installation, first.refreshToken);
      await t.http().post(`/api/0/sentry-app-installations/${installation.uuid}/authorizations/revoke/`)
        .send({ client_id: app.clientId, client_secret: app.clientSecret, token: first.refreshToken }).expect(200);
      await expectFamilyDead(organization.slug, installation.uuid, await rotating.answer);
    });
  });

  /** Refreshes, manual refreshes, installs and Bearer reads, all at once, through `http`. */
  async function raceEveryWrite(http: () => ReturnType<TestApp['http']>): Promise<number[]> {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const worlds = await together(4, async () => {
      const world = await installedApp(t);
      return { ...world, pair: (await exchange(t, world.app, world.installation).expect(201)).body, fresh: await createSentryApp(t, owner, organization) };
    });
    const tokenPath = (uuid: string) => `/api/0/sentry-app-installations/${uuid}/authorizations/`;
    const manualRefresh = async ({ app, installation }: (typeof worlds)[number]) =>
      http().post(tokenPath(installation.uuid)).set('Authorization', `Bearer ${await signClientJwt(app)}`).send({ grant_type: JWT_BEARER_GRANT });
    const responses = await together(worlds.length, async (index) => {
      const world = worlds[index]!;
      const { app, installation, pair } = world;
      return Promise.all([
        ...Array.from({ length: 10 }, () => http().post(tokenPath(installation.uuid)).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: pair.refreshToken })),
        ...Array.from({ length: 5 }, () => manualRefresh(world)),
        ...Array.from({ length: 5 }, () => http().post(`/api/0/organizations/${organization.slug}/sentry-app-installations/`).set(bearer(owner.token)).send({ slug: world.fresh.slug })),
        ...Array.from({ length: 5 }, () => http().get(`/api/0/organizations/${world.organization.slug}/`).set(bearer(pair.token))),
      ]);
    });
    racesRun += responses.flat().length;
    return responses.flat().map((response) => response.status);
  }

  // pg 8 warns "Calling client.query() when the client is already executing a query", and pg 9 throws.
  it('never asks one pg client for a second query while its first still runs, under every kind of racing write', async () => {
    const watch = watchOverlappingQueries();
    try {
      expect((await raceEveryWrite(() => t.http())).every((status) => status < 500)).toBe(true);
      // The cache listener's syncs and the janitor's pass hold dedicated clients too.
      await t.app.get(TokenInvalidationListener).caughtUp();
      await t.app.get(JanitorService).run();
    } finally {
      watch.stop();
    }
    expect(watch.overlaps).toEqual([]);
  });

  // Found by this test once the listener's heartbeat arrived: every 5 s it pinged the connection
  // a sync could be using. The heartbeat is called here where it would collide, both ways round.
  it("never puts the cache listener's heartbeat and a sync on its connection at once", async () => {
    const listener = t.app.get(TokenInvalidationListener);
    const internals = listener as unknown as { client?: object; pongDue?: object; ping(client?: object): void };
    const heartbeat = async () => {
      while (internals.pongDue) await new Promise((resolve) => setTimeout(resolve, 5));
      internals.ping(internals.client);
    };
    const watch = watchOverlappingQueries();
    try {
      const syncing = listener.caughtUp();
      await heartbeat();
      await syncing;
      await heartbeat();
      await listener.caughtUp();
    } finally {
      watch.stop();
    }
    expect(watch.overlaps).toEqual([]);
    expect(t.app.get(TokenCache).online).toBe(true);
  });

  it('and the built server prints no such warning under the same race', async () => {
    const server = await spawnServer(t.schema, { RATE_LIMIT_TOKEN_PER_MINUTE: '100000', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000' });
    try {
      expect((await raceEveryWrite(() => request(`http://127.0.0.1:${server.port}`))).every((status) => status < 500)).toBe(true);
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    expect(server.output()).not.toMatch(/DeprecationWarning|already executing a query/);
  });
});
