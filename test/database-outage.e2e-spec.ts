import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { freeLoopbackPort, removeEmbeddedPostgres, startEmbeddedPostgres, type DatabaseHandle } from '../src/database/embedded-postgres.js';
import { bearer, createOrganization, createSentryApp, createUser, exchange, install, refresh, type TestInstallation, type TestOrganization, type TestSentryApp } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { HALF_WRITTEN_ROWS, NO_HALF_WRITTEN_ROWS } from './support/token-integrity.js';

// A private PostgreSQL that this test may stop and start: the machine's server is shared.
const CLIENTS = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One integration: exchanges its code once, then refreshes and calls the API, as a real app does. */
interface Integration {
  app: TestSentryApp;
  installation: TestInstallation;
  pair?: { token: string; refreshToken: string };
  /** Set when the exchange answered 503 and its retry found the code used: a grant consumed without a token the client got. */
  lostExchange?: boolean;
}

interface LoadRecord {
  at: number;
  status: number;
  body: unknown;
  retryAfter?: string;
}

describe('database outage: PostgreSQL stops under load and comes back', () => {
  let dataDir: string;
  let port: number;
  let database: DatabaseHandle;
  let t: TestApp;
  let organization: TestOrganization;
  let integrations: Integration[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'authz-outage-'));
    port = await freeLoopbackPort();
    database = await startEmbeddedPostgres(dataDir, { port });
    t = await createTestApp({}, { url: database.url, schema: 'public' });
    const owner = await createUser(t);
    organization = await createOrganization(t, owner);
    integrations = [];
    for (let index = 0; index < CLIENTS; index += 1) {
      const app = await createSentryApp(t, owner, organization);
      integrations.push({ app, installation: await install(t, owner, organization, app) });
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await database?.stop();
    await removeEmbeddedPostgres(dataDir);
  });

  it('answers 503 {detail} while it is down, recovers within 2 s without a restart, and loses nothing', async () => {
    const records: LoadRecord[] = [];
    const record = (response: Response) => {
      records.push({ at: Date.now(), status: response.status, body: response.body, retryAfter: response.headers['retry-after'] });
      return response;
    };
    let loading = true;
    const drive = async (integration: Integration) => {
      for (let step = 0; loading; step += 1) {
        if (!integration.pair && !integration.lostExchange) {
          const response = record(await exchange(t, integration.app, integration.installation));
          if (response.status === 201) integration.pair = response.body;
          if (response.status === 403) integration.lostExchange = true;
        } else if (integration.pair && step % 3 === 0) {
          const response = record(await refresh(t, integration.app, integration.installation, integration.pair.refreshToken));
          if (response.status === 201) integration.pair = response.body;
        } else if (integration.pair) {
          record(await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(integration.pair.token)));
        }
        await sleep(15);
      }
    };
    const load = Promise.all(integrations.map(drive));

    await sleep(600);
    const stopping = Date.now();
    await database.stop();
    const stopped = Date.now();
    await sleep(1200);
    const health = await t.http().get('/api/0/internal/health/');
    expect({ status: health.status, body: health.body }).toEqual({ status: 503, body: { ok: false, db: 'down' } });
    const during = records.filter((entry) => entry.at > stopped);

    database = await startEmbeddedPostgres(dataDir, { port });
    const started = Date.now();
    let recoveredAt = 0;
    while (Date.now() - started < 5000) {
      if ((await t.http().get('/api/0/internal/health/')).status === 200) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(25);
    }
    const recoveryMs = recoveredAt - started;
    await sleep(800);
    loading = false;
    await load;

    const afterRecovery = records.filter((entry) => entry.at > recoveredAt && entry.status < 300);
    console.log(`reliability: outage of ${started - stopping} ms under load (${records.length} requests, ${during.length} while down); health up again ${recoveryMs} ms after PostgreSQL accepted connections`);
    expect(during.length).toBeGreaterThan(0);
    for (const entry of records.filter((item) => item.status >= 500)) {
      expect(entry).toEqual({ at: expect.any(Number), status: 503, body: { detail: expect.any(String) }, retryAfter: '1' });
    }
    expect(during.every((entry) => entry.status === 503)).toBe(true);
    expect(recoveredAt).toBeGreaterThan(0);
    expect(recoveryMs).toBeLessThan(2000);
    expect(afterRecovery.length).toBeGreaterThan(0);

    // Every token a client holds works; none was consumed or rotated without the client getting the result.
    for (const integration of integrations) {
      expect(integration.lostExchange).toBeUndefined();
      await t.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(integration.pair!.token)).expect(200);
    }
    const [orphans] = await t.dataSource.query(HALF_WRITTEN_ROWS);
    expect(orphans).toEqual(NO_HALF_WRITTEN_ROWS);
  }, 60_000);
});
