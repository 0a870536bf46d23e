import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { randomHex } from '../src/common/crypto.js';
import { freeLoopbackPort } from '../src/database/embedded-postgres.js';
import { admin, TEST_SECRET_KEY } from './support/test-app.js';
import { waitFor, WebhookReceiver } from './support/webhook-receiver.js';

// The real server, as `npm start` runs it, in a process of its own that the test can kill -9.
describe('webhooks across a crash of the server process', () => {
  const schema = `t_crash_${randomHex(4)}`;
  const receiver = new WebhookReceiver(() => 'hang');
  const children: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let base: string;
  let stdout = '';

  const startServer = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await waitFor('the server to start', async () => {
      if (child.exitCode !== null) throw new Error(`The server exited: ${stdout}`);
      return fetch(`${base}/internal/health/`).then((response) => response.ok, () => false);
    }, 15000);
    return child;
  };

  beforeAll(async () => {
    await receiver.start(0);
    await admin(`CREATE SCHEMA ${schema}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const port = await freeLoopbackPort();
    base = `http://127.0.0.1:${port}/api/0`;
    env = {
      PATH: process.env.PATH, DATABASE_URL: url.toString(), SECRET_KEY: TEST_SECRET_KEY, PORT: String(port), LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_BACKOFF_BASE_SECONDS: '0.2',
    };
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver.stop();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('delivers every pending and in-flight webhook after a SIGKILL and a restart', async () => {
    const first = await startServer();
    const printed = /shown only this once:\s+(\S+)/;
    await waitFor('the initial superuser token', () => printed.test(stdout));
    const token = printed.exec(stdout)![1];
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
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

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
    second.kill('SIGTERM');
    const code = await new Promise((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    expect(receiver.received.at(-1)!.status).toBe(200);
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query('SELECT status, attempts FROM webhook_deliveries ORDER BY id DESC LIMIT 1').finally(() => client.end());
    expect(rows).toEqual([{ status: 'delivered', attempts: 1 }]);
  });
});
