import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrganization, createUser, fillAuditLog, type TestOrganization, type TestUser } from './support/factories.js';
import { signIn, submit, type Agent } from './support/console.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** The audit log page's rows, each as its cells' text: date and time, event and target, actor and address, details. */
function rowsOf(html: string): string[][] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1)
    .map(([, row]) => [...row!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map(([, cell]) => cell!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()));
}

describe('the audit log page', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function ownerOf(name?: string): Promise<{ owner: TestUser; organization: TestOrganization; agent: Agent }> {
    const owner = await createUser(t, { name });
    const organization = await createOrganization(t, owner);
    return { owner, organization, agent: await signIn(t, owner) };
  }

  it('shows the rows that changes made in the browser write, the same as the API writes: actor, address, target, details', async () => {
    const { owner, organization, agent } = await ownerOf('Olga Owner');
    const person = await createUser(t);
    expect((await submit(agent, `/settings/${organization.slug}/members/`, { email: person.email, role: 'manager' })).status).toBe(303);
    expect((await submit(agent, `/settings/${organization.slug}/developer-settings/new-public/`, { name: 'Audited App', 'scope:org:read': 'on' })).status).toBe(303);
    expect((await submit(agent, `/settings/${organization.slug}/developer-settings/audited-app/rotate-secret/`, {}, `/settings/${organization.slug}/developer-settings/audited-app/`)).status).toBe(303);
    const stored = await t.dataSource.query<{ event: string; actor_type: string; actor_id: string; actor_name: string; ip_address: string; target_object: string; data: object }[]>(
      'SELECT event, actor_type, actor_id, actor_name, ip_address, target_object, data FROM audit_log_entries WHERE organization_id = $1 ORDER BY id DESC', [organization.id]);
    const [{ id: memberId }] = await t.dataSource.query<{ id: string }[]>('SELECT id FROM organization_members WHERE user_id = $1', [person.id]);
    const [{ uuid: appUuid }] = await t.dataSource.query<{ uuid: string }[]>("SELECT uuid FROM sentry_apps WHERE slug = 'audited-app'");
    const actor = { actor_type: 'user', actor_id: owner.id, actor_name: 'Olga Owner', ip_address: expect.stringMatching(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/) };
    expect(stored).toEqual([
      { event: 'sentry-app.rotate-secret', ...actor, target_object: appUuid, data: { sentryApp: 'audited-app' } },
      { event: 'sentry-app.add', ...actor, target_object: appUuid, data: { sentryApp: 'audited-app', scopes: ['org:read'] } },
      { event: 'member.add', ...actor, target_object: memberId, data: { email: person.email, role: 'manager' } },
    ]);
    const page = await agent.get(`/settings/${organization.slug}/audit-log/`).expect(200);
    expect(rowsOf(page.text).map((cells) => cells.slice(1))).toEqual(stored.map((row) => [
      `${row.event} ${row.target_object}`, `Olga Owner ${row.ip_address}`,
      Object.entries(row.data).map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : value}`).join(' '),
    ]));
  });

  it('pages back 100 rows at a time, newest first, and answers a cursor it did not hand out with a 400 page', async () => {
    const { organization, agent } = await ownerOf();
    await fillAuditLog(t, organization, 205);
    const targets: string[] = [];
    const sizes: number[] = [];
    let path: string | undefined = `/settings/${organization.slug}/audit-log/`;
    while (path) {
      const html: string = (await agent.get(path).expect(200)).text;
      const rows = rowsOf(html);
      sizes.push(rows.length);
      targets.push(...rows.map((cells) => cells[1]!.split(' ')[1]!));
      path = /<a href="([^"]+)" rel="next">Older entries<\/a>/.exec(html)?.[1];
    }
    expect(sizes).toEqual([100, 100, 5]);
    expect(targets).toEqual(Array.from({ length: 205 }, (_, index) => String(205 - index)));
    for (const cursor of ['not-a-cursor', 'aWQ6MA', '%00', 'x'.repeat(500)]) {
      const refused = await agent.get(`/settings/${organization.slug}/audit-log/?cursor=${cursor}`);
      expect(refused.status).toBe(400);
      expect(refused.headers['content-type']).toMatch(/^text\/html/);
    }
    await agent.get(`/settings/${organization.slug}/audit-log/?cursor=a&cursor=b`).expect(400);
  });

  it('renders an actor named like a script as text', async () => {
    const { organization, agent } = await ownerOf('<script>alert(1)</script>');
    await submit(agent, `/settings/${organization.slug}/members/`, { email: (await createUser(t)).email, role: 'member' });
    const page = await agent.get(`/settings/${organization.slug}/audit-log/`).expect(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
