import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SESSION_COOKIE } from '../src/auth/console-sessions.service.js';
import { InitialAdminService } from '../src/users/initial-admin.service.js';
import { bearer, createUser, TEST_PASSWORD, tokenRequest, unique } from './support/factories.js';
import { csrfOf, signIn, submit } from './support/console.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const cookieOf = (response: request.Response, name: string) =>
  ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith(`${name}=`));

describe('console sign-in and sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SESSION_IDLE_SECONDS: '600', SESSION_MAX_AGE_SECONDS: '3600', TRUST_PROXY: 'true' });
  });
  afterAll(() => t.close());

  it('signs in with email and password, and refuses a wrong password with the same answer as an unknown email', async () => {
    const user = await createUser(t);
    const agent = request.agent(t.app.getHttpServer());
    const form = await agent.get('/auth/login/').expect(200);
    for (const [email, password] of [[user.email, 'wrong password'], ['nobody@example.com', TEST_PASSWORD], [user.email.toUpperCase(), 'Wrong-Passw0rd-zz']]) {
      const refused = await agent.post('/auth/login/').type('form').send({ _csrf: csrfOf(form.text), email, password }).expect(400);
      expect(refused.text).toContain('The email or the password is wrong.');
      expect(refused.text).not.toContain(password);
      expect(cookieOf(refused, SESSION_COOKIE)).toBeUndefined();
    }
    const accepted = await agent.post('/auth/login/').type('form').send({ _csrf: csrfOf(form.text), email: user.email.toUpperCase(), password: TEST_PASSWORD }).expect(303);
    expect(accepted.headers.location).toBe('/organizations/');
    expect(cookieOf(accepted, SESSION_COOKIE)).toMatch(/; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    await agent.get('/organizations/').expect(200);
  });

  it('marks the cookie Secure behind an https proxy (TRUST_PROXY with X-Forwarded-Proto)', async () => {
    const user = await createUser(t);
    const form = await t.http().get('/auth/login/').set('X-Forwarded-Proto', 'https').expect(200);
    const secret = cookieOf(form, '_csrf')!;
    expect(secret).toMatch(/; Secure/);
    // A client that keeps Secure cookies only over https: this test sends it back by hand.
    const accepted = await t.http().post('/auth/login/').set('X-Forwarded-Proto', 'https').set('Cookie', secret.split(';')[0]!).type('form')
      .send({ _csrf: csrfOf(form.text), email: user.email, password: TEST_PASSWORD }).expect(303);
    expect(cookieOf(accepted, SESSION_COOKIE)).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('sends the browser back where it was going, but never to another site', async () => {
    const user = await createUser(t);
    for (const [next, expected] of [
      ['/settings/acme/members/', '/settings/acme/members/'],
      ['//evil.example/', '/organizations/'],
      ['/\\evil.example/', '/organizations/'],
      ['https://evil.example/', '/organizations/'],
      ['/ok/\r\nSet-Cookie: x=1', '/organizations/'],
    ]) {
      const agent = request.agent(t.app.getHttpServer());
      const form = await agent.get('/auth/login/').query({ next }).expect(200);
      const response = await agent.post('/auth/login/').type('form').send({ _csrf: csrfOf(form.text), email: user.email, password: TEST_PASSWORD, next }).expect(303);
      expect(response.headers.location).toBe(expected);
    }
  });

  it('refuses a CSRF token from another session, and one made before signing in', async () => {
    const user = await createUser(t);
    const before = request.agent(t.app.getHttpServer());
    const anonymousToken = csrfOf((await before.get('/auth/login/')).text);
    await before.post('/auth/login/').type('form').send({ _csrf: anonymousToken, email: user.email, password: TEST_PASSWORD }).expect(303);
    await before.post('/organizations/new/').type('form').send({ _csrf: anonymousToken, name: 'Nope' }).expect(403);
    const other = await signIn(t, await createUser(t));
    const othersToken = csrfOf((await other.get('/organizations/new/')).text);
    await before.post('/organizations/new/').type('form').send({ _csrf: othersToken, name: 'Nope' }).expect(403);
    const own = await submit(before, '/organizations/new/', { name: unique('Yes') });
    expect(own.status).toBe(303);
  });

  it('ends a session after SESSION_IDLE_SECONDS without a request, and SESSION_MAX_AGE_SECONDS after sign-in however active', async () => {
    const idle = await signIn(t, await createUser(t));
    t.clock.advance(590);
    await idle.get('/organizations/').expect(200);
    t.clock.advance(590);
    await idle.get('/organizations/').expect(200);
    t.clock.advance(601);
    expect((await idle.get('/organizations/').expect(303)).headers.location).toBe('/auth/login/?next=%2Forganizations%2F');

    const busy = await signIn(t, await createUser(t));
    for (let elapsed = 0; elapsed < 3590; elapsed += 500) {
      t.clock.advance(500);
      await busy.get('/organizations/').expect(elapsed + 500 < 3600 ? 200 : 303);
    }
    t.clock.advance(20);
    await busy.get('/organizations/').expect(303);
  });

  it('ends every session of a person whose password changes, and the old password no longer works', async () => {
    const user = await createUser(t);
    const [here, elsewhere] = [await signIn(t, user), await signIn(t, user)];
    const wrong = await submit(here, '/settings/account/security/', { current: 'not it at all', password: 'a new passphrase', confirm: 'a new passphrase' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('This is not your current password.');
    const mismatch = await submit(here, '/settings/account/security/', { current: TEST_PASSWORD, password: 'a new passphrase', confirm: 'another one' });
    expect(mismatch.text).toContain('The two passwords differ.');
    const changed = await submit(here, '/settings/account/security/', { current: TEST_PASSWORD, password: 'a new passphrase', confirm: 'a new passphrase' });
    expect(changed.status).toBe(303);
    expect((await here.get('/settings/account/security/').expect(200)).text).toContain('Every other session was signed out.');
    await elsewhere.get('/organizations/').expect(303);
    const stale = request.agent(t.app.getHttpServer());
    const form = await stale.get('/auth/login/');
    await stale.post('/auth/login/').type('form').send({ _csrf: csrfOf(form.text), email: user.email, password: TEST_PASSWORD }).expect(400);
    await signIn(t, user, 'a new passphrase');
  });

  it("lets a superuser create a person with a password over the API, which is never echoed, and refuses a short one", async () => {
    const root = await createUser(t, { superuser: true });
    const email = `${unique('api')}@example.com`;
    const created = await t.http().post('/api/0/users/').set(bearer(root.token)).send({ email, password: 'api chosen passphrase' }).expect(201);
    expect(JSON.stringify(created.body)).not.toContain('passphrase');
    await signIn(t, { id: created.body.id, email, token: created.body.token }, 'api chosen passphrase');
    const short = await t.http().post('/api/0/users/').set(bearer(root.token)).send({ email: `${unique('api')}@example.com`, password: 'short' }).expect(400);
    expect(short.body.errors.password).toEqual(['The password must be at least 8 characters.']);
    const [stored] = await t.dataSource.query('SELECT password_hash FROM users WHERE email = $1', [email]);
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe("the first admin's one-time link", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ INITIAL_ADMIN_EMAIL: 'first@localhost' });
  });
  afterAll(() => t.close());

  it('sets the password once, then signs in with it; the link then answers as expired', async () => {
    const admin = (await t.app.get(InitialAdminService).ensure())!;
    const path = `/auth/set-password/${admin.passwordLinkToken}/`;
    const agent = request.agent(t.app.getHttpServer());
    const form = await agent.get(path).expect(200);
    const short = await agent.post(path).type('form').send({ _csrf: csrfOf(form.text), password: 'short', confirm: 'short' }).expect(400);
    expect(short.text).toContain('Use at least 8 characters.');
    const set = await agent.post(path).type('form').send({ _csrf: csrfOf(form.text), password: 'the first passphrase', confirm: 'the first passphrase' }).expect(303);
    expect(set.headers.location).toBe('/auth/login/?passwordSet=1');
    await signIn(t, { id: admin.user.id, email: 'first@localhost', token: admin.token }, 'the first passphrase');
    expect((await agent.get(path).expect(404)).text).toContain('This link has expired or was already used.');
    await agent.post(path).type('form').send({ _csrf: csrfOf(form.text), password: 'a takeover attempt', confirm: 'a takeover attempt' }).expect(404);
    await signIn(t, { id: admin.user.id, email: 'first@localhost', token: admin.token }, 'the first passphrase');
  });

  it('expires after a day, unused', async () => {
    const user = await createUser(t);
    const { PasswordLinksService } = await import('../src/users/password-links.service.js');
    const token = await t.dataSource.transaction((em) => t.app.get(PasswordLinksService).create(em, user.id));
    await t.http().get(`/auth/set-password/${token}/`).expect(200);
    t.clock.advance(24 * 3600 + 1);
    await t.http().get(`/auth/set-password/${token}/`).expect(404);
  });
});

describe('failed sign-ins and the per-IP failure budget', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('spend the budget the token endpoint spends: once gone, even the right password is refused with 429', async () => {
    const user = await createUser(t);
    const agent = request.agent(t.app.getHttpServer());
    const token = csrfOf((await agent.get('/auth/login/')).text);
    const attempt = (password: string) => agent.post('/auth/login/').type('form').send({ _csrf: token, email: user.email, password });
    await attempt('guess one').expect(400);
    await attempt('guess two').expect(400);
    // A failed client authentication on the token endpoint, from the same address, is the third.
    await tokenRequest(t, '00000000-0000-4000-8000-000000000000').send({ client_id: '0'.repeat(64), client_secret: 'x', grant_type: 'authorization_code', code: 'x' }).expect(401);
    const limited = await attempt(TEST_PASSWORD).expect(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.text).toContain('Too many failed attempts from your address.');
    expect(cookieOf(limited, SESSION_COOKIE)).toBeUndefined();
  });

  it('checks no more guesses than the budget when they arrive all at once', async () => {
    const burst = await createTestApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '5' });
    try {
      const user = await createUser(burst);
      const agent = request.agent(burst.app.getHttpServer());
      const token = csrfOf((await agent.get('/auth/login/')).text);
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => agent.post('/auth/login/').type('form').send({ _csrf: token, email: user.email, password: `guess ${i}` })),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 400)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(25);
    } finally {
      await burst.close();
    }
  });

  it('gives a successful sign-in its point back, so a person who gets it right is never counted', async () => {
    const fresh = await createTestApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2' });
    try {
      const user = await createUser(fresh);
      for (let i = 0; i < 4; i += 1) {
        const agent = request.agent(fresh.app.getHttpServer());
        const token = csrfOf((await agent.get('/auth/login/')).text);
        await agent.post('/auth/login/').type('form').send({ _csrf: token, email: user.email, password: TEST_PASSWORD }).expect(303);
      }
    } finally {
      await fresh.close();
    }
  });
});
