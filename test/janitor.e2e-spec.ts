import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ConsoleSessionsService } from '../src/auth/console-sessions.service.js';
import { JanitorService } from '../src/janitor/janitor.service.js';
import { PasswordLinksService } from '../src/users/password-links.service.js';
import { callsOrganization, createUser, exchange, installedApp, refresh, storedPairs } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const HOURS = 3600;

describe('the janitor', () => {
  let t: TestApp;
  let janitor: JanitorService;
  beforeAll(async () => {
    t = await createTestApp({ JANITOR_BATCH_SIZE: '2' });
    janitor = t.app.get(JanitorService);
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[]) => (await t.dataSource.query(sql, params))[0].n as number;
  const tokensOf = (uuid: string) => storedPairs(t, uuid);
  const grantsOf = (uuid: string) => count('SELECT count(*)::int AS n FROM api_grants g JOIN sentry_app_installations i ON i.id = g.installation_id WHERE i.uuid = $1', [uuid]);

  it('keeps a family, and its reuse detection, until the whole family has expired', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    t.clock.advance(9 * HOURS);
    try {
      await janitor.run();
      expect(await tokensOf(installation.uuid)).toBe(2);
      await refresh(t, app, installation, first.refreshToken).expect(403);
      expect(await callsOrganization(t, organization.slug, second.token)).toBe(401);
      await refresh(t, app, installation, second.refreshToken).expect(403);
      expect(await grantsOf(installation.uuid)).toBe(1);
      const report = await janitor.run();
      expect(report.skipped).toBe(false);
      expect(await tokensOf(installation.uuid)).toBe(0);
      expect(await grantsOf(installation.uuid)).toBe(0);
    } finally {
      t.clock.advance(-9 * HOURS);
    }
  });

  it('never deletes a family with a live pair, however old its access token', async () => {
    const { app, installation } = await installedApp(t);
    const pair = (await exchange(t, app, installation).expect(201)).body;
    t.clock.advance(30 * 24 * HOURS);
    try {
      await janitor.run();
      expect(await tokensOf(installation.uuid)).toBe(1);
      await refresh(t, app, installation, pair.refreshToken).expect(201);
    } finally {
      t.clock.advance(-30 * 24 * HOURS);
    }
  });

  it('erases the sealed answers to refresh retries once the grace window has closed, and nothing else', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const sealed = async () => (await t.dataSource.query('SELECT sealed_answer IS NOT NULL AS sealed FROM api_tokens WHERE id = $1', [second.id]))[0].sealed as boolean;
    await janitor.run();
    expect(await sealed()).toBe(true);
    await refresh(t, app, installation, first.refreshToken).expect(201);
    t.clock.advance(60);
    try {
      expect((await janitor.run()).sealedAnswers).toBeGreaterThanOrEqual(1);
      expect(await sealed()).toBe(false);
      expect(await tokensOf(installation.uuid)).toBe(2);
      expect(await callsOrganization(t, organization.slug, second.token)).toBe(200);
      await refresh(t, app, installation, second.refreshToken).expect(201);
    } finally {
      t.clock.advance(-60);
    }
  });

  it('deletes expired grants that were never exchanged, in batches', async () => {
    const installs = await Promise.all([1, 2, 3, 4, 5].map(() => installedApp(t)));
    t.clock.advance(601);
    try {
      const fresh = await installedApp(t);
      const report = await janitor.run();
      expect(report.grants).toBeGreaterThanOrEqual(5);
      for (const { installation } of installs) expect(await grantsOf(installation.uuid)).toBe(0);
      expect(await grantsOf(fresh.installation.uuid)).toBe(1);
      await exchange(t, fresh.app, fresh.installation).expect(201);
    } finally {
      t.clock.advance(-601);
    }
  });

  it('clears finished webhook deliveries after the retention period, never one still retrying', async () => {
    const { installation } = await installedApp(t);
    const [{ id: installationId, sentry_app_id: appId }] = await t.dataSource.query('SELECT id, sentry_app_id FROM sentry_app_installations WHERE uuid = $1', [installation.uuid]);
    const insert = (status: string) =>
      t.dataSource.query(
        `INSERT INTO webhook_deliveries (request_id, sentry_app_id, installation_id, event_type, webhook_url, payload, status, next_attempt_at, last_attempt_at)
         VALUES (gen_random_uuid(), $1, $2, 'installation.created', 'https://example.com', '{}', $3, now(), now()) RETURNING id`,
        [appId, installationId, status],
      );
    const [[delivered], [retrying]] = [await insert('delivered'), await insert('retrying')];
    const remaining = async () => (await t.dataSource.query('SELECT id FROM webhook_deliveries WHERE id IN ($1, $2)', [delivered.id, retrying.id])).map((row: { id: string }) => row.id);
    await janitor.run();
    expect(await remaining()).toHaveLength(2);
    t.clock.advance(31 * 24 * HOURS);
    try {
      expect((await janitor.run()).webhookDeliveries).toBeGreaterThanOrEqual(1);
      expect(await remaining()).toEqual([retrying.id]);
    } finally {
      t.clock.advance(-31 * 24 * HOURS);
    }
  });

  it('deletes console sessions past their idle or absolute expiry, and keeps a live one', async () => {
    const sessions = t.app.get(ConsoleSessionsService);
    const { id: userId } = await createUser(t);
    const [active, idle] = [await sessions.start(userId), await sessions.start(userId)];
    const live = () => count('SELECT count(*)::int AS n FROM console_sessions WHERE user_id = $1', [userId]);
    let advanced = 0;
    const advance = (seconds: number) => { t.clock.advance(seconds); advanced += seconds; };
    try {
      advance(7000);
      expect(await sessions.resolve(active.cookieValue)).not.toBeNull();
      advance(1000);
      // Idle for 8000 s against SESSION_IDLE_SECONDS=7200: gone; the active one stays.
      expect((await janitor.run()).sessions).toBeGreaterThanOrEqual(1);
      expect(await live()).toBe(1);
      expect(await sessions.resolve(idle.cookieValue)).toBeNull();
      // Used every hour, it still ends SESSION_MAX_AGE_SECONDS (12 hours) after sign-in.
      while (advanced < 43200) {
        expect(await sessions.resolve(active.cookieValue)).not.toBeNull();
        advance(3600);
      }
      await janitor.run();
      expect(await live()).toBe(0);
    } finally {
      t.clock.advance(-advanced);
    }
  });

  it('deletes set-password links once used or expired, and keeps one that still works', async () => {
    const links = t.app.get(PasswordLinksService);
    const { id: userId } = await createUser(t);
    const [used, unused] = [await links.create(t.dataSource.manager, userId), await links.create(t.dataSource.manager, userId)];
    await t.dataSource.transaction((em) => links.consume(em, used));
    const remaining = () => count('SELECT count(*)::int AS n FROM password_links WHERE user_id = $1', [userId]);
    expect((await janitor.run()).passwordLinks).toBeGreaterThanOrEqual(1);
    expect(await remaining()).toBe(1);
    expect(await links.peek(unused)).toBe(userId);
    t.clock.advance(25 * HOURS);
    try {
      await janitor.run();
      expect(await remaining()).toBe(0);
    } finally {
      t.clock.advance(-25 * HOURS);
    }
  });

  it('skips a pass while another instance holds the janitor lock', async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${t.schema}` });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7401003, hashtext(current_schema()))');
      expect(await janitor.run()).toEqual({ skipped: true, tokens: 0, grants: 0, jwtIds: 0, webhookDeliveries: 0, sealedAnswers: 0, sessions: 0, passwordLinks: 0 });
      await client.query('SELECT pg_advisory_unlock(7401003, hashtext(current_schema()))');
      expect((await janitor.run()).skipped).toBe(false);
    } finally {
      await client.end();
    }
  });
});
