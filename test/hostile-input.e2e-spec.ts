import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createOrganization, createSentryApp, createUser, exchange, install, installedApp, tokenRequest } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const nested = (depth: number, leaf = '"x"') => '['.repeat(depth) + leaf + ']'.repeat(depth);
const ILL_FORMED = 'must be well-formed UTF-16 text without NUL characters';

describe('hostile input: answered 4xx before any database work (contract v1.1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('nesting', () => {
    it('refuses JSON nested deeper than 32 levels with 400, however deep', async () => {
      const user = await createUser(t);
      for (const depth of [32, 100, 1500, 20000]) {
        const body = `{"name":${nested(depth)}}`;
        const response = await t.http().post('/api/0/organizations/').set(bearer(user.token)).set('Content-Type', 'application/json').send(body).expect(400);
        expect(response.body).toEqual({ detail: 'The request body is nested deeper than 32 levels.' });
      }
    });

    it('reads 32 levels, so the field is judged on its merits', async () => {
      const user = await createUser(t);
      const response = await t.http().post('/api/0/organizations/').set(bearer(user.token)).set('Content-Type', 'application/json').send(`{"name":${nested(31)}}`).expect(400);
      expect(response.body).toMatchObject({ detail: 'Invalid request', errors: { name: expect.any(Array) } });
    });

    it('answers the token endpoint 401 invalid_request', async () => {
      const { installation } = await installedApp(t);
      const response = await tokenRequest(t, installation.uuid).set('Content-Type', 'application/json').send(`{"client_id":${nested(1500)}}`).expect(401);
      expect(response.body).toEqual({ detail: 'Invalid request', error: 'invalid_request' });
    });
  });

  describe('ill-formed text: lone surrogates and NUL', () => {
    it.each([
      ['a lone high surrogate', 'x\ud800y@example.com'],
      ['a lone low surrogate', 'x\udc00@example.com'],
      ['a reversed pair', '\udfff\ud800@example.com'],
      ['NUL', 'x\u0000@example.com'],
    ])('answers 400 naming the email that holds %s, for a new user and a new member', async (_name, email) => {
      const superuser = await createUser(t, { superuser: true });
      const created = await t.http().post('/api/0/users/').set(bearer(superuser.token)).send({ email }).expect(400);
      expect(created.body).toEqual({ detail: 'Invalid request', errors: { email: [ILL_FORMED] } });
      const organization = await createOrganization(t, superuser);
      const added = await t.http().post(`/api/0/organizations/${organization.slug}/members/`).set(bearer(superuser.token)).send({ email, role: 'member' }).expect(400);
      expect(added.body).toEqual({ detail: 'Invalid request', errors: { email: [ILL_FORMED] } });
    });

    it('names nested fields and ill-formed keys, and accepts well-formed astral characters', async () => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const response = await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token))
        .send({ name: 'ok', organization: organization.slug, scopes: ['org:read', 'x\ud800'], ['k\udc00']: 1 }).expect(400);
      expect(response.body.errors).toEqual({ 'k\ufffd': [ILL_FORMED], 'scopes.1': [ILL_FORMED] });
      await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: 'App 💥', organization: organization.slug, scopes: ['org:read'] }).expect(201);
    });

    it('refuses NUL in a form body as well', async () => {
      const { app, installation } = await installedApp(t);
      const response = await tokenRequest(t, installation.uuid).type('form')
        .send(`client_id=${app.clientId}&client_secret=${app.clientSecret}&grant_type=authorization_code&code=a%00b`).expect(400);
      expect(response.body).toMatchObject({ error: 'invalid_request', error_description: `code ${ILL_FORMED}` });
    });

    it('answers the token endpoint 401 invalid_client for ill-formed credentials and 400 invalid_request for other fields', async () => {
      const { app, installation } = await installedApp(t);
      const body = { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: installation.code };
      for (const credentials of [{ client_id: `${app.clientId}\u0000` }, { client_id: '\ud800' }, { client_secret: `${app.clientSecret}\udc00` }, { client_secret: 'a\u0000' }]) {
        const response = await tokenRequest(t, installation.uuid).send({ ...body, ...credentials }).expect(401);
        expect(response.body).toEqual({ detail: 'Invalid Client ID / Secret pair', error: 'invalid_client' });
      }
      for (const [field, value] of [['code', 'c\u0000'], ['state', '\ud83d'], ['grant_type', 'authorization_code\u0000']]) {
        const response = await tokenRequest(t, installation.uuid).send({ ...body, [field]: value }).expect(400);
        expect(response.body).toEqual({ detail: `${field} ${ILL_FORMED}`, error: 'invalid_request' });
      }
      await exchange(t, app, installation).expect(201);
    });
  });

  describe('URLs', () => {
    it.each([
      ['invalid punycode', 'http://xn--a.com/cb'],
      ['a lone surrogate in the host', 'https://exa\ud800mple.com/'],
      ['no host', 'http:///cb'],
      ['another scheme', 'ftp://example.com/'],
      ['javascript', 'javascript:alert(1)'],
      ['a relative path', '/cb'],
    ])('refuses a redirectUrl or webhookUrl with %s', async (_name, url) => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      for (const field of ['redirectUrl', 'webhookUrl']) {
        const response = await t.http().post('/api/0/sentry-apps/').set(bearer(owner.token)).send({ name: 'App', organization: organization.slug, scopes: ['org:read'], [field]: url }).expect(400);
        expect(Object.keys(response.body.errors)).toEqual([field]);
      }
    });

    it('installs an app whose stored redirectUrl no longer parses, without a redirect', async () => {
      const owner = await createUser(t);
      const organization = await createOrganization(t, owner);
      const app = await createSentryApp(t, owner, organization, { redirectUrl: 'https://example.com/cb' });
      // As an app created before URLs were checked with the WHATWG parser would have it.
      await t.dataSource.query('UPDATE sentry_apps SET redirect_url = $1 WHERE slug = $2', ['http://xn--a.com/cb', app.slug]);
      const installation = await install(t, owner, organization, app);
      expect(installation.code).toMatch(/^[0-9a-f]{64}$/);
      expect(installation).not.toHaveProperty('redirectUrl');
    });
  });
});
