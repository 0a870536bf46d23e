import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { bearer, createUser, TEST_PASSWORD, type TestUser } from './support/factories.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { outboxIdle, waitFor, WebhookReceiver } from './support/webhook-receiver.js';

/** The integration's own server on loopback: its setup page, where the consent page sends the browser. */
async function startSetupReceiver(): Promise<{ server: Server; url: string; arrivals: URL[] }> {
  const arrivals: URL[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://127.0.0.1');
    arrivals.push(url);
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Issue Tracker setup</title><h1>Issue Tracker is connected</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/setup`, arrivals };
}

async function signIn(page: Page, base: string, user: TestUser): Promise<void> {
  await page.goto(`${base}/auth/login/`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/auth/login'));
}

/** The audit log page's rows, each the lines its cells show but the date and time: event, target, actor, address, details. */
function auditRows(page: Page): Promise<string[][]> {
  return page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')]
    .flatMap((cell) => [...cell.childNodes].map((node) => node.textContent!.trim()).filter(Boolean))
    .slice(2)));
}

describe('the console in a real browser: the journey of an integration', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let setup: Awaited<ReturnType<typeof startSetupReceiver>>;
  const hooks = new WebhookReceiver();

  beforeAll(async () => {
    t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '50' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    [browser, setup] = await Promise.all([launchBrowser(), startSetupReceiver(), hooks.start()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    setup?.server.close();
    await hooks.stop();
    await t?.close();
  });

  it('registers, publishes, installs through consent, exchanges the code, uninstalls and audits', async () => {
    const developer = await createUser(t, { email: 'dev@acme.test', name: 'Dana Developer' });
    const superuser = await createUser(t, { email: 'ops@platform.test', name: 'Olu Operator', superuser: true });
    const admin = await createUser(t, { email: 'admin@globex.test', name: 'Gita Admin' });
    await t.http().post('/api/0/organizations/').set(bearer(admin.token)).send({ name: 'Globex', slug: 'globex' }).expect(201);
    const viewport = { width: 1280, height: 860 };

    // The developer signs in and creates an organization and an app in developer settings.
    const dev = await (await browser.newContext({ viewport })).newPage();
    await dev.goto(`${base}/auth/login/`);
    await screenshot(dev, '01-sign-in');
    await signIn(dev, base, developer);
    await dev.getByRole('link', { name: 'New organization' }).click();
    await dev.getByLabel('Name').fill('Acme');
    await dev.getByRole('button', { name: 'Create organization' }).click();
    expect(await dev.getByRole('status').textContent()).toContain('Acme is created');
    await dev.getByRole('navigation', { name: 'Organization settings' }).getByRole('link', { name: 'Developer settings' }).click();
    await dev.getByRole('link', { name: 'New integration' }).click();
    await dev.getByLabel('Name').fill('Issue Tracker');
    await dev.getByLabel('Author').fill('Acme Labs');
    await dev.getByLabel('Overview').fill('Creates an issue in your tracker for every new Sentry issue, and links the two.');
    await dev.getByLabel('Webhook URL').fill(hooks.url);
    await dev.getByLabel('Redirect URL').fill(setup.url);
    await dev.getByLabel('Verify install').uncheck();
    await dev.locator('input[name="scope:event:read"]').check();
    await screenshot(dev, '02-new-integration');
    await dev.getByRole('button', { name: 'Create integration' }).click();
    await dev.waitForURL(`${base}/settings/acme/developer-settings/issue-tracker/`);

    // The secret is shown once, and not after a reload.
    const clientId = (await dev.locator('#client-id').textContent())!.trim();
    const clientSecret = (await dev.locator('#client-secret').textContent())!.trim();
    expect(clientId).toMatch(/^[0-9a-f]{64}$/);
    expect(clientSecret).toMatch(/^[0-9a-f]{64}$/);
    await screenshot(dev, '03-client-secret-once');
    await dev.reload();
    expect(await dev.locator('#client-secret').count()).toBe(0);
    expect(await dev.content()).not.toContain(clientSecret);
    hooks.secrets.set('issue-tracker', clientSecret);

    // A superuser publishes it.
    const ops = await (await browser.newContext({ viewport })).newPage();
    await signIn(ops, base, superuser);
    await ops.getByRole('link', { name: 'Publish' }).click();
    await ops.getByRole('button', { name: 'Publish Issue Tracker' }).click();
    expect(await ops.getByRole('status').textContent()).toContain('Issue Tracker is published');
    await screenshot(ops, '04-publish');

    // An owner of another organization installs it on the consent page, arriving from the integration's link.
    const globex = await (await browser.newContext({ viewport })).newPage();
    await globex.goto(`${base}/sentry-apps/issue-tracker/external-install/`);
    expect(new URL(globex.url()).pathname).toBe('/auth/login/');
    await globex.getByLabel('Email').fill(admin.email);
    await globex.getByLabel('Password').fill(TEST_PASSWORD);
    await globex.getByLabel('Password').press('Enter');
    await globex.waitForURL(`${base}/sentry-apps/issue-tracker/external-install/`);
    expect(await globex.getByRole('heading', { level: 1 }).textContent()).toBe('Issue Tracker');
    expect(await globex.locator('main').textContent()).toMatch(/By Acme Labs\s+Creates an issue in your tracker/);
    const permissions = await globex.locator('.permissions li').allTextContents();
    expect(permissions.map((line) => line.split(' · ')[0])).toEqual(['Read access to Issue & Event', 'Read access to Organization']);
    expect(await globex.getByLabel('Organization').inputValue()).toBe('globex');
    await screenshot(globex, '05-consent');
    await globex.setViewportSize({ width: 390, height: 844 });
    await screenshot(globex, '05-consent-phone');
    await globex.setViewportSize(viewport);
    await globex.getByRole('button', { name: 'Accept & Install' }).click();

    // The browser arrives at the app's redirect URL with code, installationId and orgSlug.
    await globex.waitForURL((url) => url.href.startsWith(setup.url));
    const arrived = new URL(globex.url());
    expect(arrived.searchParams.get('orgSlug')).toBe('globex');
    expect(arrived.searchParams.get('code')).toMatch(/^[0-9a-f]{64}$/);
    expect(arrived.searchParams.get('installationId')).toMatch(/^[0-9a-f-]{36}$/);
    await screenshot(globex, '06-redirected-to-the-integration');

    // The integration exchanges the code over the API, and its token reads the organization.
    const exchanged = await t.http().post(`/api/0/sentry-app-installations/${arrived.searchParams.get('installationId')}/authorizations/`)
      .send({ client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code: arrived.searchParams.get('code') })
      .expect(201);
    const token = exchanged.body.token as string;
    await t.http().get('/api/0/organizations/globex/').set(bearer(token)).expect(200);

    // Sentry's example integration sends the admin here after its setup: a real page.
    await globex.goto(`${base}/settings/globex/sentry-apps/issue-tracker/`);
    expect(await globex.getByRole('heading', { level: 1 }).textContent()).toContain('Issue Tracker');
    await screenshot(globex, '07-installation');
    await globex.getByRole('navigation', { name: 'Organization settings' }).getByRole('link', { name: 'Integrations' }).click();
    expect(await globex.locator('main').textContent()).toContain('Issue Tracker');
    await screenshot(globex, '08-integrations');

    // The developer's request log shows the delivered webhook, and who installed it.
    await waitFor('the installation webhook', () => hooks.answered(200).length === 1);
    await waitFor('the outbox to record it', () => outboxIdle(t));
    await dev.reload();
    expect(await dev.locator('main').textContent()).toMatch(/Globex[\s\S]*installation\.created[\s\S]*delivered/);
    await screenshot(dev, '09-request-log');

    // Uninstall in the console: the token stops working at once.
    await globex.goto(`${base}/settings/globex/sentry-apps/issue-tracker/`);
    await globex.getByRole('link', { name: 'Uninstall…' }).click();
    await screenshot(globex, '10-uninstall-confirm');
    await globex.getByRole('button', { name: 'Uninstall' }).click();
    await globex.waitForURL(`${base}/settings/globex/integrations/`);
    expect(await globex.getByRole('status').textContent()).toContain('Issue Tracker is uninstalled');
    await t.http().get('/api/0/organizations/globex/').set(bearer(token)).expect(401);
    await screenshot(globex, '11-uninstalled');

    // The audit log page lists the install and the uninstall, newest first, by the person who did them, from where.
    const installationId = arrived.searchParams.get('installationId');
    await globex.getByRole('navigation', { name: 'Organization settings' }).getByRole('link', { name: 'Audit log' }).click();
    expect(await auditRows(globex)).toEqual([
      ['sentry-app.uninstall', installationId, 'Gita Admin', '127.0.0.1', 'sentryApp: issue-tracker'],
      ['sentry-app.install', installationId, 'Gita Admin', '127.0.0.1', 'sentryApp: issue-tracker'],
    ]);
    await screenshot(globex, '12-audit-log');
    // The developer's organization: the app's creation in the console, and its publication by the superuser.
    await dev.goto(`${base}/settings/acme/audit-log/`);
    expect((await auditRows(dev)).map(([event, , actor]) => `${event} by ${actor}`)).toEqual(['sentry-app.edit by Olu Operator', 'sentry-app.add by Dana Developer']);
  }, 120_000);
});
