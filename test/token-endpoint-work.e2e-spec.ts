import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { TokenInvalidationListener } from '../src/auth/token-invalidation.listener.js';
import { bearer, exchange, installedApp, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// The success path of the token endpoint is one statement, one transaction (npm run bench counts
// it under load): whatever the caches need must ride in it, not follow it in a round trip of its own.
describe('work per token request', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No background polling inside the windows measured here.
    t = await createTestApp({ WEBHOOK_POLL_INTERVAL_MS: '600000' });
  });
  afterAll(() => t.close());

  const readOrganization = (slug: string, token: string) => t.http().get(`/api/0/organizations/${slug}/`).set(bearer(token));

  /** The statements the server sends to PostgreSQL, on any of its connections, while `act` runs and for 200 ms after. */
  async function statementsDuring(act: () => Promise<unknown>): Promise<string[]> {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const [statement] = args as [string | { text: string }];
      const text = typeof statement === 'string' ? statement : statement.text;
      // The cache listener's heartbeat, every 5 s on its own connection, is no request's work.
      if (text !== 'SELECT 1') sent.push(text);
      return (query as (...rest: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      await act();
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      pg.Client.prototype.query = query;
    }
    return sent;
  }

  it('exchanges a code in one statement once its client is known', async () => {
    const { app, installation } = await installedApp(t);
    await t.app.get(TokenInvalidationListener).caughtUp(); // the set-up's cache hold is over
    await refresh(t, app, installation, 'not-a-refresh-token').expect(403); // authenticates the client, and fails
    await new Promise((resolve) => setTimeout(resolve, 200));
    const statements = await statementsDuring(() => exchange(t, app, installation).expect(201));
    expect(statements).toHaveLength(1);
  });

  it('refreshes in one statement, and the replaced access token is refused at once all the same', async () => {
    const { app, installation, organization } = await installedApp(t);
    // The set-up's writes hold the caches until this instance has heard them back; on a slow
    // machine the exchange could otherwise run inside that hold and leave its client uncached.
    await t.app.get(TokenInvalidationListener).caughtUp();
    const first = await exchange(t, app, installation).expect(201);
    await readOrganization(organization.slug, first.body.token).expect(200); // now served from the cache
    let next: { token: string } = { token: '' };
    const statements = await statementsDuring(async () => {
      next = (await refresh(t, app, installation, first.body.refreshToken).expect(201)).body;
    });
    expect(statements).toHaveLength(1);
    await readOrganization(organization.slug, first.body.token).expect(401);
    await readOrganization(organization.slug, next.token).expect(200);
  });

  it('refuses the replaced access token at once even while the cache listener lags behind', async () => {
    const { app, installation, organization } = await installedApp(t);
    const first = await exchange(t, app, installation).expect(201);
    await readOrganization(organization.slug, first.body.token).expect(200);
    // A backend busy in a statement holds back its notifications: this instance hears nothing for 1 s.
    const listener = (t.app.get(TokenInvalidationListener) as unknown as { client: pg.Client }).client;
    const busy = listener.query('SELECT pg_sleep(1)');
    try {
      await refresh(t, app, installation, first.body.refreshToken).expect(201);
      await readOrganization(organization.slug, first.body.token).expect(401);
    } finally {
      await busy;
    }
  });
});
