import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createOrganization, createSentryApp, createUser, exchange, installedApp, unique } from './support/factories.js';
import { apiRoutes, controllerRoutes } from './support/routes.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('HTTP conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers unknown routes with 404 {"detail": "Not found"}', async () => {
    for (const path of ['/api/0/nothing-here/', '/', '/api/0/organizations/x/y/z/']) {
      const response = await t.http().get(path).expect(404);
      expect(response.body).toEqual({ detail: 'Not found' });
    }
  });

  it('sets nosniff and a request id on every response, and never X-Powered-By', async () => {
    for (const path of ['/api/0/internal/health/', '/api/0/users/me/', '/nowhere']) {
      const response = await t.http().get(path);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('lets no cache keep an answer that carries a secret, or any other API answer', async () => {
    const root = await createUser(t, { superuser: true });
    const { owner, app, organization } = await installedApp(t);
    const uninstalled = await createSentryApp(t, owner, organization);
    const answers = {
      'a new user and its personal token': await t.http().post('/api/0/users/').set(bearer(root.token)).send({ email: `${unique('cache')}@example.com` }).expect(201),
      'a new app and its client secret': await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: unique('cache'), organization: organization.slug, scopes: [] }).expect(201),
      'a rotated client secret': await t.http().post(`/api/0/sentry-apps/${app.slug}/rotate-secret/`).set(bearer(owner.token)).expect(200),
      'an API application and its secret': await t.http().post('/api/0/api-applications/').set(bearer(owner.token)).send({ name: 'cache' }).expect(201),
      'an installation and its grant code': await t.http().post(`/api/0/organizations/${organization.slug}/sentry-app-installations/`).set(bearer(owner.token)).send({ slug: uninstalled.slug }).expect(200),
      'the caller': await t.http().get('/api/0/users/me/').set(bearer(owner.token)).expect(200),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([what, response]) => [what, response.headers['cache-control']])))
      .toEqual(Object.fromEntries(Object.keys(answers).map((what) => [what, 'no-store'])));
  });

  it("echoes the caller's X-Request-ID, but not one that could forge a log line", async () => {
    const echoed = await t.http().get('/api/0/internal/health/').set('X-Request-ID', 'trace-123.abc');
    expect(echoed.headers['x-request-id']).toBe('trace-123.abc');
    const replaced = await t.http().get('/api/0/internal/health/').set('X-Request-ID', 'a b "c"');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 413 to a body over 64 KiB', async () => {
    const user = await createUser(t);
    const response = await t.http().post('/api/0/organizations/').set(bearer(user.token)).send({ name: 'x'.repeat(70 * 1024) }).expect(413);
    expect(response.body).toEqual({ detail: expect.any(String) });
  });

  it('answers 400 to malformed JSON and to bodies that are not objects', async () => {
    const user = await createUser(t);
    for (const body of ['{"name":', '[1,2]', '"name"', 'null']) {
      const response = await t.http().post('/api/0/organizations/').set(bearer(user.token)).set('Content-Type', 'application/json').send(body).expect(400);
      expect(response.body).toEqual({ detail: expect.any(String) });
    }
  });

  it('answers 415 to an unsupported content type', async () => {
    const user = await createUser(t);
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'a', ';', 'application/json, text/plain']) {
      const response = await t.http().post('/api/0/organizations/').set(bearer(user.token)).set('Content-Type', type).send('name=x').expect(415);
      expect(response.body).toEqual({ detail: 'Send the body as application/json.' });
    }
  });

  it('answers 400 with field errors to wrong types, and refuses NUL characters', async () => {
    const user = await createUser(t);
    const wrong = await t.http().post('/api/0/organizations/').set(bearer(user.token)).send({ name: ['x'], slug: 5 }).expect(400);
    expect(wrong.body).toEqual({ detail: 'Invalid request', errors: { name: expect.any(Array), slug: expect.any(Array) } });
    await t.http().post('/api/0/organizations/').set(bearer(user.token)).send({ name: 'a\u0000b' }).expect(400);
  });

  it('answers 400, not 500, to an email holding half a surrogate pair', async () => {
    const user = await createUser(t);
    const organization = await createOrganization(t, user);
    const response = await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(user.token)).set('Content-Type', 'application/json').send('{"email":"\\udfff\\ud800"}').expect(400);
    expect(response.body).toEqual({ detail: 'Invalid request', errors: { email: ['must be well-formed UTF-16 text without NUL characters'] } });
  });

  it('reports the database up', async () => {
    const response = await t.http().get('/api/0/internal/health').expect(200);
    expect(response.body).toEqual({ ok: true, db: 'up' });
  });

  it('needs a Bearer token on every API route except the declared public ones', async () => {
    const all = apiRoutes(t.app);
    const publicRoutes = all.filter((route) => route.isPublic).map(({ method, path }) => `${method} ${path}`);
    const routes = all.filter((route) => !route.isPublic);
    expect(publicRoutes.sort()).toEqual([
      'GET /api/0/internal/health',
      'GET /metrics',
      'POST /api/0/sentry-app-installations/:uuid/authorizations',
      'POST /api/0/sentry-app-installations/:uuid/authorizations/revoke',
    ]);
    expect(routes.length).toBeGreaterThan(10);
    for (const { method, path } of routes) {
      const url = path.replace(/:uuid/g, '00000000-0000-4000-8000-000000000000').replace(/:\w+/g, 'some-slug');
      const response = await t.http()[method.toLowerCase() as 'get'](url).send({});
      expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 401`);
    }
  });
});

describe('the console routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const sample = (path: string) => path.replace(/:token/g, '0'.repeat(64)).replace(/:\w+/g, 'some-slug');

  it('are outside /api/0 and out of the OpenAPI document', async () => {
    const routes = controllerRoutes(t.app).filter((route) => route.isConsole);
    expect(routes.length).toBeGreaterThan(15);
    for (const { path } of routes) expect(path.startsWith('/api/')).toBe(false);
    const document = (await t.http().get('/api/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    for (const path of Object.keys(document.paths)) expect(path.startsWith('/api/0/')).toBe(true);
    await t.http().get('/api/0/auth/login/').expect(404);
  });

  it('declare every page with @SessionPermission, and no API route with it', () => {
    const mismatched = controllerRoutes(t.app).filter((route) => route.isConsole !== route.bySession);
    expect(mismatched.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  it('need a session on every page but signing in and setting a password: without one, the browser is sent to sign in', async () => {
    const routes = controllerRoutes(t.app).filter((route) => route.isConsole);
    const signedOut = routes.filter((route) => route.isPublic);
    expect(signedOut.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'GET /auth/login', 'GET /auth/set-password/:token', 'POST /auth/login', 'POST /auth/set-password/:token',
    ]);
    for (const { method, path } of routes.filter((route) => !signedOut.includes(route))) {
      const response = await t.http()[method.toLowerCase() as 'get'](sample(path)).type('form').send({});
      expect(`${method} ${path} ${response.status} ${response.headers.location}`).toMatch(new RegExp(`^${method} ${path} 303 /auth/login/`));
    }
    // The signed-out forms still refuse a post without their CSRF token.
    for (const { path } of signedOut.filter((route) => route.method === 'POST')) {
      await t.http().post(sample(path)).type('form').send({ email: 'x@example.com', password: 'whatever123' }).expect(403);
    }
  });

  it('never open for a Bearer token, not even a superuser\'s or an app\'s', async () => {
    const superuser = await createUser(t, { superuser: true });
    const { app, installation, organization } = await installedApp(t);
    const { body } = await exchange(t, app, installation).expect(201);
    for (const token of [superuser.token, body.token]) {
      for (const path of [`/settings/${organization.slug}/integrations/`, `/settings/${organization.slug}/developer-settings/${app.slug}/`, '/manage/sentry-apps/']) {
        const response = await t.http().get(path).set(bearer(token)).expect(303);
        expect(response.headers.location).toMatch(/^\/auth\/login\//);
      }
    }
  });
});

describe('health while the database is unreachable', () => {
  it('answers 503 {"ok": false, "db": "down"}', async () => {
    const t = await createTestApp();
    try {
      await t.dataSource.destroy();
      const response = await t.http().get('/api/0/internal/health/').expect(503);
      expect(response.body).toEqual({ ok: false, db: 'down' });
    } finally {
      await t.dataSource.initialize();
      await t.close();
    }
  });
});
