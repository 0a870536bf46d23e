import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TokenCache, TokenEndpointCache } from '../src/auth/token-cache.service.js';
import { randomHex } from '../src/common/crypto.js';
import { TokenRateLimiter } from '../src/sentry-apps/authorizations/token-rate-limiter.service.js';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { exchange, installedApp, signClientJwt } from './support/factories.js';
import { RawHttp, type RawRequest } from './support/raw-http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Small bounds, so that a few thousand requests are far more than they hold.
const BOUNDS = { TOKEN_CACHE_SIZE: 50, TOKEN_CACHE_MAX_MB: 1, RATE_LIMIT_MAX_KEYS: 200 };
const ROUNDS = 375;
const MB = 1024 * 1024;

describe('junk ids: nothing a request sends grows memory without bound', () => {
  let t: TestApp;
  let client: RawHttp;
  beforeAll(async () => {
    t = await createTestApp(Object.fromEntries(Object.entries(BOUNDS).map(([name, value]) => [name, String(value)])));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    client = new RawHttp((t.app.getHttpServer().address() as AddressInfo).port, 10);
  });
  afterAll(async () => {
    client.close();
    await t.close();
  });

  const held = () => ({
    tokens: t.app.get(TokenCache).stats(),
    clients: t.app.get(TokenEndpointCache).stats(),
    ...t.app.get(TokenRateLimiter).stats(),
  });

  it(`keeps the caches and the limiters within their bounds under ${ROUNDS * 8} junk-id requests`, async () => {
    const { owner, organization, app, installation } = await installedApp(t);
    const pair = (await exchange(t, app, installation).expect(201)).body;
    const json = (path: string, body: unknown, headers: [string, string][] = []): RawRequest =>
      ({ method: 'POST', path, headers: [['Content-Type', 'application/json'], ...headers], body: JSON.stringify(body) });
    const tokenPath = (uuid: string) => `/api/0/sentry-app-installations/${uuid}/authorizations/`;
    const credentials = { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: randomHex(32) };
    const padded = () => `${app.clientId}${' '.repeat(1 + Math.floor(Math.random() * 60_000))}`;
    const recased = () => installation.uuid.replace(/[a-f]/g, (letter) => (Math.random() < 0.5 ? letter.toUpperCase() : letter));
    const manualRefresh = async () => {
      const jwt = await signClientJwt({ ...app, clientId: randomHex(32) }, {}, { secret: randomHex(32) });
      return json(tokenPath(installation.uuid), { grant_type: JWT_BEARER_GRANT }, [['Authorization', `Bearer ${jwt}`]]);
    };
    const junk: (() => RawRequest | Promise<RawRequest>)[] = [
      () => json(tokenPath(randomUUID()), credentials),
      () => json(tokenPath(randomUUID()), { ...credentials, client_id: padded() }),
      () => json(tokenPath(randomUUID()), { ...credentials, client_id: randomHex(32) }),
      () => json(tokenPath(recased()), credentials),
      manualRefresh,
      () => ({ method: 'GET', path: `/api/0/organizations/${organization.slug}/`, headers: [['Authorization', `Bearer ${randomHex(32)}`]] }),
      () => ({ method: 'DELETE', path: `/api/0/sentry-app-installations/${randomUUID()}/`, headers: [['Authorization', `Bearer ${owner.token}`]] }),
      () => ({ method: 'GET', path: `/api/0/organizations/${organization.slug}/`, headers: [['Authorization', `Bearer ${pair.token}`]] }),
    ];

    const rssBefore = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    for (let round = 0; round < ROUNDS; round += 1) {
      const responses = await Promise.all(junk.map(async (request) => client.send(await request())));
      for (const { status } of responses) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const rssAfter = process.memoryUsage().rss;
    const after = held();
    console.log(
      `reliability: junk ids: ${ROUNDS * junk.length} requests (${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')}); ` +
        `RSS ${(rssBefore / MB).toFixed(0)} → ${(rssAfter / MB).toFixed(0)} MB (test process); held afterwards: ` +
        Object.entries(after).map(([name, { entries, bytes }]) => `${name} ${entries} entries/${(bytes / 1024).toFixed(0)} KiB`).join(', '),
    );

    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    for (const cache of [after.tokens, after.clients]) {
      expect(cache.entries).toBeLessThanOrEqual(BOUNDS.TOKEN_CACHE_SIZE);
      expect(cache.bytes).toBeLessThanOrEqual(BOUNDS.TOKEN_CACHE_MAX_MB * MB);
    }
    // The only source is 127.0.0.1; the request budget saw ROUNDS random installations.
    expect(after.authFailures.entries).toBe(1);
    expect(after.requests.entries).toBeLessThanOrEqual(BOUNDS.RATE_LIMIT_MAX_KEYS);
    expect(after.requests.bytes).toBeLessThanOrEqual(BOUNDS.RATE_LIMIT_MAX_KEYS * (96 + 2 * 128));
    // The live token and the real client are still served from their caches.
    expect(t.app.get(TokenEndpointCache).get(`client:${app.clientId}`)).toBeDefined();
  }, 120_000);
});
