import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { openUnder, SecretBox } from '../src/common/crypto.js';
import { SESSION_COOKIE } from '../src/auth/console-sessions.service.js';
import { PasswordLinksService } from '../src/users/password-links.service.js';
import { signIn } from './support/console.js';
import { bearer, createUser, exchange, installedApp, refresh, tokenRequest } from './support/factories.js';
import { leaked, runFullFlow } from './support/full-flow.js';
import { LogCapture } from './support/log-capture.js';
import { spawnServer } from './support/spawned-server.js';
import { createTestApp, TEST_SECRET_KEY, type TestApp } from './support/test-app.js';

const STOLEN_TABLES = ['api_tokens', 'api_grants', 'api_applications', 'personal_tokens', 'console_sessions', 'password_links'];

describe('secrets never reach the logs', () => {
  it('logs none of them during the full flow, in process at every log level', async () => {
    const capture = new LogCapture();
    const t = await createTestApp({}, { logger: capture });
    const untap = capture.tapProcessOutput();
    try {
      const superuser = await createUser(t, { superuser: true });
      const secrets = await runFullFlow(t.http, superuser.token);
      expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(10);
      expect(capture.text()).toContain('Mapped {/api/0/sentry-app-installations/:uuid/authorizations, POST} route');
      expect(leaked(capture.text(), secrets)).toEqual([]);
    } finally {
      untap();
      await t.close();
    }
  });

  it('prints none of them from the built server at LOG_LEVEL=trace, except the first admin token, once', async () => {
    const t = await createTestApp();
    const server = await spawnServer(t.schema, { LOG_LEVEL: 'trace' });
    try {
      const adminToken = server.output().match(/sntryu_[0-9a-f]{64}/)![0];
      // Beside it, once, the link that sets the admin's console password.
      const link = server.output().match(/http:\/\/127\.0\.0\.1:\d+(\/auth\/set-password\/[0-9a-f]{64}\/)/)!;
      await request(`http://127.0.0.1:${server.port}`).get(link[1]!).expect(200);
      const secrets = await runFullFlow(() => request(`http://127.0.0.1:${server.port}`), adminToken);
      server.process.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
      const output = server.output();
      expect(output).toContain('SIGTERM: finishing in-flight requests');
      expect(output.split(adminToken)).toHaveLength(2);
      expect(output.split(link[1]!)).toHaveLength(2);
      expect(leaked(output.replace(adminToken, ''), secrets)).toEqual([]);
    } finally {
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
      await t.close();
    }
  }, 40_000);
});

describe('a stolen copy of the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('holds nothing that authenticates: no token, code, refresh token or client secret', async () => {
    await runFullFlow(t.http, (await createUser(t, { superuser: true })).token);
    // A live installation and its client: any value that worked here would be a usable secret.
    const { app, installation, owner } = await installedApp(t);
    // A refresh inside its retry window: its pair's sealed answer is in the dump too.
    const refreshed = await installedApp(t);
    const first = (await exchange(t, refreshed.app, refreshed.installation).expect(201)).body;
    await refresh(t, refreshed.app, refreshed.installation, first.refreshToken).expect(201);
    // A console session and an unused set-password link, whose stored hashes must open nothing either.
    await signIn(t, owner);
    await t.dataSource.transaction((em) => t.app.get(PasswordLinksService).create(em, owner.id));
    const dump = new Map<string, Record<string, unknown>[]>();
    for (const table of STOLEN_TABLES) dump.set(table, (await t.dataSource.query(`SELECT row_to_json(x) AS row FROM ${table} x`)).map((r: { row: Record<string, unknown> }) => r.row));
    const values = new Set([...dump.values()].flat().flatMap((row) => Object.values(row)).filter((value) => value !== null).map(String));
    expect(values.size).toBeGreaterThan(40);

    // With SECRET_KEY known as well, no stored value opens a sealed answer; the refresh token it answers does.
    const sealed = dump.get('api_tokens')!.filter((row) => row.sealed_answer).map((row) => ({ context: String(row.token_hash), answer: Buffer.from(String(row.sealed_answer).slice(2), 'hex') }));
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    expect(sealed.some(({ context, answer }) => openUnder(first.refreshToken, context, answer))).toBe(true);
    const keys = [...values, TEST_SECRET_KEY];
    expect(sealed.flatMap(({ context, answer }) => keys.filter((key) => openUnder(key, context, answer)))).toEqual([]);

    const clientIds = dump.get('api_applications')!.map((row) => String(row.client_id));
    const refused: number[] = [];
    for (const value of values) {
      refused.push((await t.http().get('/api/0/users/me/').set('Authorization', `Bearer ${value}`)).status);
      // The console refuses a cookie by sending the browser to sign in.
      const page = await t.http().get('/organizations/').set('Cookie', `${SESSION_COOKIE}=${value}`);
      refused.push(page.status === 303 && page.headers.location.startsWith('/auth/login/') ? 401 : page.status);
      if (/^[\w-]+$/.test(value)) refused.push((await t.http().get(`/auth/set-password/${value}/`)).status);
      const client = { client_id: app.clientId, client_secret: app.clientSecret };
      refused.push((await tokenRequest(t, installation.uuid).send({ ...client, grant_type: 'authorization_code', code: value })).status);
      refused.push((await tokenRequest(t, installation.uuid).send({ ...client, grant_type: 'refresh_token', refresh_token: value })).status);
      for (const clientId of clientIds) {
        refused.push((await tokenRequest(t, installation.uuid).send({ client_id: clientId, client_secret: value, grant_type: 'authorization_code', code: installation.code })).status);
      }
    }
    console.log(`reliability: stolen database: ${values.size} stored values tried ${refused.length} ways, none authenticated; ${sealed.length} sealed refresh answers, none opened by a stored value or SECRET_KEY`);
    expect(refused.filter((status) => status < 400)).toEqual([]);
    // The code was never consumed by those attempts: the real one still works.
    const real = await tokenRequest(t, installation.uuid).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: installation.code });
    expect(real.status).toBe(201);
    await t.http().get('/api/0/users/me/').set(bearer(real.body.token)).expect(200);
  }, 60_000);

  it('keeps a sealed refresh answer only while a retry could use it: rotating its pair erases it', async () => {
    const { app, installation } = await installedApp(t);
    const first = (await exchange(t, app, installation).expect(201)).body;
    const second = (await refresh(t, app, installation, first.refreshToken).expect(201)).body;
    const third = (await refresh(t, app, installation, second.refreshToken).expect(201)).body;
    const rows = await t.dataSource.query<{ id: string; sealed: boolean }[]>('SELECT id, sealed_answer IS NOT NULL AS sealed FROM api_tokens WHERE id IN ($1, $2, $3) ORDER BY id', [first.id, second.id, third.id]);
    expect(rows.map((row) => row.sealed)).toEqual([false, false, true]);
  });

  it('cannot be turned into client secrets or grant codes without SECRET_KEY', async () => {
    const { app, installation } = await installedApp(t);
    const thief = new SecretBox('a-different-secret-key-of-32-characters-or-more');
    const [stored] = await t.dataSource.query('SELECT a.client_secret_encrypted FROM api_applications a WHERE a.client_id = $1', [app.clientId]);
    expect(stored.client_secret_encrypted).not.toContain(app.clientSecret);
    expect(() => thief.decrypt(stored.client_secret_encrypted)).toThrow();
    const [grant] = await t.dataSource.query('SELECT g.id FROM api_grants g JOIN sentry_app_installations i ON i.id = g.installation_id WHERE i.uuid = $1', [installation.uuid]);
    const forged = await tokenRequest(t, installation.uuid).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: thief.grantCode(grant.id) });
    expect(forged.status).toBe(403);
    expect(forged.body.error).toBe('invalid_grant');
  });
});
