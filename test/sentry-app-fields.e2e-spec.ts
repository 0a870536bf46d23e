import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createOrganization, createUser, unique, type TestOrganization, type TestUser } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Shaped like Sentry's documented UI components: an issue link, a stack trace link and an alert rule action.
const UI_SCHEMA = {
  elements: [
    {
      type: 'issue-link',
      link: { uri: '/sentry/issues/link', required_fields: [{ type: 'select', label: 'Issue', name: 'issue_id', uri: '/sentry/issues' }] },
      create: {
        uri: '/sentry/issues/create',
        required_fields: [{ type: 'text', label: 'Title', name: 'title', default: 'issue.title' }],
        optional_fields: [{ type: 'select', label: 'Owner', name: 'owner', uri: '/sentry/members', async: true, skip_load_on_open: false, depends_on: null }],
      },
    },
    { type: 'stacktrace-link', uri: '/sentry/issues/redirect' },
    { type: 'alert-rule-action', title: 'Create a Task ✓', settings: { type: 'alert-rule-settings', uri: '/sentry/alert-rule-action', required_fields: [{ type: 'textarea', label: 'Notes', name: 'notes', min: 0, ratio: 1.5 }] } },
  ],
};

const FIELDS = {
  author: 'Acme Engineering',
  overview: '# Acme\n\nLinks **issues** to tasks.',
  schema: UI_SCHEMA,
  isAlertable: true,
  allowedOrigins: ['https://acme.example', 'http://localhost:3000'],
};

/** An object nested `levels` levels deep. */
const nested = (levels: number): Record<string, unknown> => (levels === 1 ? {} : { a: nested(levels - 1) });

describe("Sentry's descriptive app fields", () => {
  let t: TestApp;
  let owner: TestUser;
  let organization: TestOrganization;
  let superuser: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await createUser(t);
    organization = await createOrganization(t, owner);
    superuser = await createUser(t, { superuser: true });
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>) =>
    t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: unique('app'), organization: organization.slug, scopes: ['org:read'], ...body });
  const show = (slug: string) => t.http().get(`/api/0/sentry-apps/${slug}/`).set(bearer(owner.token)).expect(200);
  const update = (slug: string, body: unknown, by = superuser) => t.http().put(`/api/0/sentry-apps/${slug}/`).set(bearer(by.token)).send(body as object);

  it('stores them on create and returns them, as sent, in every app body', async () => {
    const created = (await create(FIELDS).expect(201)).body;
    expect(created).toMatchObject(FIELDS);
    expect(created.schema).toEqual(UI_SCHEMA);
    expect((await show(created.slug)).body).toMatchObject(FIELDS);
    expect((await update(created.slug, { status: 'published' }).expect(200)).body).toMatchObject({ ...FIELDS, status: 'published' });
  });

  it('changes on PUT only the fields the body names, and clears a field sent as null', async () => {
    const created = (await create(FIELDS).expect(201)).body;
    const changed = (await update(created.slug, { overview: 'New words', isAlertable: false, allowedOrigins: null }).expect(200)).body;
    expect(changed).toMatchObject({ ...FIELDS, overview: 'New words', isAlertable: false, allowedOrigins: [], status: 'unpublished' });
    expect((await show(created.slug)).body).toMatchObject({ ...FIELDS, overview: 'New words', isAlertable: false, allowedOrigins: [] });
    const untouched = (await update(created.slug, {}).expect(200)).body;
    expect(untouched).toEqual((await show(created.slug)).body);
    expect((await update(created.slug, { schema: null, author: null }).expect(200)).body).toMatchObject({ schema: {}, author: null });
  });

  it('lets only a superuser change them with PUT', async () => {
    const created = (await create(FIELDS).expect(201)).body;
    await update(created.slug, { author: 'Mallory' }, owner).expect(403);
    expect((await show(created.slug)).body.author).toBe(FIELDS.author);
  });

  it.each([
    ['schema', 'an array', []],
    ['schema', 'a string', '{"elements": []}'],
    ['schema', 'nested 17 levels deep', nested(17)],
    ['schema', 'over 32 KiB', { blob: 'x'.repeat(33 * 1024) }],
    ['allowedOrigins', 'a URL with a path', ['https://acme.example/app']],
    ['allowedOrigins', 'a trailing slash', ['https://acme.example/']],
    ['allowedOrigins', 'a non-http scheme', ['ftp://acme.example']],
    ['allowedOrigins', 'a wildcard', ['*']],
    ['allowedOrigins', 'a bare host', ['acme.example']],
    ['allowedOrigins', 'an upper-case host', ['https://ACME.example']],
    ['allowedOrigins', 'credentials', ['https://user:pass@acme.example']],
    ['allowedOrigins', 'a string', 'https://acme.example'],
    ['allowedOrigins', 'too many', Array.from({ length: 51 }, (_, i) => `https://a${i}.example`)],
    ['author', 'over 200 characters', 'a'.repeat(201)],
    ['author', 'a number', 42],
    ['overview', 'an object', { text: 'hi' }],
    ['isAlertable', 'a string', 'yes'],
  ])('refuses %s given %s, on create and on update', async (field, _what, value) => {
    const refused = await create({ [field]: value }).expect(400);
    expect(Object.keys(refused.body.errors)).toContain(field);
    const { slug } = (await create({}).expect(201)).body;
    expect(Object.keys((await update(slug, { [field]: value }).expect(400)).body.errors)).toContain(field);
  });

  it('accepts a schema nested 16 levels deep and an IPv6 or port origin', async () => {
    const created = (await create({ schema: nested(16), allowedOrigins: ['http://[::1]:8080', 'https://acme.example:8443'] }).expect(201)).body;
    expect(created.schema).toEqual(nested(16));
    expect(created.allowedOrigins).toEqual(['http://[::1]:8080', 'https://acme.example:8443']);
  });

  it('answers a schema holding a lone surrogate with a 400, never a 500', async () => {
    const raw = (key: string, value: string) => `{"name":"${unique('app')}","organization":"${organization.slug}","scopes":[],"schema":{"${key}":"${value}"}}`;
    for (const body of [raw('label', 'broken \\ud800'), raw('\\udc00', 'fine')]) {
      const response = await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).set('Content-Type', 'application/json').send(body);
      expect(response.status).toBe(400);
      // The body parser names the very field: schema.label, or the ill-formed key under schema.
      expect(Object.keys(response.body.errors)).toEqual([expect.stringMatching(/^schema\./)]);
    }
  });
});
