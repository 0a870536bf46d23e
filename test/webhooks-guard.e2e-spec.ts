import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { install } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { hookedApp, outboxIdle, requestLog, waitFor, WebhookReceiver } from './support/webhook-receiver.js';

describe('webhook target guard (WEBHOOK_ALLOW_PRIVATE off, the default)', () => {
  let t: TestApp;
  const receiver = new WebhookReceiver();
  beforeAll(async () => {
    await receiver.start(0);
    t = await createTestApp({ WEBHOOK_POLL_INTERVAL_MS: '20' });
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it.each([
    ['an IP literal', (port: number) => `http://127.0.0.1:${port}/hooks`],
    ['a name that resolves to loopback', (port: number) => `http://localhost:${port}/hooks`],
  ])('marks a target given as %s blocked and never calls it', async (_kind, url) => {
    const hooked = await hookedApp(t, receiver, { webhookUrl: url(receiver.port) });
    await install(t, hooked.owner, hooked.organization, hooked.app);
    await waitFor('the verdict', async () => (await requestLog(t, hooked))[0]?.status === 'blocked' && (await outboxIdle(t)));
    // Blocked is final: it is not retried.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await requestLog(t, hooked)).toEqual([
      expect.objectContaining({ eventType: 'installation.created', webhookUrl: url(receiver.port), status: 'blocked', responseCode: null, attempts: 1 }),
    ]);
    expect(receiver.received).toHaveLength(0);
  });
});
