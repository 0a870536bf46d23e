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
