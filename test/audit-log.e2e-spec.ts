import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JanitorService } from '../src/janitor/janitor.service.js';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { randomHex } from '../src/common/crypto.js';
import {
  addMember, bearer, callsOrganization, createOrganization, createSentryApp, createUser, exchange, install, installedApp, publish, refresh, signClientJwt, tokenRequest,
  type TestOrganization, type TestUser,
} from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Row {
  id: string;
  event: string;
  actor: { type: string; id: string; name: string };
  ipAddress: string | null;
  targetObject: string;
  data: Record<string, unknown>;
  dateCreated: string;
}

const LOOPBACK = /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/;

describe('the audit log', () => {
  let t: TestApp;
  let root: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    root = await createUser(t, { superuser: true });
  });
  afterAll(() => t.close());

  const auditLog = async (organization: TestOrganization, by: TestUser = root, query = ''): Promise<Row[]> =>
    (await t.http().get(`/api/0/organizations/${organization.slug}/audit-logs/${query}`).set(bearer(by.token)).expect(200)).body.rows;

  it('records who added a member, with which role, from which address, and when', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const user = await createUser(t);
    const before = Date.now();
    const added = await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(owner.token)).send({ email: user.email, role: 'manager' }).expect(201);
    const rows = await auditLog(organization, owner);
    expect(rows).toEqual([{
      id: expect.any(String),
      event: 'member.add',
      actor: { type: 'user', id: owner.id, name: owner.email },
      ipAddress: expect.stringMatching(LOOPBACK),
      targetObject: added.body.id,
      data: { email: user.email, role: 'manager' },
      dateCreated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    }]);
    expect(Date.parse(rows[0]!.dateCreated)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('records an app being created, published, given a new secret, installed and uninstalled, newest first', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization, { scopes: ['org:read'] });
    await publish(t, root, app);
    await publish(t, root, app);
    await t.http().post(`/api/0/sentry-apps/${app.slug}/rotate-secret/`).set(bearer(owner.token)).expect(200);
    const installation = await install(t, owner, organization, app);
    await install(t, owner, organization, app);
    await t.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(owner.token)).expect(204);
    const rows = await auditLog(organization, owner);
    expect(rows.map(({ event, actor, targetObject, data }) => ({ event, actor: actor.id, targetObject, data }))).toEqual([
      { event: 'sentry-app.uninstall', actor: owner.id, targetObject: installation.uuid, data: { sentryApp: app.slug } },
      { event: 'sentry-app.install', actor: owner.id, targetObject: installation.uuid, data: { sentryApp: app.slug } },
      { event: 'sentry-app.rotate-secret', actor: owner.id, targetObject: app.uuid, data: { sentryApp: app.slug } },
      { event: 'sentry-app.edit', actor: root.id, targetObject: app.uuid, data: { sentryApp: app.slug, status: 'published' } },
      { event: 'sentry-app.add', actor: owner.id, targetObject: app.uuid, data: { sentryApp: app.slug, scopes: ['org:read'] } },
    ]);
    expect(rows.map((row) => Number(row.id))).toEqual(rows.map((row) => Number(row.id)).sort((a, b) => b - a));
  });

  it("records an install in the installing organization's log, not the owner's", async () => {
    const vendor = await createUser(t);
    const home = await createOrganization(t, vendor);
    const app = await createSentryApp(t, vendor, home);
    await publish(t, root, app);
    const customer = await createUser(t);
    const elsewhere = await createOrganization(t, customer);
    const installation = await install(t, customer, elsewhere, app);
    expect((await auditLog(elsewhere, customer)).map((row) => [row.event, row.targetObject])).toEqual([['sentry-app.install', installation.uuid]]);
    expect((await auditLog(home, vendor)).map((row) => row.event)).toEqual(['sentry-app.edit', 'sentry-app.add']);
  });

  describe('token families', () => {
    const revocations = async (organization: TestOrganization) => (await auditLog(organization)).filter((row) => row.event === 'token.family-revoke');

    it('records a code replayed after the grace window, on behalf of the app, with reason code-replay', async () => {
      const { app, organization, installation } = await installedApp(t);
      await exchange(t, app, installation).expect(201);
      // A double submit inside the window revokes nothing, so there is nothing to record.
      await exchange(t, app, installation).expect(403);
      expect(await revocations(organization)).toEqual([]);
      t.clock.advance(t.config.REFRESH_GRACE_SECONDS + 1);
      await exchange(t, app, installation).expect(403);
      expect(await revocations(organization)).toEqual([expect.objectContaining({
        actor: { type: 'sentry_app', id: app.uuid, name: expect.any(String) },
        ipAddress: expect.stringMatching(LOOPBACK),
        targetObject: installation.uuid,
        data: { reason: 'code-replay', sentryApp: app.slug, tokens: 1 },
      })]);
      await exchange(t, app, installation).expect(403);
      expect(await revocations(organization)).toHaveLength(1);
    });

    it('records a reused refresh token with reason refresh-reuse', async () => {
      const { app, organization, installation } = await installedApp(t);
      const first = (await exchange(t, app, installation).expect(201)).body;
      await refresh(t, app, installation, first.refreshToken).expect(201);
      t.clock.advance(t.config.REFRESH_GRACE_SECONDS + 1);
      await refresh(t, app, installation, first.refreshToken).expect(403);
      expect((await revocations(organization)).map((row) => row.data)).toEqual([{ reason: 'refresh-reuse', sentryApp: app.slug, tokens: 1 }]);
    });

    it('records a manual refresh and an RFC 7009 revocation, but not a revocation of an unknown token', async () => {
      const { app, organization, installation } = await installedApp(t);
      await exchange(t, app, installation).expect(201);
      // Signed at the server's time, which an earlier test moved on.
      const iat = Math.floor(t.clock.now().getTime() / 1000);
      const jwt = await signClientJwt(app, { iat, exp: iat + 60 });
      const fresh = (await tokenRequest(t, installation.uuid).set('Authorization', `Bearer ${jwt}`).send({ grant_type: JWT_BEARER_GRANT }).expect(201)).body;
      const url = `/api/0/sentry-app-installations/${installation.uuid}/authorizations/revoke/`;
      await t.http().post(url).send({ client_id: app.clientId, client_secret: app.clientSecret, token: randomHex(32) }).expect(200);
      await t.http().post(url).send({ client_id: app.clientId, client_secret: app.clientSecret, token: fresh.token }).expect(200);
      expect((await revocations(organization)).map((row) => row.data.reason)).toEqual(['revocation', 'manual-refresh']);
    });

    it('records an uninstall as sentry-app.uninstall only', async () => {
      const { owner, app, organization, installation } = await installedApp(t);
      await exchange(t, app, installation).expect(201);
      await t.http().delete(`/api/0/sentry-app-installations/${installation.uuid}/`).set(bearer(owner.token)).expect(204);
      expect(await revocations(organization)).toEqual([]);
    });
  });

  describe('in the same transaction as the change', () => {
    const fault = (sql: string) => t.dataSource.query(sql);

    it('leaves no row when the change fails to commit, and no change when its row cannot be written', async () => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const user = await createUser(t);
      // The membership fails at COMMIT, after both of its statements ran.
      await fault(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
      await fault(`CREATE CONSTRAINT TRIGGER refuse_member AFTER INSERT ON organization_members DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.user_id = ${Number(user.id)}) EXECUTE FUNCTION refuse()`);
      try {
        const failed = await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(owner.token)).send({ email: user.email, role: 'member' });
        expect(failed.status).toBeGreaterThanOrEqual(500);
        expect(await auditLog(organization, owner)).toEqual([]);
      } finally {
        await fault('DROP TRIGGER refuse_member ON organization_members');
      }
      // A code replayed after the grace window whose audit row cannot be written revokes nothing.
      const { app, installation, organization: target } = await installedApp(t);
      const pair = (await exchange(t, app, installation).expect(201)).body;
      t.clock.advance(t.config.REFRESH_GRACE_SECONDS + 1);
      await fault(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log_entries FOR EACH ROW WHEN (NEW.event = 'token.family-revoke') EXECUTE FUNCTION refuse()`);
      try {
        expect((await exchange(t, app, installation)).status).toBeGreaterThanOrEqual(500);
        expect(await callsOrganization(t, target.slug, pair.token)).toBe(200);
      } finally {
        await fault('DROP TRIGGER refuse_audit ON audit_log_entries');
        await fault('DROP FUNCTION refuse()');
      }
      await exchange(t, app, installation).expect(403);
      expect(await callsOrganization(t, target.slug, pair.token)).toBe(401);
    });
  });

  describe('reading it', () => {
    let owner: TestUser;
    let organization: TestOrganization;
    const ENTRIES = 205;
    beforeAll(async () => {
      owner = await createUser(t);
      organization = await createOrganization(t, owner);
      const users = await Promise.all(Array.from({ length: ENTRIES }, () => createUser(t)));
      for (let start = 0; start < ENTRIES; start += 25) {
        await Promise.all(users.slice(start, start + 25).map((user) =>
          t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(owner.token)).send({ email: user.email, role: 'member' }).expect(201)));
      }
    });

    it('pages back 100 rows at a time, newest first, through the cursor in the Link header', async () => {
      const seen: string[] = [];
      let query = '';
      const sizes: number[] = [];
      for (;;) {
        const response = await t.http().get(`/api/0/organizations/${organization.slug}/audit-logs/${query}`).set(bearer(owner.token)).expect(200);
        sizes.push(response.body.rows.length);
        seen.push(...response.body.rows.map((row: Row) => row.id));
        const next = /<([^>]+)>; rel="next"; results="true"; cursor="([^"]+)"/.exec(response.headers.link ?? '');
        if (!next) break;
        expect(next[1]).toBe(`/api/0/organizations/${organization.slug}/audit-logs/?cursor=${next[2]}`);
        query = `?cursor=${next[2]}`;
      }
      expect(sizes).toEqual([100, 100, 5]);
      expect(new Set(seen).size).toBe(ENTRIES);
      expect(seen.map(Number)).toEqual(seen.map(Number).sort((a, b) => b - a));
    });

    it('refuses a cursor it did not hand out with 400', async () => {
      const url = `/api/0/organizations/${organization.slug}/audit-logs/`;
      const forged = (body: string) => Buffer.from(body).toString('base64url');
      for (const cursor of ['garbage!', forged('id:abc'), forged('id:0'), forged(`id:${'9'.repeat(19)}`), forged('id:-5'), 'x'.repeat(500), '%00']) {
        const response = await t.http().get(`${url}?cursor=${encodeURIComponent(cursor)}`).set(bearer(owner.token)).expect(400);
        expect(response.body).toEqual({ detail: 'Invalid request', errors: { cursor: [expect.any(String)] } });
      }
      await t.http().get(`${url}?cursor=a&cursor=b`).set(bearer(owner.token)).expect(400);
    });

    it("shows only the organization's own rows, to its owners and managers and to superusers", async () => {
      const manager = await addMember(t, organization, owner, 'manager');
      const member = await addMember(t, organization, owner, 'member');
      const { app, installation, organization: other } = await installedApp(t, { scopes: ['org:read', 'org:admin'] });
      const asManager = await auditLog(organization, manager);
      expect(asManager[0]).toMatchObject({ event: 'member.add', data: { email: member.email } });
      expect(asManager.every((row) => row.event === 'member.add')).toBe(true);
      expect((await auditLog(other, root)).map((row) => row.event)).toEqual(['sentry-app.install', 'sentry-app.add']);
      await t.http().get(`/api/0/organizations/${organization.slug}/audit-logs/`).set(bearer(member.token)).expect(403);
      const { token } = (await exchange(t, app, installation).expect(201)).body;
      await t.http().get(`/api/0/organizations/${other.slug}/audit-logs/`).set(bearer(token)).expect(403);
    });

    it('is never deleted by the janitor', async () => {
      const before = await auditLog(organization);
      t.clock.advance(400 * 24 * 3600);
      await t.app.get(JanitorService).run();
      expect(await auditLog(organization)).toEqual(before);
    });
  });
});

describe('the audit log behind a proxy', () => {
  it("records the client X-Forwarded-For names when TRUST_PROXY is on, and the peer's address when it is off", async () => {
    for (const trusted of [true, false]) {
      const t = await createTestApp({ TRUST_PROXY: String(trusted) });
      try {
        const owner = await createUser(t);
        const organization = await createOrganization(t, owner);
        const user = await createUser(t);
        await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(owner.token)).set('X-Forwarded-For', '203.0.113.9').send({ email: user.email, role: 'member' }).expect(201);
        const [row] = (await t.http().get(`/api/0/organizations/${organization.slug}/audit-logs/`).set(bearer(owner.token)).expect(200)).body.rows;
        expect(row.ipAddress).toMatch(trusted ? /^203\.0\.113\.9$/ : LOOPBACK);
      } finally {
        await t.close();
      }
    }
  });

  it('records the address the nearest trusted proxy saw, never one the client wrote in front of it', async () => {
    // One proxy (true), two (a balancer behind a CDN), or the proxies named (the test's own address).
    for (const [setting, expected] of [['true', '203.0.113.9'], ['2', '198.51.100.4'], ['127.0.0.1,::1,::ffff:127.0.0.1', '203.0.113.9']] as const) {
      const t = await createTestApp({ TRUST_PROXY: setting });
      try {
        const owner = await createUser(t);
        const organization = await createOrganization(t, owner);
        const user = await createUser(t);
        await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(owner.token))
          .set('X-Forwarded-For', '1.3.3.7, 198.51.100.4, 203.0.113.9').send({ email: user.email, role: 'member' }).expect(201);
        const [row] = (await t.http().get(`/api/0/organizations/${organization.slug}/audit-logs/`).set(bearer(owner.token)).expect(200)).body.rows;
        expect([setting, row.ipAddress]).toEqual([setting, expected]);
      } finally {
        await t.close();
      }
    }
  });
});
