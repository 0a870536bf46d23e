import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE } from '../src/auth/console-sessions.service.js';
import { addMember, bearer, createOrganization, createSentryApp, createUser, install, TEST_PASSWORD, type TestUser } from './support/factories.js';
import { launchBrowser } from './support/browser.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('the console in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(user: TestUser): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/auth/login/`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/organizations/`);
    return page;
  }

  /** The world of one organization: its owner, a member, and an app installed there. */
  async function installedWorld() {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const member = await addMember(t, organization, owner, 'member');
    const app = await createSentryApp(t, owner, organization);
    const other = await createSentryApp(t, owner, organization);
    await install(t, owner, organization, app);
    return { owner, organization, member, app, other };
  }

  it('shows a member what is installed but no install or uninstall control, and refuses the form posted directly with 403', async () => {
    const { organization, member, app, other } = await installedWorld();
    const page = await signedIn(member);
    await page.goto(`${base}/settings/${organization.slug}/integrations/`);
    expect(await page.locator('main').textContent()).toContain(app.slug);
    expect(await page.locator('main').textContent()).toContain(other.slug);
    expect(await page.getByRole('link', { name: 'Install' }).count()).toBe(0);
    await page.goto(`${base}/settings/${organization.slug}/sentry-apps/${app.slug}/`);
    expect(await page.getByRole('link', { name: /Uninstall/ }).count()).toBe(0);

    // With a valid session and CSRF token (the sign-out form's), the uninstall and install forms are still refused.
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const uninstall = await page.request.post(`${base}/settings/${organization.slug}/sentry-apps/${app.slug}/uninstall/`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(uninstall.status()).toBe(403);
    const installing = await page.request.post(`${base}/sentry-apps/${other.slug}/external-install/`, { form: { _csrf: csrf, organization: organization.slug }, maxRedirects: 0 });
    expect(installing.status()).toBe(403);
    const confirm = await page.goto(`${base}/settings/${organization.slug}/sentry-apps/${app.slug}/uninstall/`);
    expect(confirm!.status()).toBe(403);
    const installed = await t.http().get(`/api/0/organizations/${organization.slug}/sentry-app-installations/`).set(bearer(member.token)).expect(200);
    expect(installed.body.map((row: { app: { slug: string } }) => row.app.slug)).toEqual([app.slug]);
  });

  it('refuses a form whose CSRF token was removed with 403, and changes nothing', async () => {
    const { owner, organization, app } = await installedWorld();
    const page = await signedIn(owner);
    await page.goto(`${base}/settings/${organization.slug}/sentry-apps/${app.slug}/uninstall/`);
    await page.locator('main input[name="_csrf"]').evaluate((input) => input.remove());
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Uninstall' }).click()]);
    expect(response.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Not allowed');
    expect(await page.locator('main').textContent()).toContain('did not come from this site');
    await t.http().get(`/api/0/organizations/${organization.slug}/sentry-app-installations/`).set(bearer(owner.token)).expect(200)
      .then((listed) => expect(listed.body).toHaveLength(1));
  });

  it('never lets another site frame the consent page', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const page = await signedIn(owner);
    const consent = await page.goto(`${base}/sentry-apps/${app.slug}/external-install/`);
    expect(consent!.status()).toBe(200);
    const headers = consent!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toMatch(/script-src|unsafe-inline/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');

    // A page on another origin that tries: the frame stays empty.
    const attacker: Server = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end(`<iframe id="victim" src="${base}/sentry-apps/${app.slug}/external-install/"></iframe>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, 'localhost', resolve));
    try {
      await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
      await page.waitForTimeout(300);
      const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      const framed = frame ? await frame.content().catch(() => '') : '';
      // Not the consent page, nor the sign-in page it would send a cookie-less frame to.
      expect(framed).not.toContain('Integration console');
    } finally {
      attacker.close();
    }
  });

  it("follows the app's setup URL wherever it redirects in turn, to another origin too, with the code", async () => {
    // The setup URL sends the browser on to another origin (an apex to www, a sign-in host), as real setups do.
    const landing: Server = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>Set up</h1>'));
    await new Promise<void>((resolve) => landing.listen(0, 'localhost', resolve));
    const landingUrl = `http://localhost:${(landing.address() as AddressInfo).port}/finish`;
    const setup: Server = createServer((request, response) => {
      response.writeHead(302, { Location: `${landingUrl}${request.url!.slice(request.url!.indexOf('?'))}` }).end();
    });
    await new Promise<void>((resolve) => setup.listen(0, '127.0.0.1', resolve));
    try {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const app = await createSentryApp(t, owner, organization, { redirectUrl: `http://127.0.0.1:${(setup.address() as AddressInfo).port}/setup?from=console` });
      const page = await signedIn(owner);
      const violations: string[] = [];
      page.on('console', (message) => violations.push(message.text()));
      await page.goto(`${base}/sentry-apps/${app.slug}/external-install/`);
      await page.getByRole('button', { name: 'Accept & Install' }).click();
      await page.waitForURL((url) => url.href.startsWith(landingUrl), { timeout: 10_000 });
      const arrived = new URL(page.url());
      expect(arrived.searchParams.get('from')).toBe('console');
      expect(arrived.searchParams.get('orgSlug')).toBe(organization.slug);
      expect(arrived.searchParams.get('code')).toMatch(/^[0-9a-f]{64}$/);
      expect(await page.locator('h1').textContent()).toBe('Set up');
      expect(violations.filter((text) => /Content Security Policy|form-action/i.test(text))).toEqual([]);
    } finally {
      setup.close();
      landing.close();
    }
  });

  it('renders a script-like app name as text', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization, { name: '<script>alert(1)</script>' });
    const page = await signedIn(owner);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    for (const path of [`/settings/${organization.slug}/developer-settings/`, `/settings/${organization.slug}/developer-settings/${app.slug}/`, `/sentry-apps/${app.slug}/external-install/`]) {
      const response = await page.goto(`${base}${path}`);
      expect(await response!.text()).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(await page.locator('main').textContent()).toContain('<script>alert(1)</script>');
    }
    expect(await page.locator('h1').textContent()).toBe('<script>alert(1)</script>');
    expect(dialogs).toEqual([]);
  });

  it('keeps the session in an HttpOnly, SameSite=Lax cookie holding 256 random bits, stored only hashed', async () => {
    const user = await createUser(t);
    const page = await signedIn(user);
    const cookie = (await page.context().cookies()).find((candidate) => candidate.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    expect(Buffer.from(cookie.value, 'base64url')).toHaveLength(32);
    expect(await page.evaluate('document.cookie')).not.toContain(SESSION_COOKIE);
    const stored = await t.dataSource.query('SELECT session_hash FROM console_sessions WHERE user_id = $1', [user.id]);
    expect(stored).toHaveLength(1);
    expect(stored[0].session_hash).not.toContain(cookie.value);
  });

  it('ends the session on sign-out: the old cookie opens nothing afterwards', async () => {
    const user = await createUser(t);
    const page = await signedIn(user);
    const cookie = (await page.context().cookies()).find((candidate) => candidate.name === SESSION_COOKIE)!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/auth/login/?signedOut=1`);
    expect(await page.getByRole('status').textContent()).toContain('signed out');
    expect(await t.dataSource.query('SELECT 1 FROM console_sessions WHERE user_id = $1', [user.id])).toHaveLength(0);

    // Someone who copied the cookie before the sign-out gets the sign-in page.
    const thief = await browser.newContext();
    contexts.push(thief);
    await thief.addCookies([{ ...cookie }]);
    const stolen = await thief.newPage();
    await stolen.goto(`${base}/organizations/`);
    expect(new URL(stolen.url()).pathname).toBe('/auth/login/');
  });
});
