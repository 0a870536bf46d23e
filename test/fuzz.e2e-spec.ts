import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { connect, type AddressInfo } from 'node:net';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { bearer, createOrganization, createSentryApp, createUser, exchange, install, unique } from './support/factories.js';
import { halfSentArbitrary, HOSTILE_URLS, illFormed, requestArbitrary, type FuzzCase, type FuzzWorld, type HostileClass } from './support/fuzz-arbitraries.js';
import { RawHttp, type RawResponse } from './support/raw-http.js';
import { apiRoutes, controllerRoutes, type AppRoute } from './support/routes.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// 800 batches of 10 concurrent requests: over the 5,000 per run, in about 10 s on 2 cores.
const BATCHES = Number(process.env.FUZZ_BATCHES ?? 800);
const BATCH_SIZE = 10;
const TOKEN_ENDPOINT = /\/authorizations\/?(\?|$)/;
// Short enough that half-sent requests end quickly, long enough for a loaded machine's complete ones.
const LIMITS = { HTTP_HEADERS_TIMEOUT_MS: 1000, HTTP_REQUEST_TIMEOUT_MS: 2000 };
const TOKEN_ROUTES = new Set(['POST /api/0/sentry-app-installations/:uuid/authorizations', 'POST /api/0/sentry-app-installations/:uuid/authorizations/revoke']);

/** Fixtures in three roles: ones the fuzzer may only read or re-use, ones it may destroy, and the secrets it must never see echoed. */
async function buildWorld(t: TestApp): Promise<{ world: FuzzWorld; secrets: string[]; owner: { token: string }; organization: { slug: string } }> {
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
      redirectUrl: ['https://example.com/setup?x=1'],
    },
    jwtSigner: { clientId: tokenApp.clientId, clientSecret: tokenApp.clientSecret },
  };
  return { owner, organization, world, secrets: [superuser.token, owner.token, appToken, pair.refreshToken, tokenApp.clientSecret, bearerApp.clientSecret, disposableApp.clientSecret] };
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

/** The body as the server reads it, when the test can tell: a JSON or form body of exactly that type. */
function readBody(request: FuzzCase): unknown {
  const type = request.headers?.filter(([name]) => name.toLowerCase() === 'content-type').map(([, value]) => value);
  // Over 64 KiB the server answers 413 without reading it.
  if (type?.length !== 1 || typeof request.body !== 'string' || Buffer.byteLength(request.body) > 64 * 1024) return undefined;
  if (type[0] === 'application/x-www-form-urlencoded') {
    const pairs = [...new URLSearchParams(request.body)];
    // A repeated parameter is refused whole (RFC 6749 §3.2).
    return new Set(pairs.map(([key]) => key)).size === pairs.length ? Object.fromEntries(pairs) : undefined;
  }
  // Fastify's parser refuses prototype-poisoning keys outright.
  if (type[0] !== 'application/json' || /__proto__|constructor/.test(request.body)) return undefined;
  try {
    return JSON.parse(request.body) as unknown;
  } catch {
    return undefined;
  }
}

/** The path reaches this route: its parameters are single segments of at most 100 characters (or 414), with at most one trailing slash. */
function routesTo(path: string, route: AppRoute): boolean {
  return new RegExp(`^${route.path.replace(/:\w+/g, '[^/]{1,100}')}/?(\\?.*)?$`).test(path);
}

/** Deeper than 32 levels, or a key or string that is not well-formed UTF-16 or holds NUL (the contract's v1.1 hostile input). */
function isHostile(value: unknown, depth = 1): boolean {
  const sane = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/.test(text);
  if (typeof value === 'string') return !sane(value);
  if (typeof value !== 'object' || value === null) return false;
  if (depth > 32) return true;
  return Object.entries(value).some(([key, item]) => !sane(key) || isHostile(item, depth + 1));
}

/** Claims of the manual-refresh JWT in the request's Authorization header. */
function jwtClaims(request: FuzzCase): Record<string, unknown> | undefined {
  const authorization = request.headers?.find(([name]) => name === 'Authorization')?.[1];
  const payload = /^Bearer (?:[\w-]+)\.([\w-]+)\.[\w-]+$/.exec(authorization ?? '')?.[1];
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
}

/**
 * What the contract (v1.1) says of hostile input in particular: a body a route reads is
 * never accepted when it is hostile; a token request whose client id is not exactly 64
 * lowercase hex is the one invalid_client answer; a manual-refresh JWT with a hostile
 * claim cannot be validated.
 */
function hostileInputViolations(request: FuzzCase, response: RawResponse, routes: Map<string, AppRoute>): string[] {
  const route = routes.get(request.route);
  if (!route || request.method !== route.method || !decodable(request.path) || !routesTo(request.path, route)) return [];
  const body = readBody(request);
  const hostile = body !== undefined && isHostile(body);
  if (hostile && route.readsBody && response.status < 300) return [`accepted a hostile body with ${response.status}`];
  if (!TOKEN_ROUTES.has(request.route) || hostile || !body || typeof body !== 'object' || Array.isArray(body)) return [];
  const fields = body as Record<string, unknown>;
  const error = (response.json as { error?: string; detail?: string } | undefined);
  if (fields.grant_type === JWT_BEARER_GRANT) {
    const claims = jwtClaims(request);
    const now = Date.now() / 1000;
    const bad = claims && (typeof claims.jti === 'string' && isHostile(claims.jti) || Number(claims.iat) > now + 60 || (typeof claims.iss === 'string' && !/^[0-9a-f]{64}$/.test(claims.iss)));
    return bad && (response.status !== 401 || error?.detail !== 'Could not validate JWT') ? [`a hostile JWT got ${response.status} ${error?.detail}`] : [];
  }
  const basic = request.headers?.some(([name, value]) => name === 'Authorization' && /^\s*basic/i.test(value));
  const clientId = fields.client_id;
  const wellFormed = typeof clientId === 'string' && /^[0-9a-f]{64}$/.test(clientId);
  if (!basic && !wellFormed && (response.status !== 401 || error?.error !== 'invalid_client')) return [`client_id ${JSON.stringify(String(clientId).slice(0, 80))} got ${response.status} ${error?.error}`];
  return [];
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
  let port: number;
  let world: FuzzWorld;
  let secrets: string[];
  let owner: { token: string };
  let organization: { slug: string };
  beforeAll(async () => {
    t = await createTestApp(Object.fromEntries(Object.entries(LIMITS).map(([name, value]) => [name, String(value)])));
    ({ world, secrets, owner, organization } = await buildWorld(t));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    client = new RawHttp(port, BATCH_SIZE);
  });
  afterAll(async () => {
    client.close();
    await t.close();
  });

  it('never answers 5xx, and every error has the contract shape and headers', async () => {
    // The console's pages take forms, not JSON; the console's own tests send them hostile ones.
    const routes = apiRoutes(t.app);
    const byName = new Map(routes.map((route) => [`${route.method} ${route.path}`, route]));
    const classes = new Map<HostileClass, number>();
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
      for (const hostile of new Set(request.classes)) classes.set(hostile, (classes.get(hostile) ?? 0) + 1);
      const problems = [...violations(request, response, secrets, stored), ...hostileInputViolations(request, response, byName)];
      return problems.map((problem) => `${request.method} ${request.path.slice(0, 200)}: ${problem}`);
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
    const classLine = [...classes].sort().map(([hostile, count]) => `${hostile}×${count}`).join(' ');
    console.log(`reliability: fuzz sent ${sent} requests over ${routes.length} routes in ${seconds.toFixed(1)} s; statuses ${statusLine}; hostile classes ${classLine}\n${routeLine}`);
    expect(sent).toBeGreaterThanOrEqual(BATCHES * BATCH_SIZE);
    // The fuzzer got past authentication on every route, so validation and lookups were exercised too.
    expect(routes.map((route) => `${route.method} ${route.path}`).filter((route) => !pastAuthentication.has(route))).toEqual([]);
    expect([...classes.keys()].sort()).toEqual(['deep', 'disguised-id', 'hostile-jwt', 'hostile-url', 'ill-formed']);
  }, 120_000);

  it('cuts off half-sent requests on every route, with a 4xx or by closing, within the request limit', async () => {
    const routes = controllerRoutes(t.app);
    const cases = fc.sample(halfSentArbitrary(routes, world), { numRuns: 60, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) });
    const endings = await Promise.all(cases.map(({ request, bytes }) => new Promise<{ request: FuzzCase; afterMs: number; status: number }>((resolve) => {
      const started = Date.now();
      let text = '';
      const socket = connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ request, afterMs: Date.now() - started, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0) }));
    })));
    const slowest = Math.max(...endings.map(({ afterMs }) => afterMs));
    console.log(`reliability: fuzz half-sent ${endings.length} requests; all cut off, the slowest after ${slowest} ms (request limit ${LIMITS.HTTP_REQUEST_TIMEOUT_MS} ms)`);
    expect(endings.filter(({ status }) => status !== 0 && (status < 400 || status >= 500)).map(({ request, status }) => `${request.method} ${request.path}: ${status}`)).toEqual([]);
    expect(slowest).toBeLessThan(LIMITS.HTTP_REQUEST_TIMEOUT_MS + 1000);
  }, 30_000);

  it('installs apps created with hostile redirect URLs without a 5xx, whatever was stored', async () => {
    const url = fc.oneof(fc.constantFrom(...HOSTILE_URLS), fc.constantFrom(...HOSTILE_URLS).chain(illFormed), fc.webUrl());
    await fc.assert(fc.asyncProperty(url, async (redirectUrl) => {
      const created = await client.send({ method: 'POST', path: '/api/0/sentry-apps/', headers: [['Content-Type', 'application/json'], ...Object.entries(bearer(owner.token))],
        body: JSON.stringify({ name: unique('Hostile'), organization: organization.slug, scopes: ['org:read'], redirectUrl }) });
      expect([201, 400]).toContain(created.status);
      if (created.status !== 201) return;
      const installed = await client.send({ method: 'POST', path: `/api/0/organizations/${organization.slug}/sentry-app-installations/`, headers: [['Content-Type', 'application/json'], ...Object.entries(bearer(owner.token))],
        body: JSON.stringify({ slug: (created.json as { slug: string }).slug }) });
      expect(installed.status).toBe(200);
      const redirect = (installed.json as { redirectUrl?: string }).redirectUrl;
      if (redirect !== undefined) expect(URL.canParse(redirect)).toBe(true);
    }), { numRuns: 40, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) });
  }, 60_000);

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
