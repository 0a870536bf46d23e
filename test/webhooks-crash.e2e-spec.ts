import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { randomHex } from '../src/common/crypto.js';
import { schemaUrl, spawnServer, type SpawnedServer } from './support/spawned-server.js';
import { admin } from './support/test-app.js';
import { waitFor, WebhookReceiver } from './support/webhook-receiver.js';

// The real server, as `npm start` runs it, in a process of its own that the test can kill -9.
describe('webhooks across a crash of the server process', () => {
  const schema = `t_crash_${randomHex(4)}`;
  const receiver = new WebhookReceiver(() => 'hang');
  const servers: SpawnedServer[] = [];
  const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_BACKOFF_BASE_SECONDS: '0.2' };
  let base: string;

  const startServer = async (): Promise<SpawnedServer> => {
    const server = await spawnServer(schema, env);
    servers.push(server);
    base = `http://127.0.0.1:${server.port}/api/0`;
    return server;
  };

  beforeAll(async () => {
    await receiver.start(0);
    await admin(`CREATE SCHEMA ${schema}`);
  });

  afterAll(async () => {
    for (const { process: child } of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver.stop();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('delivers every pending and in-flight webhook after a SIGKILL and a restart', async () => {
    const first = await startServer();
    const printed = /shown only this once:\s+(\S+)/;
    await waitFor('the initial superuser token', () => printed.test(first.output()));
    const token = printed.exec(first.output())![1];
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBeLessThan(300);
      return (await response.json()) as Record<string, string>;
    };
    const org = await call('/organizations/', { name: 'Crash', slug: `crash-${randomHex(3)}` });
    const installUuids: string[] = [];
    const installOne = async () => {
      const app = await call('/sentry-apps/', { name: `crash app ${randomHex(3)}`, organization: org.slug, scopes: [], webhookUrl: receiver.url });
      receiver.secrets.set(app.slug, app.clientSecret);
      installUuids.push((await call(`/organizations/${org.slug}/sentry-app-installations/`, { slug: app.slug })).uuid);
      return app.slug as string;
    };

    // Three attempts in flight (the receiver holds them), two more just committed: then kill -9.
    const slugs = [await installOne(), await installOne(), await installOne()];
    await waitFor('three attempts in flight', () => receiver.received.length === 3);
    slugs.push(await installOne(), await installOne());
    first.process.kill('SIGKILL');
    await first.exited;

    receiver.behaviour = () => 200;
    const second = await startServer();
    await waitFor('every delivery', () => new Set(receiver.answered(200).map((r) => r.body.installation.uuid)).size === 5, 15000);
    expect([...new Set(receiver.answered(200).map((r) => r.body.installation.uuid))].sort()).toEqual([...installUuids].sort());
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    const answered = receiver.received.length;
    for (const slug of slugs) {
      const log = await (await fetch(`${base}/sentry-apps/${slug}/requests/`, { headers: { Authorization: `Bearer ${token}` } })).json();
      expect(log).toEqual([expect.objectContaining({ status: 'delivered', responseCode: 200 })]);
    }

    // A clean stop, for contrast: SIGTERM lets the attempt in flight finish and record, then exits 0.
    receiver.behaviour = () => ({ status: 200, delayMs: 500 });
    await installOne();
    await waitFor('an attempt in flight', () => receiver.received.length === answered + 1);
    second.process.kill('SIGTERM');
    const { code } = await second.exited;
    expect(code).toBe(0);
    expect(receiver.received.at(-1)!.status).toBe(200);
    const client = new pg.Client({ connectionString: schemaUrl(schema) });
    await client.connect();
    const { rows } = await client.query('SELECT status, attempts FROM webhook_deliveries ORDER BY id DESC LIMIT 1').finally(() => client.end());
    expect(rows).toEqual([{ status: 'delivered', attempts: 1 }]);
  });
});
