import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, exchange, install, installedApp, refresh, tokenRequest } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { hookedApp, outboxIdle, waitFor, WebhookReceiver } from './support/webhook-receiver.js';

/** The value of one series in a Prometheus text exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const TOKEN_ROUTE = '/api/0/sentry-app-installations/:uuid/authorizations';

describe('Prometheus metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('counts token requests by grant type and outcome, and times requests by route template and status', async () => {
    const { app, installation } = await installedApp(t);
    const issued = await exchange(t, app, installation).expect(201);
    await refresh(t, app, installation, issued.body.refreshToken).expect(201);
    await exchange(t, app, installation).expect(403); // the code again
    await exchange(t, app, installation, { client_secret: 'f'.repeat(64) }).expect(401);
    await tokenRequest(t, installation.uuid).send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: `password-${Date.now()}` }).expect(403);
    await tokenRequest(t, '00000000-0000-4000-8000-000000000000').send({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token' }).expect(404);
    await t.http().get('/api/0/users/me/').set(bearer(issued.body.token)).expect(401); // revoked by the code's reuse

    const scrape = await t.http().get('/metrics').expect(200).expect('Content-Type', /^text\/plain; version=0\.0\.4/);
    const text = scrape.text;
    expect(sample(text, 'token_requests_total{grant_type="authorization_code",outcome="issued"}')).toBe(1);
    expect(sample(text, 'token_requests_total{grant_type="refresh_token",outcome="issued"}')).toBe(1);
    expect(sample(text, 'token_requests_total{grant_type="authorization_code",outcome="invalid_grant"}')).toBe(1);
    expect(sample(text, 'token_requests_total{grant_type="authorization_code",outcome="invalid_client"}')).toBe(1);
    // An unknown grant type is "other", so a caller cannot mint new series.
    expect(sample(text, 'token_requests_total{grant_type="other",outcome="unsupported_grant_type"}')).toBe(1);
    expect(sample(text, 'token_requests_total{grant_type="refresh_token",outcome="not_found"}')).toBe(1);
    expect(text).not.toMatch(/grant_type="password/);

    expect(sample(text, `http_request_duration_seconds_count{method="POST",route="${TOKEN_ROUTE}",status_code="201"}`)).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/api/0/users/me",status_code="401"}')).toBe(1);
    expect(sample(text, `http_request_duration_seconds_bucket{le="+Inf",method="POST",route="${TOKEN_ROUTE}",status_code="403"}`)).toBe(2);
    // Route templates, never raw paths: no installation uuid becomes a label.
    expect(text).not.toContain(installation.uuid);
  });

  it('reports the database pool, whether the token cache is online, webhook deliveries and the process defaults', async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    expect(sample(text, 'db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(sample(text, 'db_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'db_pool_connections{state="waiting"}')).toBe(0);
    expect(sample(text, 'db_pool_max_connections')).toBe(20);
    expect(sample(text, 'token_cache_online')).toBe(1);
    for (const outcome of ['delivered', 'retrying', 'failed', 'blocked']) expect(sample(text, `webhook_deliveries_total{outcome="${outcome}"}`)).toBe(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });
});

describe('webhook delivery metrics', () => {
  it('counts each recorded attempt by its outcome', async () => {
    const t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_BACKOFF_BASE_SECONDS: '0' });
    const receiver = await new WebhookReceiver((n) => (n === 1 ? 500 : 200)).start();
    try {
      const hooked = await hookedApp(t, receiver);
      await install(t, hooked.owner, hooked.organization, hooked.app);
      await waitFor('the retried delivery', () => receiver.answered(200).length === 1);
      await waitFor('the outbox to settle', () => outboxIdle(t));
      const text = (await t.http().get('/metrics').expect(200)).text;
      expect(sample(text, 'webhook_deliveries_total{outcome="retrying"}')).toBe(1);
      expect(sample(text, 'webhook_deliveries_total{outcome="delivered"}')).toBe(1);
      expect(sample(text, 'webhook_deliveries_total{outcome="failed"}')).toBe(0);
    } finally {
      await receiver.stop();
      await t.close();
    }
  });
});

describe('Prometheus metrics behind METRICS_TOKEN', () => {
  let t: TestApp;
  const metricsToken = 'scrape-token-0123456789';
  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: metricsToken });
  });
  afterAll(() => t.close());

  it('answers 401 without the token or with another, and the metrics with it', async () => {
    const missing = await t.http().get('/metrics').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(missing.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    await t.http().get('/metrics').set(bearer('scrape-token-9876543210')).expect(401);
    const scrape = await t.http().get('/metrics').set(bearer(metricsToken)).expect(200);
    expect(scrape.text).toContain('# TYPE token_requests_total counter');
  });
});
