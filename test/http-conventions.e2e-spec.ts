import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser } from './support/factories.js';
import { discoverRoutes } from './support/routes.js';
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
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
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

  it('reports the database up', async () => {
    const response = await t.http().get('/api/0/internal/health').expect(200);
    expect(response.body).toEqual({ ok: true, db: 'up' });
  });

  it('needs a Bearer token on every route except the declared public ones', async () => {
    const all = discoverRoutes(t.app);
    const publicRoutes = all.filter((route) => route.isPublic).map((route) => `${route.method} ${route.path}`);
    const routes = all.filter((route) => !route.isPublic);
    expect(publicRoutes.sort()).toEqual(['GET /api/0/internal/health', 'POST /api/0/sentry-app-installations/:uuid/authorizations']);
    expect(routes.length).toBeGreaterThan(10);
    for (const { method, path } of routes) {
      const url = path.replace(/:uuid/g, '00000000-0000-4000-8000-000000000000').replace(/:\w+/g, 'some-slug');
      const response = await t.http()[method.toLowerCase() as 'get'](url).send({});
      expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 401`);
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
