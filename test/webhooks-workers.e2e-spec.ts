import { afterEach, describe, expect, it } from '@jest/globals';
import { bearer, createOrganization, createSentryApp, createUser, install } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { hookedApp, outboxIdle, requestLog, waitFor, WebhookReceiver } from './support/webhook-receiver.js';

const FAST = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '20', WEBHOOK_BACKOFF_BASE_SECONDS: '60' };
// An instance whose worker looks at the outbox once at start and then not for ten minutes.
const IDLE = { ...FAST, WEBHOOK_POLL_INTERVAL_MS: '600000' };

describe('webhook workers', () => {
  const opened: TestApp[] = [];
  const receivers: WebhookReceiver[] = [];
  const open = async (env: Record<string, string>, schema?: string) => {
    const t = await createTestApp(env, schema ? { schema } : {});
    opened.push(t);
    return t;
  };
  afterEach(async () => {
    // The owner of the schema closes last: it drops the schema.
    for (const t of opened.splice(0).reverse()) await t.close();
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  it('two instances sharing one outbox deliver every event, none by both at once', async () => {
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const receiver = await new WebhookReceiver((_n, request) => {
      const id = String(request.headers['request-id']);
      if (inFlight.has(id)) overlaps.push(id);
      inFlight.add(id);
      setTimeout(() => inFlight.delete(id), 40);
      return { status: 200, delayMs: 40 };
    }).start(0);
    receivers.push(receiver);
    const first = await open(FAST);
    const second = await open(FAST, first.schema);

    const owner = await createUser(first);
    const organization = await createOrganization(first, owner);
    const installs = [];
    for (let i = 0; i < 24; i++) {
      const t = i % 2 ? second : first;
      const app = await createSentryApp(t, owner, organization, { webhookUrl: receiver.url });
      receiver.secrets.set(app.slug, app.clientSecret);
      installs.push(install(t, owner, organization, app));
    }
    const uuids = (await Promise.all(installs)).map((installation) => installation.uuid).sort();
    await waitFor('every delivery', async () => receiver.answered(200).length >= 24 && (await outboxIdle(first)));

    expect(overlaps).toEqual([]);
    expect(receiver.received.map((r) => r.body.installation.uuid).sort()).toEqual(uuids);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    const rows = await first.dataSource.query<{ status: string; attempts: number }[]>('SELECT status, attempts FROM webhook_deliveries');
    expect(rows).toHaveLength(24);
    expect(rows.every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true);
  });

  it("lets no app hold up another's webhooks: 40 deliveries to a receiver that never answers take one slot, not all", async () => {
    const hanging = await new WebhookReceiver(() => 'hang').start(0);
    const fast = await new WebhookReceiver(() => 200).start(0);
    receivers.push(hanging, fast);
    const t = await open({ ...FAST, WEBHOOK_TIMEOUT_MS: '5000' });
    // Anyone may make an organization and an app, and install and uninstall it at will.
    const attacker = await createUser(t);
    const own = await createOrganization(t, attacker);
    const app = await createSentryApp(t, attacker, own, { webhookUrl: hanging.url });
    for (let i = 0; i < 20; i++) {
      const installation = await install(t, attacker, own, app);
      await t.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(attacker.token)).expect(204);
    }
    await waitFor('the first attempt to hang', () => hanging.received.length >= 1);
    const victim = await createUser(t);
    const theirs = await createOrganization(t, victim);
    const victimApp = await createSentryApp(t, victim, theirs, { webhookUrl: fast.url });
    fast.secrets.set(victimApp.slug, victimApp.clientSecret);
    await install(t, victim, theirs, victimApp);
    await waitFor("the other app's webhook", () => fast.answered(200).length === 1);
    // Delivered while the hanging app's first attempt still waits out its 5 s: it held one slot.
    expect(hanging.received).toHaveLength(1);
    const [{ queued }] = await t.dataSource.query(`SELECT count(*)::int AS queued FROM webhook_deliveries WHERE status = 'retrying' AND attempts = 0`);
    expect(queued).toBe(39);
  });

  it('on shutdown lets an attempt in flight finish, and one that cannot is retried by the next instance', async () => {
    const receiver = await new WebhookReceiver((n) => (n === 1 ? { status: 200, delayMs: 400 } : n === 2 ? 'hang' : 200)).start(0);
    receivers.push(receiver);
    const owner = await open(IDLE);
    const stopping = await open({ ...FAST, WEBHOOK_TIMEOUT_MS: '800' }, owner.schema);
    const slow = await hookedApp(stopping, receiver);
    const stuck = await hookedApp(stopping, receiver);
    await install(stopping, slow.owner, slow.organization, slow.app);
    await waitFor('the first attempt', () => receiver.received.length === 1);
    await install(stopping, stuck.owner, stuck.organization, stuck.app);
    await waitFor('the second attempt', () => receiver.received.length === 2);

    await stopping.close();
    opened.splice(opened.indexOf(stopping), 1);
    expect(await requestLog(owner, slow)).toEqual([expect.objectContaining({ status: 'delivered', responseCode: 200, attempts: 1 })]);
    expect(await requestLog(owner, stuck)).toEqual([expect.objectContaining({ status: 'retrying', responseCode: null, attempts: 1 })]);
    expect(await outboxIdle(owner)).toBe(true);

    const next = await open(FAST, owner.schema);
    next.clock.advance(60);
    await waitFor('the retry', async () => (await requestLog(next, stuck))[0]?.status === 'delivered');
    expect(receiver.received[2].headers['request-id']).toBe(receiver.received[1].headers['request-id']);
  });
});
