import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, install } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { hookedApp, outboxIdle, requestLog, waitFor, WebhookReceiver } from './support/webhook-receiver.js';

// Backoff counted in the test clock: retries become due when the test moves it.
describe('webhook retries', () => {
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (behaviour?: ConstructorParameters<typeof WebhookReceiver>[0]) => {
    const started = await new WebhookReceiver(behaviour).start(0);
    receivers.push(started);
    return started;
  };
  beforeAll(async () => {
    t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '20', WEBHOOK_BACKOFF_BASE_SECONDS: '60', WEBHOOK_TIMEOUT_MS: '300' });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });
  afterAll(() => t.close());

  it('delivers after a retry once a receiver that was down comes up, with the same Request-ID', async () => {
    const down = await receiver();
    const hooked = await hookedApp(t, down);
    await down.stop();
    const installation = await install(t, hooked.owner, hooked.organization, hooked.app);
    await waitFor('a failed first attempt', async () => (await requestLog(t, hooked))[0]?.attempts === 1 && (await outboxIdle(t)));
    expect((await requestLog(t, hooked))[0]).toMatchObject({ status: 'retrying', responseCode: null, attempts: 1 });

    await down.start();
    t.clock.advance(60);
    await waitFor('the retry', async () => (await requestLog(t, hooked))[0]?.status === 'delivered');
    expect(down.received).toHaveLength(1);
    expect(down.received[0].signatureValid).toBe(true);
    const [{ request_id }] = await t.dataSource.query<{ request_id: string }[]>(
      `SELECT d.request_id FROM webhook_deliveries d JOIN sentry_app_installations i ON i.id = d.installation_id WHERE i.uuid = $1`, [installation.uuid]);
    expect(down.received[0].headers['request-id']).toBe(request_id);
    expect((await requestLog(t, hooked))[0]).toMatchObject({ status: 'delivered', responseCode: 200, attempts: 2 });
  });

  it('delivers on the sixth attempt to a receiver that answers 500 five times, each attempt logged', async () => {
    const flaky = await receiver((n) => (n <= 5 ? 500 : 200));
    const hooked = await hookedApp(t, flaky);
    await install(t, hooked.owner, hooked.organization, hooked.app);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await waitFor(`attempt ${attempt}`, async () => flaky.answered().length === attempt && (await outboxIdle(t)));
      expect((await requestLog(t, hooked))[0]).toMatchObject({ status: 'retrying', responseCode: 500, attempts: attempt });
      // Exponential: not due before base × 2^(n-1), due right after.
      t.clock.advance(60 * 2 ** (attempt - 1) - 5);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(flaky.received).toHaveLength(attempt);
      t.clock.advance(5);
    }
    await waitFor('delivery', async () => (await requestLog(t, hooked))[0]?.status === 'delivered');
    expect((await requestLog(t, hooked))[0]).toMatchObject({ status: 'delivered', responseCode: 200, attempts: 6 });
    expect(new Set(flaky.received.map((r) => r.headers['request-id'])).size).toBe(1);
    expect(flaky.received.every((r) => r.signatureValid && r.raw.equals(flaky.received[0].raw))).toBe(true);
  });

  it('gives up as failed after WEBHOOK_MAX_ATTEMPTS, and does not follow redirects', async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver(() => ({ status: 302, headers: { Location: elsewhere.url } }));
    const hooked = await hookedApp(t, redirecting);
    await install(t, hooked.owner, hooked.organization, hooked.app);
    for (let attempt = 1; attempt <= 6; attempt++) {
      await waitFor(`attempt ${attempt}`, async () => redirecting.answered().length === attempt && (await outboxIdle(t)));
      t.clock.advance(60 * 2 ** (attempt - 1));
    }
    await waitFor('giving up', async () => (await requestLog(t, hooked))[0]?.status === 'failed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await requestLog(t, hooked))[0]).toMatchObject({ status: 'failed', responseCode: 302, attempts: 6 });
    expect(redirecting.received).toHaveLength(6);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('times out a receiver that takes 10 s, keeps the API fast meanwhile, and delivers on the retry', async () => {
    const slow = await receiver((n) => (n === 1 ? { status: 200, delayMs: 10000 } : 200));
    const hooked = await hookedApp(t, slow);
    const installation = await install(t, hooked.owner, hooked.organization, hooked.app);
    await waitFor('the slow attempt to begin', () => slow.received.length === 1);
    const started = Date.now();
    await t.http().get(`/api/0/organizations/${hooked.organization.slug}/sentry-app-installations/`).set(bearer(hooked.owner.token)).expect(200);
    await install(t, hooked.owner, hooked.organization, hooked.app);
    expect(Date.now() - started).toBeLessThan(1000); // the receiver is still holding its 10 s

    await waitFor('the timeout', () => outboxIdle(t), 3000);
    expect((await requestLog(t, hooked))[0]).toMatchObject({ responseCode: null, status: 'retrying' });
    t.clock.advance(60);
    await waitFor('the retry', async () => (await requestLog(t, hooked))[0]?.status === 'delivered');
    expect(slow.received.map((r) => r.body.installation.uuid)).toEqual([installation.uuid, installation.uuid]);
    expect(slow.received[1].headers['request-id']).toBe(slow.received[0].headers['request-id']);
  });
});
