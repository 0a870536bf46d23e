import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { createOrganization, createSentryApp, createUser, exchange, install } from './support/factories.js';
import { requestArbitrary, type FuzzCase, type FuzzWorld } from './support/fuzz-arbitraries.js';
import { RawHttp, type RawResponse } from './support/raw-http.js';
import { apiRoutes } from './support/routes.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// 800 batches of 10 concurrent requests: over the 5,000 per run, in about 10 s on 2 cores.
const BATCHES = Number(process.env.FUZZ_BATCHES ?? 800);
const BATCH_SIZE = 10;
const TOKEN_ENDPOINT = /\/authorizations\/?(\?|$)/;

/** Fixtures in three roles: ones the fuzzer may only read or re-use, ones it may destroy, and the secrets it must never see echoed. */
async function buildWorld(t: TestApp): Promise<{ world: FuzzWorld; secrets: string[] }> {
  const superuser = await createUser(t, { superuser: true });
  const owner = await createUser(t);
  const organization = await createOrganization(t, owner);
  const bearerApp = await createSentryApp(t, owner, organization, { verifyInstall: false });
  const bearerInstallation = await install(t, owner, organization, bearerApp);
  const appToken = (await exchange(t, bearerApp, bearerInstallation).expect(201)).body.token as string;
  // The token endpoint's target: its codes and refresh tokens may be replayed and revoked at will.
  const tokenApp = await createSentryApp(t, owner, organization);
  const tokenInstallation = await install(t, owner, organization, tokenApp);
  const pair = (await exchange(t, tokenApp, tokenInstallation).expect(201)).body;
  const disposableApp = await createSentryApp(t, owner, organization);
  const disposableInstallation = await install(t, owner, organization, disposableApp);
  const world: FuzzWorld = {
    params: {
      organizationSlug: [organization.slug],
      slug: [bearerApp.slug, tokenApp.slug],
      uuid: [tokenInstallation.uuid, bearerInstallation.uuid, tokenInstallation.uuid.toUpperCase()],
    },
    disposableParams: { organizationSlug: [organization.slug], slug: [disposableApp.slug], uuid: [disposableInstallation.uuid] },
    bearerTokens: [owner.token, superuser.token, appToken],
    bodyValues: {
      client_id: [tokenApp.clientId, bearerApp.clientId],
      client_secret: [tokenApp.clientSecret],
      grant_type: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:sentry:params:oauth:grant-type:jwt-bearer'],
      code: [tokenInstallation.code!],
      refresh_token: [pair.refreshToken],
      token: [pair.token],
      state: ['s'],
      name: ['A name'],
      slug: [tokenApp.slug, 'a-slug'],
      organization: [organization.slug],
      email: [owner.email, 'new@example.com'],
      role: ['owner', 'manager', 'member'],
      scopes: ['org:read'],
      status: ['published', 'installed'],
      webhookUrl: ['https://example.com/hook'],
    },
  };
  return { world, secrets: [superuser.token, owner.token, appToken, pair.refreshToken, tokenApp.clientSecret, bearerApp.clientSecret, disposableApp.clientSecret] };
}

/** A URL the router can decode at all; one it cannot is answered 400 before any route is chosen. */
function decodable(path: string): boolean {
  try {
    decodeURI(path);
    return true;
  } catch {
    return false;
  }
}

/** The contract's promises for any response at all; returns what was broken, if anything. */
function violations(request: FuzzCase, response: RawResponse, secrets: string[], stored: ReadonlySet<string>): string[] {
  const found: string[] = [];
  if (response.status >= 500) found.push(`answered ${response.status}`);
  if (response.headers['x-content-type-options'] !== 'nosniff') found.push('no X-Content-Type-Options: nosniff');
  if (response.headers['x-powered-by'] !== undefined) found.push('sent X-Powered-By');
  if (!response.headers['x-request-id']) found.push('no X-Request-ID');
  if (response.status >= 400 && request.method !== 'HEAD') {
    const body = response.json as Record<string, unknown> | undefined;
    if (!String(response.headers['content-type']).startsWith('application/json')) found.push(`error body is ${response.headers['content-type']}`);
    if (typeof body?.detail !== 'string' || body.detail === '') found.push(`error body has no detail: ${response.text.slice(0, 200)}`);
    const routedToTokenEndpoint = TOKEN_ENDPOINT.test(request.path) && decodable(request.path);
    if (routedToTokenEndpoint && [400, 401, 403].includes(response.status) && typeof body?.error !== 'string') found.push('token error without an RFC 6749 error code');
  }
  if (TOKEN_ENDPOINT.test(request.path) && response.status < 300 && !String(response.headers['cache-control']).includes('no-store')) found.push('token response without no-store');
  if (/QueryFailedError|\bat [\w.<>]+ \(|node_modules|syntax error at or near/.test(response.text)) found.push('leaked internals');
  // A value the caller sent (a secret used as a name, say) may come back, and so may one that an
  // earlier write stored (an organization renamed to it); any other secret may not.
  const sent = `${request.path} ${JSON.stringify(request.headers)} ${String(request.body ?? '')}`;
  for (const secret of secrets) if (response.text.includes(secret) && !sent.includes(secret) && !stored.has(secret)) found.push(`echoed a secret (…${secret.slice(-4)})`);
  return found;
}

describe('fuzz: adversarial requests to every route', () => {
  let t: TestApp;
  let client: RawHttp;
  let world: FuzzWorld;
  let secrets: string[];
  beforeAll(async () => {
    t = await createTestApp();
    ({ world, secrets } = await buildWorld(t));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    client = new RawHttp((t.app.getHttpServer().address() as AddressInfo).port, BATCH_SIZE);
  });
  afterAll(async () => {
    client.close();
    await t.close();
  });

  it('never answers 5xx, and every error has the contract shape and headers', async () => {
    // The console's pages take forms, not JSON; the console's own tests send them hostile ones.
    const routes = apiRoutes(t.app);
    const statuses = new Map<number, number>();
    const perRoute = new Map<string, number>();
    const pastAuthentication = new Set<string>();
    let sent = 0;
    const stored = new Set<string>();
    const started = Date.now();
    const send = async (request: FuzzCase) => {
      if (request.method !== 'GET') for (const secret of secrets) if (String(request.body ?? '').includes(secret)) stored.add(secret);
      const response = await client.send(request);
      sent += 1;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      perRoute.set(request.route, (perRoute.get(request.route) ?? 0) + 1);
      if (response.status !== 401) pastAuthentication.add(request.route);
      return violations(request, response, secrets, stored).map((problem) => `${request.method} ${request.path}: ${problem}`);
    };
    await fc.assert(
      fc.asyncProperty(fc.array(requestArbitrary(routes, world), { minLength: BATCH_SIZE, maxLength: BATCH_SIZE }), async (batch) => {
        const problems = (await Promise.all(batch.map(send))).flat();
        if (problems.length) throw new Error(problems.join('\n'));
      }),
      // A failure prints its seed; FUZZ_SEED=<seed> replays that run.
      { numRuns: BATCHES, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
    );
    const seconds = (Date.now() - started) / 1000;
    const statusLine = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ');
    const routeLine = [...perRoute].map(([route, count]) => `  ${count}\t${route}`).join('\n');
    console.log(`reliability: fuzz sent ${sent} requests over ${routes.length} routes in ${seconds.toFixed(1)} s; statuses ${statusLine}\n${routeLine}`);
    expect(sent).toBeGreaterThanOrEqual(BATCHES * BATCH_SIZE);
    // The fuzzer got past authentication on every route, so validation and lookups were exercised too.
    expect(routes.map((route) => `${route.method} ${route.path}`).filter((route) => !pastAuthentication.has(route))).toEqual([]);
  }, 120_000);

  // Found by the fuzzer: Fastify answered these itself, before any hook, in its own body shape.
  it.each([
    ['an undecodable URL', '/api/0/sentry-app-installations/%ED%A0%80/', 400],
    ['a bare percent sign', '/api/0/sentry-app-installations/%/authorizations/', 400],
    ['a path parameter over 100 characters', `/api/0/organizations/${'a'.repeat(101)}/`, 414],
  ])('answers %s with {detail}, nosniff and a request id', async (_name, path, status) => {
    const response = await client.send({ method: 'POST', path, headers: [['Content-Type', 'application/json']], body: '{}' });
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ detail: expect.any(String) });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
