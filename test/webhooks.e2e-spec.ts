import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMember, bearer, createOrganization, createUser, exchange, install } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { hookedApp, requestLog, waitFor, WebhookReceiver } from './support/webhook-receiver.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('installation webhooks', () => {
  let t: TestApp;
  const receiver = new WebhookReceiver();
  beforeAll(async () => {
    await receiver.start(0);
    t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '20', WEBHOOK_BACKOFF_BASE_SECONDS: '60' });
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('sends installation.created with the code, signed with the client secret over the exact body', async () => {
    const hooked = await hookedApp(t, receiver);
    const { owner, organization, app } = hooked;
    const before = Math.floor(Date.now() / 1000);
    const installation = await install(t, owner, organization, app);
    await waitFor('the webhook', () => receiver.received.some((r) => r.body?.installation?.uuid === installation.uuid && r.status === 200));
    const hook = receiver.received.find((r) => r.body.installation.uuid === installation.uuid)!;

    expect(hook.signatureValid).toBe(true);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['request-id']).toMatch(UUID);
    expect(hook.headers['sentry-hook-resource']).toBe('installation');
    expect(Number(hook.headers['sentry-hook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(Number(hook.headers['sentry-hook-timestamp'])).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(hook.body).toEqual({
      action: 'created',
      installation: { uuid: installation.uuid },
      data: {
        installation: {
          uuid: installation.uuid,
          app: { uuid: app.uuid, slug: app.slug },
          organization: { id: organization.id, slug: organization.slug },
          status: 'pending',
          code: installation.code,
        },
      },
      actor: { type: 'user', id: owner.id, name: owner.email },
    });
    // The code travels in the webhook, yet the outbox never held it.
    const stored = await t.dataSource.query<{ row: string }[]>('SELECT d::text AS row FROM webhook_deliveries d');
    expect(stored.some(({ row }) => row.includes(installation.code!))).toBe(false);
    // The code it carries is the one that works.
    await exchange(t, app, installation).expect(201);
  });

  it('sends installation.deleted, without a code, on behalf of the user who uninstalled', async () => {
    const hooked = await hookedApp(t, receiver, { verifyInstall: false });
    const { owner, organization, app } = hooked;
    const manager = await addMember(t, organization, owner, 'manager');
    const installation = await install(t, owner, organization, app);
    await t.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(manager.token)).expect(204);
    await waitFor('both webhooks', () => receiver.answered().filter((r) => r.body.installation.uuid === installation.uuid).length === 2);

    const deleted = receiver.received.find((r) => r.body.installation.uuid === installation.uuid && r.body.action === 'deleted')!;
    expect(deleted.signatureValid).toBe(true);
    expect(deleted.body.data.installation).toEqual({
      uuid: installation.uuid,
      app: { uuid: app.uuid, slug: app.slug },
      organization: { id: organization.id, slug: organization.slug },
      status: 'installed',
    });
    expect(deleted.body.actor).toEqual({ type: 'user', id: manager.id, name: manager.email });
    const log = await requestLog(t, hooked);
    expect(log.map((entry) => entry.eventType)).toEqual(['installation.deleted', 'installation.created']);
  });

  it('sends nothing for an app without a webhookUrl, and nothing again for an existing installation', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const silent = await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: 'silent app', organization: organization.slug, scopes: [] }).expect(201);
    await install(t, owner, organization, silent.body);
    const hooked = await hookedApp(t, receiver);
    await install(t, hooked.owner, hooked.organization, hooked.app);
    await install(t, hooked.owner, hooked.organization, hooked.app);
    await waitFor('the webhook', async () => (await requestLog(t, hooked))[0]?.status === 'delivered');

    expect(await requestLog(t, hooked)).toHaveLength(1);
    const none = await t.http().get(`/api/0/sentry-apps/${silent.body.slug}/requests/`).set(bearer(owner.token)).expect(200);
    expect(none.body).toEqual([]);
  });

  it('retries with the same Request-ID and bytes, signed with the secret current at each attempt', async () => {
    const hooked = await hookedApp(t, receiver);
    const { owner, organization, app } = hooked;
    const first = receiver.received.length;
    receiver.behaviour = (n) => (n === first + 1 ? 500 : 200);
    try {
      const installation = await install(t, owner, organization, app);
      await waitFor('the first attempt', async () => (await requestLog(t, hooked))[0]?.attempts === 1 && receiver.answered(500).length > 0);
      const rotated = await t.http().post(`/api/0/sentry-apps/${app.slug}/rotate-secret/`).set(bearer(owner.token)).expect(200);
      receiver.secrets.set(app.slug, rotated.body.clientSecret);
      t.clock.advance(60);
      await waitFor('the retry', () => receiver.answered(200).some((r) => r.body.installation.uuid === installation.uuid));

      const [failed, retried] = receiver.received.filter((r) => r.body.installation.uuid === installation.uuid);
      expect(retried.headers['request-id']).toBe(failed.headers['request-id']);
      expect(retried.raw.equals(failed.raw)).toBe(true);
      expect(retried.signatureValid).toBe(true);
      expect(retried.headers['sentry-hook-signature']).not.toBe(failed.headers['sentry-hook-signature']);
    } finally {
      receiver.behaviour = () => 200;
    }
  });

  it('adds redirectUrl to the install response while it shows a code', async () => {
    const hooked = await hookedApp(t, receiver, { redirectUrl: 'https://integration.example.com/setup?step=2' });
    const { owner, organization, app } = hooked;
    const installation = await install(t, owner, organization, app);
    const redirect = new URL((installation as unknown as { redirectUrl: string }).redirectUrl);
    expect(`${redirect.origin}${redirect.pathname}`).toBe('https://integration.example.com/setup');
    expect(Object.fromEntries(redirect.searchParams)).toEqual({ step: '2', code: installation.code, installationId: installation.uuid, orgSlug: organization.slug });

    await exchange(t, app, installation).expect(201);
    const again = await install(t, owner, organization, app);
    expect(again.code).toBeNull();
    expect(again).not.toHaveProperty('redirectUrl');
    const plain = await hookedApp(t, receiver);
    expect(await install(t, plain.owner, plain.organization, plain.app)).not.toHaveProperty('redirectUrl');
  });

  it('shows the request log to members of the owner organization only, newest first', async () => {
    const hooked = await hookedApp(t, receiver, { verifyInstall: false });
    const { owner, organization, app } = hooked;
    const superuser = await createUser(t, { superuser: true });
    const elsewhere = await createOrganization(t, superuser);
    await install(t, owner, organization, app);
    await install(t, superuser, elsewhere, app);
    await waitFor('both webhooks', async () => (await requestLog(t, hooked)).filter((entry) => entry.status === 'delivered').length === 2);

    const log = await requestLog(t, hooked);
    expect(log).toEqual([
      { date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), eventType: 'installation.created', webhookUrl: receiver.url, responseCode: 200, organization: { slug: elsewhere.slug }, attempts: 1, status: 'delivered' },
      { date: expect.any(String), eventType: 'installation.created', webhookUrl: receiver.url, responseCode: 200, organization: { slug: organization.slug }, attempts: 1, status: 'delivered' },
    ]);
    expect(Date.parse(log[0].date)).toBeGreaterThanOrEqual(Date.parse(log[1].date));

    const member = await addMember(t, organization, owner, 'member');
    await t.http().get(`/api/0/sentry-apps/${app.slug}/requests/`).set(bearer(member.token)).expect(200);
    const outsider = await createUser(t);
    await t.http().get(`/api/0/sentry-apps/${app.slug}/requests/`).set(bearer(outsider.token)).expect(403);
    await t.http().get('/api/0/sentry-apps/no-such-app/requests/').set(bearer(owner.token)).expect(404);
    await t.http().get(`/api/0/sentry-apps/${app.slug}/requests/`).expect(401);
  });
});
