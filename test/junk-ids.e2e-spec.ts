import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { TokenCache, TokenEndpointCache } from '../src/auth/token-cache.service.js';
import { randomHex } from '../src/common/crypto.js';
import { TokenRateLimiter } from '../src/sentry-apps/authorizations/token-rate-limiter.service.js';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { exchange, installedApp, signClientJwt } from './support/factories.js';
import { RawHttp, type RawRequest } from './support/raw-http.js';
import { spawnServer } from './support/spawned-server.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Small bounds in process, so that a few thousand requests are far more than they hold.
const BOUNDS = { TOKEN_CACHE_SIZE: 50, TOKEN_CACHE_MAX_MB: 1, RATE_LIMIT_MAX_KEYS: 200 };
const ROUNDS = 375;
const MB = 1024 * 1024;
const LIFTED_LIMITS = { RATE_LIMIT_TOKEN_PER_MINUTE: '100000', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000' };

/** One request of each kind of junk id an attacker varies to make every request a new key. */
async function junkKinds(t: TestApp) {
  const { owner, organization, app, installation } = await installedApp(t);
  const pair = (await exchange(t, app, installation).expect(201)).body;
  const json = (path: string, body: unknown, headers: [string, string][] = []): RawRequest =>
    ({ method: 'POST', path, headers: [['Content-Type', 'application/json'], ...headers], body: JSON.stringify(body) });
  const tokenPath = (uuid: string) => `/api/0/sentry-app-installations/${uuid}/authorizations/`;
  const credentials = { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: randomHex(32) };
  // As in the review that found it: client ids padded with about 60 KB of blanks.
  const padded = () => `${app.clientId}${' '.repeat(50_000 + Math.floor(Math.random() * 10_000))}`;
  const recased = () => installation.uuid.replace(/[a-f]/g, (letter) => (Math.random() < 0.5 ? letter.toUpperCase() : letter));
  const paddedId = () => json(tokenPath(randomUUID()), { ...credentials, client_id: padded() });
  const kinds: (() => RawRequest | Promise<RawRequest>)[] = [
    () => json(tokenPath(randomUUID()), credentials),
    paddedId,
    () => json(tokenPath(randomUUID()), { ...credentials, client_id: randomHex(32) }),
    () => json(tokenPath(recased()), credentials),
    async () => json(tokenPath(installation.uuid), { grant_type: JWT_BEARER_GRANT }, [['Authorization', `Bearer ${await signClientJwt({ ...app, clientId: randomHex(32) }, {}, { secret: randomHex(32) })}`]]),
    () => ({ method: 'GET', path: `/api/0/organizations/${organization.slug}/`, headers: [['Authorization', `Bearer ${randomHex(32)}`]] }),
    () => ({ method: 'DELETE', path: `/api/0/sentry-app-installations/${randomUUID()}/`, headers: [['Authorization', `Bearer ${owner.token}`]] }),
    () => ({ method: 'GET', path: `/api/0/organizations/${organization.slug}/`, headers: [['Authorization', `Bearer ${pair.token}`]] }),
  ];
  return { app, kinds, paddedId };
}

/** ROUNDS rounds of every kind at once; the statuses, tallied. */
async function attack(port: number, kinds: Awaited<ReturnType<typeof junkKinds>>['kinds']): Promise<string> {
  const client = new RawHttp(port, kinds.length);
  const statuses = new Map<number, number>();
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const responses = await Promise.all(kinds.map(async (kind) => client.send(await kind())));
      for (const { status } of responses) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  } finally {
    client.close();
  }
  expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
  return [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ');
}

describe('junk ids: nothing a request sends grows memory without bound', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(Object.fromEntries(Object.entries(BOUNDS).map(([name, value]) => [name, String(value)])));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it(`keeps the caches and the limiters within their bounds under ${ROUNDS * 8} junk-id requests`, async () => {
    const { app, kinds } = await junkKinds(t);
    const statuses = await attack((t.app.getHttpServer().address() as AddressInfo).port, kinds);
    const held = { tokens: t.app.get(TokenCache).stats(), clients: t.app.get(TokenEndpointCache).stats(), ...t.app.get(TokenRateLimiter).stats() };
    console.log(`reliability: junk ids in process (${statuses}); held afterwards: ${Object.entries(held).map(([name, { entries, bytes }]) => `${name} ${entries} entries/${(bytes / 1024).toFixed(0)} KiB`).join(', ')}`);
    for (const cache of [held.tokens, held.clients]) {
      expect(cache.entries).toBeLessThanOrEqual(BOUNDS.TOKEN_CACHE_SIZE);
      expect(cache.bytes).toBeLessThanOrEqual(BOUNDS.TOKEN_CACHE_MAX_MB * MB);
    }
    // The only source is 127.0.0.1; the request budget saw ROUNDS random installations.
    expect(held.authFailures.entries).toBe(1);
    expect(held.requests.entries).toBeLessThanOrEqual(BOUNDS.RATE_LIMIT_MAX_KEYS);
    expect(held.requests.bytes).toBeLessThanOrEqual(BOUNDS.RATE_LIMIT_MAX_KEYS * (96 + 2 * 128));
    // The live token and the real client are still served from their caches.
    expect(t.app.get(TokenEndpointCache).get(`client:${app.clientId}`)).toBeDefined();
  }, 120_000);

  it('leaves the built server, with its default bounds, no bigger after each further round of padded client ids', async () => {
    const server = await spawnServer(t.schema, LIFTED_LIMITS);
    const rssMb = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${server.process.pid}/status`, 'utf8'))![1]) / 1024;
    try {
      const { kinds, paddedId } = await junkKinds(t);
      const rss = [await rssMb()];
      // Round one is every kind of junk id; the next rounds, the padded ids that grew the old server.
      for (const round of [kinds, Array(8).fill(paddedId), Array(8).fill(paddedId)]) {
        await attack(server.port, round);
        rss.push(await rssMb());
      }
      console.log(`reliability: junk ids against the built server: ${ROUNDS * 8} mixed requests, then twice ${ROUNDS * 8} with ~55 KB padded client ids; RSS ${rss.map((mb) => mb.toFixed(0)).join(' → ')} MB`);
      // V8 keeps the heap the first rounds grew; what is freed is reused. The old server kept every
      // padded id as a cache key and a limiter key: about 240 MB a round here.
      expect(rss[3]! - rss[1]!).toBeLessThan(60);
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  }, 180_000);
});
