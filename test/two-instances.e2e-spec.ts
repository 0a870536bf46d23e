import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, exchange, installedApp, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * How long until `check` holds, polling every 5 ms for up to 100 ms: each instance caches
 * verified tokens, and learns of another's revocations over LISTEN/NOTIFY.
 */
async function seenWithin(check: () => Promise<boolean>, limitMs = 100): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}

describe('two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  const latencies: number[] = [];
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({}, { schema: a.schema });
  });
  afterAll(async () => {
    console.log(`reliability: two instances: revocations seen on the other instance after ${latencies.join(', ')} ms`);
    await b.close();
    await a.close();
  });

  const rejectedOn = (instance: TestApp, slug: string, token: string) => async () =>
    (await instance.http().get(`/api/0/organizations/${slug}/`).set(bearer(token))).status === 401;

  it('rejects on B a code exchanged on A, and a replay after the grace window ends the family on both', async () => {
    const { organization, app, installation } = await installedApp(a);
    const issued = (await exchange(a, app, installation).expect(201)).body;
    await b.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(issued.token)).expect(200);
    expect((await exchange(b, app, installation).expect(403)).body.error).toBe('invalid_grant');
    await a.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(issued.token)).expect(200);
    b.clock.advance(61);
    try {
      expect((await exchange(b, app, installation).expect(403)).body.error).toBe('invalid_grant');
    } finally {
      b.clock.advance(-61);
    }
    latencies.push(await seenWithin(rejectedOn(a, organization.slug, issued.token)));
  });

  it('sees on B a token revoked on A through RFC 7009', async () => {
    const { organization, app, installation } = await installedApp(a);
    const issued = (await exchange(a, app, installation).expect(201)).body;
    await b.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(issued.token)).expect(200);
    await a.http()
      .post(`/api/0/sentry-app-installations/${installation.uuid}/authorizations/revoke/`)
      .send({ client_id: app.clientId, client_secret: app.clientSecret, token: issued.refreshToken })
      .expect(200);
    latencies.push(await seenWithin(rejectedOn(b, organization.slug, issued.token)));
  });

  it('sees on B the pair a refresh on A replaced', async () => {
    const { organization, app, installation } = await installedApp(a);
    const first = (await exchange(a, app, installation).expect(201)).body;
    await b.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(first.token)).expect(200);
    const second = (await refresh(a, app, installation, first.refreshToken).expect(201)).body;
    latencies.push(await seenWithin(rejectedOn(b, organization.slug, first.token)));
    await b.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(second.token)).expect(200);
  });

  it('sees on B an uninstall done on A', async () => {
    const { owner, organization, app, installation } = await installedApp(a);
    const { token } = (await exchange(b, app, installation).expect(201)).body;
    await b.http().get(`/api/0/organizations/${organization.slug}/`).set(bearer(token)).expect(200);
    await a.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(owner.token)).expect(204);
    latencies.push(await seenWithin(rejectedOn(b, organization.slug, token)));
    await exchange(b, app, installation).expect(404);
  });

  it('refuses on B a client secret rotated on A', async () => {
    const { owner, app, installation } = await installedApp(a);
    const rotated = await a.http().post(`/api/0/sentry-apps/${app.slug}/rotate-secret/`).set(bearer(owner.token)).expect(200);
    const stale = await exchange(b, app, installation).expect(401);
    expect(stale.body.error).toBe('invalid_client');
    await exchange(b, { ...app, clientSecret: rotated.body.clientSecret }, installation).expect(201);
  });
});
