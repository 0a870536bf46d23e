import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, exchange, installedApp, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface LogLine {
  level: string;
  msg: string;
  reqId?: string;
  method?: string;
  route?: string;
  statusCode?: number;
  responseTime?: number;
}

describe('JSON request logs', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await createTestApp({}, { logDestination: { write: (line: string) => void lines.push(line) } });
  });
  afterAll(() => t.close());

  it('writes one line per request, with id, method, route template, status and duration, and never a secret', async () => {
    const secrets: string[] = [];
    const ids: string[] = [];
    const track = <R extends { headers: Record<string, string>; body: Record<string, unknown> }>(response: R): R => {
      ids.push(response.headers['x-request-id']!);
      return response;
    };
    const superuser = await createUser(t, { superuser: true });
    const created = track(await t.http().post('/api/0/users/').set(bearer(superuser.token)).send({ email: `logs-${Date.now()}@example.com` }).expect(201));
    const { owner, app, installation } = await installedApp(t);
    const issued = track(await exchange(t, app, installation).expect(201));
    const refreshed = track(await refresh(t, app, installation, issued.body.refreshToken as string).expect(201));
    track(await t.http().get('/api/0/users/me/').set(bearer(refreshed.body.token as string)).expect(200));
    track(await t.http().get(`/api/0/nowhere/?code=${installation.code}&client_secret=${app.clientSecret}`).expect(404));
    track(await t.http().get('/api/0/internal/health/').set('X-Request-ID', 'trace-logs-1').expect(200));
    secrets.push(superuser.token, owner.token, created.body.token as string, app.clientSecret, installation.code!, issued.body.token as string);
    secrets.push(issued.body.refreshToken as string, refreshed.body.token as string, refreshed.body.refreshToken as string);

    const text = lines.join('');
    for (const secret of secrets) expect(text).not.toContain(secret);

    const parsed = lines.map((line) => JSON.parse(line) as LogLine);
    const requestLines = parsed.filter((line) => line.msg === 'request completed');
    for (const id of ids) {
      const mine = requestLines.filter((line) => line.reqId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toEqual(expect.objectContaining({ level: 'info', method: expect.stringMatching(/^(GET|POST)$/), route: expect.any(String), statusCode: expect.any(Number), responseTime: expect.any(Number) }));
    }
    expect(requestLines.find((line) => line.reqId === ids[1])).toMatchObject({ method: 'POST', route: '/api/0/sentry-app-installations/:uuid/authorizations', statusCode: 201 });
    expect(requestLines.find((line) => line.reqId === ids[4])).toMatchObject({ method: 'GET', route: 'unmatched', statusCode: 404 });
    expect(requestLines.find((line) => line.reqId === 'trace-logs-1')).toMatchObject({ route: '/api/0/internal/health', statusCode: 200 });
  });

  it("carries the request's id on the error logs of that request", async () => {
    lines.length = 0;
    await t.dataSource.destroy();
    try {
      await t.http().get('/api/0/internal/health/').set('X-Request-ID', 'trace-logs-2').expect(503);
    } finally {
      await t.dataSource.initialize();
    }
    const parsed = lines.map((line) => JSON.parse(line) as LogLine);
    const errors = parsed.filter((line) => line.level === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const line of errors) expect([line.reqId, line.msg]).toEqual(['trace-logs-2', line.msg]);
  });
});
