import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomHex } from '../src/common/crypto.js';
import { exchange, installedApp, refresh } from './support/factories.js';
import { admin, createTestApp, type TestApp } from './support/test-app.js';

describe('token endpoint rate limits (in-process)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_TOKEN_PER_MINUTE: '3', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('limits token requests per client and installation, with Retry-After', async () => {
    const { app, installation } = await installedApp(t);
    const pair = (await exchange(t, app, installation).expect(201)).body;
    await refresh(t, app, installation, pair.refreshToken).expect(201);
    await refresh(t, app, installation, 'f'.repeat(64)).expect(403);
    const limited = await refresh(t, app, installation, 'f'.repeat(64)).expect(429);
    expect(limited.body).toEqual({ detail: 'Too many token requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    const other = await installedApp(t);
    await exchange(t, other.app, other.installation).expect(201);
  });

  it('locks out a source IP after too many failed client authentications, right secret or not', async () => {
    const { app, installation } = await installedApp(t);
    for (let attempt = 0; attempt < 3; attempt += 1) await exchange(t, { ...app, clientSecret: 'wrong' }, installation).expect(401);
    const locked = await exchange(t, app, installation).expect(429);
    expect(locked.body.detail).toBe('Too many token requests');
    expect(locked.headers['retry-after']).toBeDefined();
  });
});

describe('the per-IP failure limit behind a load balancer (TRUST_PROXY=true)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY: 'true' });
  });
  afterAll(() => t.close());

  // The balancer appends the address it saw; whatever stands left of it, the client wrote.
  const via = (client: string, written?: string) => ({ 'X-Forwarded-For': written ? `${written}, ${client}` : client });

  it('counts failures by the address the balancer saw, whatever the client wrote before it', async () => {
    const { app, installation } = await installedApp(t);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await exchange(t, { ...app, clientSecret: 'wrong' }, installation).set(via('198.51.100.20', `203.0.113.${attempt}`)).expect(401);
    }
    expect((await exchange(t, app, installation).set(via('198.51.100.20', '203.0.113.99')).expect(429)).body.detail).toBe('Too many token requests');
  });

  it('so nobody locks out another client by writing its address', async () => {
    const { app, installation } = await installedApp(t);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await exchange(t, { ...app, clientSecret: 'wrong' }, installation).set(via('198.51.100.66', '198.51.100.21')).expect((r) => expect([401, 429]).toContain(r.status));
    }
    await exchange(t, app, installation).set(via('198.51.100.21')).expect(201);
  });
});

describe('token endpoint rate limits shared through Redis', () => {
  const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test-${randomHex(6)}`, RATE_LIMIT_TOKEN_PER_MINUTE: '4' };
  const schema = `t_${randomHex(6)}`;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    await admin(`CREATE SCHEMA ${schema}`);
    a = await createTestApp(env, { schema });
    b = await createTestApp(env, { schema });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await admin(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('makes two instances share one budget', async () => {
    const { app, installation } = await installedApp(a);
    const bogus = 'f'.repeat(64);
    await refresh(a, app, installation, bogus).expect(403);
    await refresh(b, app, installation, bogus).expect(403);
    await refresh(a, app, installation, bogus).expect(403);
    await refresh(b, app, installation, bogus).expect(403);
    await refresh(a, app, installation, bogus).expect(429);
    await refresh(b, app, installation, bogus).expect(429);
  });
});
