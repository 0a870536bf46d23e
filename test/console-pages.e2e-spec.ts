import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addMember, bearer, createOrganization, createSentryApp, createUser, exchange, install, publish, unique } from './support/factories.js';
import { csrfOf, signIn, submit, type Agent } from './support/console.js';
import { nastyString } from './support/fuzz-arbitraries.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('console pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('registers an app with the API\'s rules, showing each error beside its field', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const agent = await signIn(t, owner);
    const path = `/settings/${organization.slug}/developer-settings/new-public/`;
    const bad = await submit(agent, path, { name: '', webhookUrl: 'ftp://files.example', 'scope:org:read': 'on' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="name-error">[^<]*name should not be empty/);
    expect(bad.text).toMatch(/id="webhookUrl-error">webhookUrl must be an http\(s\) URL/);
    expect(bad.text).toContain('value="ftp://files.example"');
    const name = unique('Tracker');
    expect((await submit(agent, path, { name, 'scope:org:read': 'on', 'scope:event:read': 'on' })).status).toBe(303);
    const taken = await submit(agent, path, { name });
    expect(taken.text).toMatch(/id="name-error">A sentry app with this slug already exists\./);
    const page = await agent.get(`/settings/${organization.slug}/developer-settings/${name.toLowerCase()}/`).expect(200);
    expect(page.text).toContain('<code class="tag">org:read</code> <code class="tag">event:read</code>');
  });

  describe('a form sent twice (a double click, a resubmit) gets the answer its first sending got', () => {
    const secretOn = (html: string) => /id="client-secret">([0-9a-f]{64})</.exec(html)?.[1];

    /** Sends one form's fields twice at once, with the token of one page load, as a double click does. */
    async function sendTwice(agent: Agent, path: string, fields: Record<string, string>) {
      const csrf = csrfOf((await agent.get(path).expect(200)).text);
      return Promise.all([0, 1].map(() => agent.post(path).type('form').send({ _csrf: csrf, ...fields })));
    }

    /** An owner signed in to the console, a manager beside them, and their new-integration form. */
    async function registering() {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const manager = await addMember(t, organization, owner, 'manager');
      return { owner, organization, manager, agent: await signIn(t, owner), path: `/settings/${organization.slug}/developer-settings/new-public/` };
    }

    it('registering an app: one app, both answers go to it, and its page shows the secret that works, once', async () => {
      const { owner, organization, agent, path } = await registering();
      const fields = { name: unique('Twice'), 'scope:org:read': 'on', webhookUrl: 'https://hooks.example/in' };
      const slug = fields.name.toLowerCase();
      const appPage = `/settings/${organization.slug}/developer-settings/${slug}/`;
      const answers = await sendTwice(agent, path, fields);
      expect(answers.map((answer) => [answer.status, answer.headers.location])).toEqual([[303, appPage], [303, appPage]]);
      const secret = secretOn((await agent.get(appPage).expect(200)).text);
      expect(secret).toBeDefined();
      const [{ apps }] = await t.dataSource.query('SELECT count(*)::int AS apps FROM sentry_apps WHERE owner_organization_id = $1', [organization.id]);
      expect(apps).toBe(1);
      const { body: app } = await t.http().get(`/api/0/sentry-apps/${slug}/`).set(bearer(owner.token)).expect(200);
      const installation = await install(t, owner, organization, app);
      await exchange(t, { ...app, clientSecret: secret! }, installation).expect(201);
      // Sent once more after that (a resubmit): the same page, but the secret was shown once already.
      const again = await submit(agent, path, fields);
      expect([again.status, again.headers.location]).toEqual([303, appPage]);
      expect(secretOn((await agent.get(appPage).expect(200)).text)).toBeUndefined();
    });

    it('never shows a secret that someone else rotated in since, not even on the page the registration goes to', async () => {
      const { manager, agent, path } = await registering();
      const fields = { name: unique('Rotated'), 'scope:org:read': 'on' };
      const registered = await submit(agent, path, fields);
      expect(registered.status).toBe(303);
      // Before the owner's browser has followed the answer, a manager rotates the secret, and is shown it.
      const managerAgent = await signIn(t, manager);
      const rotate = await submit(managerAgent, `${registered.headers.location}rotate-secret/`, {}, registered.headers.location);
      const rotated = secretOn((await managerAgent.get(rotate.headers.location!).expect(200)).text);
      expect(rotated).toBeDefined();
      const seen = await agent.get(registered.headers.location!).expect(200);
      expect(secretOn(seen.text)).toBeUndefined();
      expect(seen.text).not.toContain(rotated);
      const resubmitted = await submit(agent, path, fields);
      expect(resubmitted.status).toBe(303);
      expect((await agent.get(resubmitted.headers.location!).expect(200)).text).not.toContain(rotated);
    });

    it('but another form under a taken name, another person, or the same form a minute later is told the name is taken, and sees no secret', async () => {
      const { manager, agent, path } = await registering();
      const fields = { name: unique('Taken'), 'scope:org:read': 'on' };
      expect((await submit(agent, path, fields)).status).toBe(303);
      const taken = (answer: { status: number; text: string }) => answer.status === 400 && answer.text.includes('A sentry app with this slug already exists.') && !secretOn(answer.text);
      expect(taken(await submit(agent, path, { ...fields, 'scope:event:read': 'on' }))).toBe(true);
      expect(taken(await submit(await signIn(t, manager), path, fields))).toBe(true);
      expect(await t.clock.ahead(61, async () => taken(await submit(agent, path, fields)))).toBe(true);
    });

    it('uninstalling: both answers say it is uninstalled, a reinstall made since is not touched, and a minute later it is not found', async () => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const app = await createSentryApp(t, owner, organization);
      const first = await install(t, owner, organization, app);
      const agent = await signIn(t, owner);
      const path = `/settings/${organization.slug}/sentry-apps/${app.slug}/uninstall/`;
      const confirm = (await agent.get(path).expect(200)).text;
      expect(confirm).toContain(`name="installation" value="${first.uuid}"`);
      const form = { _csrf: csrfOf(confirm), installation: first.uuid };
      const send = () => agent.post(path).type('form').send(form);
      const answers = await Promise.all([send(), send()]);
      expect(answers.map((answer) => [answer.status, answer.headers.location])).toEqual([0, 1].map(() => [303, `/settings/${organization.slug}/integrations/`]));
      expect((await agent.get(`/settings/${organization.slug}/integrations/`).expect(200)).text).toContain('is uninstalled; its tokens no longer work.');
      const [{ audited }] = await t.dataSource.query(`SELECT count(*)::int AS audited FROM audit_log_entries WHERE organization_id = $1 AND event = 'sentry-app.uninstall'`, [organization.id]);
      expect(audited).toBe(1);
      // Installed again meanwhile: the old form, sent once more, leaves the new installation alone.
      const second = await install(t, owner, organization, app);
      expect((await send()).status).toBe(303);
      const live = await t.dataSource.query('SELECT uuid FROM sentry_app_installations WHERE organization_id = $1 AND date_deleted IS NULL', [organization.id]);
      expect(live).toEqual([{ uuid: second.uuid }]);
      expect(await t.clock.ahead(61, async () => (await send()).status)).toBe(404);
      // Another organization's path with this installation finds nothing.
      const elsewhere = await createOrganization(t, owner);
      expect((await agent.post(`/settings/${elsewhere.slug}/sentry-apps/${app.slug}/uninstall/`).type('form').send({ _csrf: form._csrf, installation: second.uuid })).status).toBe(404);
      expect(await t.dataSource.query('SELECT uuid FROM sentry_app_installations WHERE organization_id = $1 AND date_deleted IS NULL', [organization.id])).toEqual([{ uuid: second.uuid }]);
    });
  });

  it("registers Sentry's descriptive fields, which the API returns and the consent page shows", async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const agent = await signIn(t, owner);
    const path = `/settings/${organization.slug}/developer-settings/new-public/`;
    const fields = { 'scope:org:read': 'on', author: 'Acme Labs', overview: 'Files issues.\nLinks commits.', isAlertable: 'on' };
    const bad = await submit(agent, path, { ...fields, name: unique('Described'), allowedOrigins: 'https://ok.example\nftp://nope.example/path' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="allowedOrigins-error">[^<]*scheme:\/\/host\[:port\]/);
    expect(bad.text).toContain('ftp://nope.example/path</textarea>');
    const name = unique('Described');
    expect((await submit(agent, path, { ...fields, name, allowedOrigins: ' https://ok.example \r\n\nhttp://127.0.0.1:3000\n' })).status).toBe(303);
    const slug = name.toLowerCase();
    const { body } = await t.http().get(`/api/0/sentry-apps/${slug}/`).set(bearer(owner.token)).expect(200);
    expect(body).toMatchObject({ author: 'Acme Labs', overview: 'Files issues.\nLinks commits.', isAlertable: true, allowedOrigins: ['https://ok.example', 'http://127.0.0.1:3000'] });
    const consent = await agent.get(`/sentry-apps/${slug}/external-install/`).expect(200);
    expect(consent.text).toContain('By Acme Labs');
    expect(consent.text).toContain('<p class="overview">Files issues.\nLinks commits.</p>');
  });

  it('shows the consent page only for apps one could install, and says so when it is already installed', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const stranger = await signIn(t, await createUser(t));
    // An unpublished app of someone else's organization is not found, as over the API.
    await stranger.get(`/sentry-apps/${app.slug}/external-install/`).expect(404);
    await stranger.get('/sentry-apps/no-such-app/external-install/').expect(404);
    const agent = await signIn(t, owner);
    const first = await submit(agent, `/sentry-apps/${app.slug}/external-install/`, { organization: organization.slug });
    expect(first.status).toBe(200);
    expect(first.text).toContain('is installed in');
    // Installed, and the code already exchanged: the page and a second accept both say so.
    await t.dataSource.query('UPDATE api_grants SET exchanged_at = now()');
    const page = await agent.get(`/sentry-apps/${app.slug}/external-install/`).expect(200);
    expect(page.text).toContain('is already installed in');
    expect(page.text).not.toContain('Accept &amp; Install');
    const again = await agent.post(`/sentry-apps/${app.slug}/external-install/`).type('form').send({ _csrf: csrfOf(page.text), organization: organization.slug }).expect(200);
    expect(again.text).toContain('was already installed');
  });

  it('tells a member without an organization to install into that they cannot install', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const member = await addMember(t, organization, owner, 'member');
    const page = await (await signIn(t, member)).get(`/sentry-apps/${app.slug}/external-install/`).expect(200);
    expect(page.text).toContain('You are not an owner or manager of an organization where');
    expect(page.text).not.toContain('Accept &amp; Install');
  });

  it('adds members with field errors for unknown and existing people, and offers a member no form', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const agent = await signIn(t, owner);
    const path = `/settings/${organization.slug}/members/`;
    expect((await submit(agent, path, { email: 'nobody@example.com', role: 'member' })).text).toMatch(/id="email-error">No user with this email\./);
    const person = await createUser(t);
    expect((await submit(agent, path, { email: person.email, role: 'member' })).status).toBe(303);
    const list = await agent.get(path).expect(200);
    expect(list.text).toContain(`${person.email} is now a member of`);
    expect((await submit(agent, path, { email: person.email, role: 'member' })).text).toMatch(/id="email-error">This user is already a member\./);
    const member = await signIn(t, person);
    expect((await member.get(path).expect(200)).text).not.toContain('Add a member');
    // With the member's own session and CSRF token (the sign-out form's), the form is still refused.
    const posted = await submit(member, path, { email: (await createUser(t)).email, role: 'member' });
    expect(posted.status).toBe(403);
  });

  it('offers in the add-member form only the roles the person may grant, and refuses a higher one posted anyway', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const manager = await addMember(t, organization, owner, 'manager');
    const path = `/settings/${organization.slug}/members/`;
    const offered = async (agent: Agent) => [...(await agent.get(path).expect(200)).text.matchAll(/<option value="(\w+)"/g)].map(([, role]) => role);
    expect(await offered(await signIn(t, owner))).toEqual(['owner', 'manager', 'member']);
    const asManager = await signIn(t, manager);
    expect(await offered(asManager)).toEqual(['manager', 'member']);
    const person = await createUser(t);
    expect((await submit(asManager, path, { email: person.email, role: 'owner' })).status).toBe(403);
    expect(await t.dataSource.query('SELECT 1 FROM organization_members WHERE user_id = $1', [person.id])).toEqual([]);
    expect((await submit(asManager, path, { email: person.email, role: 'manager' })).status).toBe(303);
  });

  it('lists on the consent page only the organizations where the person may install', async () => {
    const [person, other] = await Promise.all([createUser(t), createUser(t)]);
    const [owned, managed, joined] = await Promise.all([createOrganization(t, person), createOrganization(t, other), createOrganization(t, other)]);
    for (const [organization, role] of [[managed, 'manager'], [joined, 'member']] as const) {
      await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(other.token)).send({ email: person.email, role }).expect(201);
    }
    const vendor = await createUser(t);
    const app = await createSentryApp(t, vendor, await createOrganization(t, vendor));
    await publish(t, await createUser(t, { superuser: true }), app);
    const page = await (await signIn(t, person)).get(`/sentry-apps/${app.slug}/external-install/`).expect(200);
    const listed = [...page.text.matchAll(/<option value="([^"]+)"/g)].map(([, slug]) => slug);
    expect(listed.sort()).toEqual([owned.slug, managed.slug].sort());
  });

  it("shows an app only under its own organization's developer settings", async () => {
    const owner = await createUser(t);
    const [organization, other] = await Promise.all([createOrganization(t, owner), createOrganization(t, owner)]);
    const app = await createSentryApp(t, owner, organization);
    const agent = await signIn(t, owner);
    await agent.get(`/settings/${organization.slug}/developer-settings/${app.slug}/`).expect(200);
    await agent.get(`/settings/${other.slug}/developer-settings/${app.slug}/`).expect(404);
    const rotate = await submit(agent, `/settings/${other.slug}/developer-settings/${app.slug}/rotate-secret/`, {}, `/settings/${organization.slug}/developer-settings/${app.slug}/`);
    expect(rotate.status).toBe(404);
  });

  it('lets only superusers publish', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const agent = await signIn(t, owner);
    await agent.get('/manage/sentry-apps/').expect(403);
    const page = await agent.get('/organizations/');
    await agent.post(`/manage/sentry-apps/${app.slug}/status/`).type('form').send({ _csrf: csrfOf(page.text), status: 'published' }).expect(403);
    const root = await signIn(t, await createUser(t, { superuser: true }));
    expect((await submit(root, `/manage/sentry-apps/${app.slug}/status/`, { status: 'published' }, '/manage/sentry-apps/')).status).toBe(303);
    expect((await root.get('/manage/sentry-apps/')).text).toContain('is published.');
  });

  it('answers hostile form input with a page, never a 5xx, and echoes it only escaped', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    await install(t, owner, organization, app);
    const agent = await signIn(t, owner);
    const csrf = csrfOf((await agent.get('/organizations/')).text);
    const forms = [
      ['/organizations/new/', ['name', 'slug']],
      [`/settings/${organization.slug}/developer-settings/new-public/`, ['name', 'author', 'overview', 'webhookUrl', 'redirectUrl', 'allowedOrigins', 'scope:org:read', 'verifyInstall', 'isAlertable']],
      [`/settings/${organization.slug}/members/`, ['email', 'role']],
      [`/sentry-apps/${app.slug}/external-install/`, ['organization']],
      ['/settings/account/security/', ['current', 'password', 'confirm']],
    ] as const;
    let sent = 0;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...forms), fc.array(nastyString, { minLength: 1, maxLength: 5 }), fc.boolean(), async ([path, fields], values, duplicate) => {
      const body = new URLSearchParams({ _csrf: csrf });
      fields.forEach((field, index) => body.append(field, values[index % values.length]!));
      if (duplicate) body.append(fields[0], 'again');
      const response = await agent.post(path).type('form').send(body.toString());
      sent += 1;
      expect(response.status).toBeLessThan(500);
      // Random fields are sometimes a valid form (an organization named "a", slug "d"): its answer is the redirect after it.
      if (response.status === 303) expect(response.headers.location).toMatch(/^\/(?![/\\])/);
      else expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).not.toMatch(/<script>alert/);
    }), { numRuns: 150 });
    expect(sent).toBe(150);
  }, 60_000);
  it('takes only a form as a browser sends it: JSON with lists or objects where the page reads text is refused before any page reads it', async () => {
    const owner = await createUser(t);
    const organization = await createOrganization(t, owner);
    const app = await createSentryApp(t, owner, organization);
    const installation = await install(t, owner, organization, app);
    const agent = await signIn(t, owner);
    const csrf = csrfOf((await agent.get('/organizations/')).text);
    const name = unique('json');
    const pages: [string, Record<string, unknown>][] = [
      [`/settings/${organization.slug}/developer-settings/new-public/`, { name, allowedOrigins: ['https://a.example'], 'scope:org:read': 'on' }],
      ['/organizations/new/', { name: ['Acme'], slug: { $ne: '' } }],
      [`/settings/${organization.slug}/members/`, { email: [owner.email], role: 7 }],
      [`/sentry-apps/${app.slug}/external-install/`, { organization: [organization.slug] }],
      ['/settings/account/security/', { current: ['x'], password: { a: 1 }, confirm: null }],
      [`/settings/${organization.slug}/developer-settings/${app.slug}/rotate-secret/`, {}],
      ['/auth/logout/', {}],
    ];
    for (const [path, fields] of pages) {
      const response = await agent.post(path).set('Content-Type', 'application/json').send(JSON.stringify({ _csrf: csrf, ...fields }));
      expect([path, response.status, response.headers['content-type']]).toEqual([path, 415, expect.stringMatching(/^text\/html/)]);
      expect(response.text).toContain('application/x-www-form-urlencoded');
    }
    // Nothing happened: the session is still signed in, no app was added and the secret still works.
    const apps = await agent.get(`/settings/${organization.slug}/developer-settings/`).expect(200);
    expect([apps.text.includes(app.slug), apps.text.includes(name)]).toEqual([true, false]);
    await exchange(t, app, installation).expect(201);

    // A form the parser could not take (a field twice, a NUL) is a 400 page, not a CSRF refusal.
    const twice = await agent.post('/organizations/new/').type('form').send(`_csrf=${encodeURIComponent(csrf)}&name=a&name=b`);
    expect([twice.status, twice.text]).toEqual([400, expect.stringContaining('sent more than once')]);
    const nul = await agent.post('/organizations/new/').type('form').send(`_csrf=${encodeURIComponent(csrf)}&name=a%00b`);
    expect([nul.status, nul.text]).toEqual([400, expect.stringContaining('not well-formed')]);
    // Also where the page's target is read from the form (the organization to install into, the role to grant).
    const consent = await agent.post(`/sentry-apps/${app.slug}/external-install/`).type('form').send(`_csrf=${encodeURIComponent(csrf)}&organization=${organization.slug}&organization=${organization.slug}`);
    expect([consent.status, consent.text]).toEqual([400, expect.stringContaining('sent more than once')]);
    const member = await agent.post(`/settings/${organization.slug}/members/`).type('form').send(`_csrf=${encodeURIComponent(csrf)}&email=a%00b&role=member`);
    expect([member.status, member.text]).toEqual([400, expect.stringContaining('not well-formed')]);
  });
});
