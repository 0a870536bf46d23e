import { expect } from '@jest/globals';
import type request from 'supertest';
import { bearer, unique } from './factories.js';

/** The secret with its last character changed, so it is always wrong. */
const wrongSecret = (secret: string) => secret.slice(0, -1) + (secret.endsWith('0') ? '1' : '0');

export type Http = () => ReturnType<typeof request>;

/** Every secret the flow saw, by what it is, so a leak names its kind. */
export type Secrets = Record<string, string>;

/**
 * The whole life of an integration through the public API, success and failure paths alike,
 * starting from a superuser's personal token. Returns every secret that crossed the wire.
 */
export async function runFullFlow(http: Http, superuserToken: string): Promise<Secrets> {
  const secrets: Secrets = { superuserToken };
  const user = await http().post('/api/0/users/').set(bearer(superuserToken)).send({ email: `${unique('flow')}@example.com` }).expect(201);
  secrets.personalToken = user.body.token;
  const slug = unique('flow-org');
  await http().post('/api/0/organizations/').set(bearer(secrets.personalToken)).send({ name: slug, slug }).expect(201);
  const app = await http().post('/api/0/sentry-apps/').set(bearer(secrets.personalToken)).send({ name: unique('flow-app'), organization: slug, scopes: ['org:read'] }).expect(201);
  secrets.clientSecret = app.body.clientSecret;
  const installation = await http().post(`/api/0/organizations/${slug}/sentry-app-installations/`).set(bearer(secrets.personalToken)).send({ slug: app.body.slug }).expect(200);
  secrets.code = installation.body.code;

  const tokenUrl = `/api/0/sentry-app-installations/${installation.body.uuid}/authorizations/`;
  const client = { client_id: app.body.clientId, client_secret: secrets.clientSecret };
  const first = await http().post(tokenUrl).send({ ...client, grant_type: 'authorization_code', code: secrets.code }).expect(201);
  secrets.token = first.body.token;
  secrets.refreshToken = first.body.refreshToken;
  await http().get('/api/0/users/me/').set(bearer(secrets.token)).expect(200);
  await http().get(`/api/0/organizations/${slug}/`).set(bearer(secrets.token)).expect(200);
  const second = await http().post(tokenUrl).send({ ...client, grant_type: 'refresh_token', refresh_token: secrets.refreshToken }).expect(201);
  secrets.refreshedToken = second.body.token;
  secrets.refreshedRefreshToken = second.body.refreshToken;

  // Failure paths, each carrying a secret where a careless log line would print it.
  await http().get('/api/0/users/me/').set(bearer(secrets.token)).expect(401);
  await http().post(tokenUrl).send({ ...client, grant_type: 'authorization_code', code: secrets.code }).expect(403);
  await http().post(tokenUrl).send({ client_id: app.body.clientId, client_secret: wrongSecret(secrets.clientSecret), grant_type: 'refresh_token', refresh_token: secrets.refreshedRefreshToken }).expect(401);
  await http().post(tokenUrl).set('Content-Type', 'application/json').send(`{"client_secret":"${secrets.clientSecret}",`).expect(401);
  await http().post('/api/0/organizations/').set(bearer(secrets.personalToken)).send({ name: [secrets.refreshedToken], slug: secrets.clientSecret }).expect(400);

  // What the owner may read back: never a secret it was already shown.
  const shown = await http().get(`/api/0/sentry-apps/${app.body.slug}/`).set(bearer(secrets.personalToken)).expect(200);
  expect(shown.body.clientSecret).toBeUndefined();
  const listed = await http().get(`/api/0/organizations/${slug}/sentry-app-installations/`).set(bearer(secrets.personalToken)).expect(200);
  expect(listed.body[0].code).toBeNull();
  for (const response of [shown, listed]) for (const secret of Object.values(secrets)) expect(response.text).not.toContain(secret);

  const rotated = await http().post(`/api/0/sentry-apps/${app.body.slug}/rotate-secret/`).set(bearer(secrets.personalToken)).expect(200);
  secrets.rotatedClientSecret = rotated.body.clientSecret;
  const plain = await http().post('/api/0/api-applications/').set(bearer(secrets.personalToken)).send({ name: 'flow' }).expect(201);
  secrets.plainClientSecret = plain.body.clientSecret;
  await http().delete(`/api/0/sentry-app-installations/${installation.body.uuid}/`).set(bearer(secrets.personalToken)).expect(204);
  await http().get('/api/0/users/me/').set(bearer(secrets.refreshedToken)).expect(401);
  return secrets;
}

/** The secrets found in `text`, by kind. */
export function leaked(text: string, secrets: Secrets): string[] {
  return Object.entries(secrets).filter(([, secret]) => text.includes(secret)).map(([kind]) => kind);
}
