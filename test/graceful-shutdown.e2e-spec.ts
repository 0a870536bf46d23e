import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import pg from 'pg';
import { createOrganization, createSentryApp, createUser, install, type TestInstallation, type TestSentryApp } from './support/factories.js';
import { RawHttp } from './support/raw-http.js';
import { schemaUrl, spawnServer } from './support/spawned-server.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const IN_FLIGHT = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request on a new connection: after SIGTERM it must be refused, or answered 503 {detail}. */
function freshRequest(port: number): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/api/0/internal/health/', agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

/** What a clean stop prints: the janitor and the webhook worker stop before the pool closes. */
function expectCleanStop(output: string): void {
  expect(output).toContain('SIGTERM: finishing in-flight requests, then stopping');
  expect(output).toContain('Janitor stopped');
  expect(output).toContain('Webhook worker stopped');
  expect(output).not.toMatch(/\bERROR\b|Error:|Unhandled|ECONNREFUSED|Connection terminated/);
}

describe('graceful shutdown', () => {
  let t: TestApp;
  let apps: { app: TestSentryApp; installation: TestInstallation }[];
  beforeAll(async () => {
    t = await createTestApp();
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    apps = [];
    for (let index = 0; index < IN_FLIGHT; index += 1) {
      const app = await createSentryApp(t, owner, organization);
      apps.push({ app, installation: await install(t, owner, organization, app) });
    }
  }, 60_000);
  afterAll(() => t.close());

  it('on SIGTERM finishes the requests in flight, refuses new ones, and exits 0 within 10 s', async () => {
    const server = await spawnServer(t.schema, { LOG_LEVEL: 'info', DATABASE_POOL_SIZE: String(IN_FLIGHT + 5) });
    const client = new RawHttp(server.port, IN_FLIGHT);
    // Exchanges wait on this lock inside the database: they stay in flight for as long as the test holds it.
    const blocker = new pg.Client({ connectionString: schemaUrl(t.schema) });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE api_grants IN ACCESS EXCLUSIVE MODE');
      const inFlight = apps.map(({ app, installation }) => client.send({
        method: 'POST',
        path: `/api/0/sentry-app-installations/${installation.uuid}/authorizations/`,
        headers: [['Content-Type', 'application/json']],
        body: JSON.stringify({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: installation.code }),
      }, 15000));
      const waiting = async () => (await blocker.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'api_grants'::regclass")).rows[0]!.n;
      for (let tries = 0; (await waiting()) < IN_FLIGHT && tries < 200; tries += 1) await sleep(25);
      expect(await waiting()).toBe(IN_FLIGHT);

      const signalled = Date.now();
      server.process.kill('SIGTERM');
      await sleep(500);
      expect(server.process.exitCode).toBeNull();
      const late = await freshRequest(server.port);
      if ('status' in late) expect({ status: late.status, body: JSON.parse(late.body) }).toEqual({ status: 503, body: { detail: expect.any(String) } });
      else expect(late.error).toBe('ECONNREFUSED');

      await blocker.query('COMMIT');
      const responses = await Promise.all(inFlight);
      expect(responses.map((response) => response.status)).toEqual(apps.map(() => 201));
      const exit = await server.exited;
      console.log(`reliability: SIGTERM with ${IN_FLIGHT} requests in flight: all answered, exit ${exit.code} after ${exit.at - signalled} ms`);
      expect(exit.code).toBe(0);
      expect(exit.at - signalled).toBeLessThan(10000);
      expectCleanStop(server.output());
      // The tokens the server issued while stopping were committed, and work.
      const [{ live }] = await t.dataSource.query('SELECT count(*)::int AS live FROM api_tokens WHERE revoked_at IS NULL');
      expect(live).toBe(IN_FLIGHT);
      for (const response of responses) {
        await t.http().get('/api/0/users/me/').set('Authorization', `Bearer ${(response.json as { token: string }).token}`).expect(200);
      }
    } finally {
      client.close();
      await blocker.end();
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
    }
  }, 40_000);
});
