import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiRoutes } from './support/routes.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  security?: unknown[];
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

/** The contract's answers per route (api-contract.md); the document must list each of them. */
const CONTRACT: Record<string, string[]> = {
  'GET /api/0/internal/health': ['200', '503'],
  'POST /api/0/users': ['201', '400', '401', '403', '409'],
  'GET /api/0/users/me': ['200', '401'],
  'POST /api/0/organizations': ['201', '400', '401', '409'],
  'GET /api/0/organizations/{organizationSlug}': ['200', '401', '403', '404'],
  'PUT /api/0/organizations/{organizationSlug}': ['200', '400', '401', '403', '404'],
  'POST /api/0/organizations/{organizationSlug}/members': ['201', '400', '401', '403', '404', '409'],
  'POST /api/0/sentry-apps': ['201', '400', '401', '403', '409'],
  'GET /api/0/sentry-apps/{slug}': ['200', '401', '403', '404'],
  'PUT /api/0/sentry-apps/{slug}': ['200', '400', '401', '403'],
  'POST /api/0/sentry-apps/{slug}/rotate-secret': ['200', '401', '403', '404'],
  'POST /api/0/api-applications': ['201', '400', '401'],
  'POST /api/0/organizations/{organizationSlug}/sentry-app-installations': ['200', '401', '403', '404'],
  'GET /api/0/organizations/{organizationSlug}/sentry-app-installations': ['200', '401', '403', '404'],
  'PUT /api/0/sentry-app-installations/{uuid}': ['200', '400', '401', '403'],
  'DELETE /api/0/sentry-app-installations/{uuid}': ['204', '401', '403', '404'],
  'POST /api/0/sentry-app-installations/{uuid}/authorizations': ['200', '201', '400', '401', '403', '404', '429'],
  'POST /api/0/sentry-app-installations/{uuid}/authorizations/revoke': ['200', '400', '401', '404', '429'],
  'GET /api/0/sentry-apps/{slug}/requests': ['200', '401', '403', '404'],
  'GET /api/0/organizations/{organizationSlug}/audit-logs': ['200', '400', '401', '403', '404'],
};

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: Document;
  beforeAll(async () => {
    t = await createTestApp();
    const response = await t.http().get('/api/docs-json').expect(200).expect('Content-Type', /application\/json/);
    document = response.body as Document;
  });
  afterAll(() => t.close());

  const operations = () => Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, operation })));

  it("describes exactly the API's routes (bar the Prometheus scrape and the console's pages)", () => {
    expect(document.openapi).toMatch(/^3\./);
    const served = apiRoutes(t.app)
      .filter((route) => route.path !== '/metrics')
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    expect(operations().map(({ key }) => key).sort()).toEqual(served.sort());
  });

  it("lists every answer of the contract's routes, each error with its body schema", () => {
    expect(Object.keys(CONTRACT).sort()).toEqual(operations().map(({ key }) => key).sort());
    for (const { key, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      expect(`${key}: ${CONTRACT[key]!.filter((status) => !statuses.includes(status))}`).toBe(`${key}: `);
      // Health's 503 is its own `{ok, db}` body; every other error is one of the contract's error bodies.
      for (const status of statuses.filter((code) => code >= '400' && !key.endsWith('/internal/health'))) {
        expect(`${key} ${status} ${JSON.stringify(operation.responses[status]!.content?.['application/json']?.schema)}`).toMatch(/ErrorBody"/);
      }
    }
  });

  it('marks Bearer routes, declares path parameters, and documents each body', () => {
    for (const { key, path, operation } of operations()) {
      const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
      if (!isPublic) expect(`${key} ${JSON.stringify(operation.security)}`).toBe(`${key} [{"bearer":[]}]`);
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        expect(`${key} ${operation.parameters?.some((parameter) => parameter.in === 'path' && parameter.name === name)}`).toBe(`${key} true`);
      }
      if (['POST /api/0/users', 'PUT /api/0/organizations/{organizationSlug}', 'POST /api/0/sentry-app-installations/{uuid}/authorizations'].includes(key)) {
        expect(operation.requestBody).toBeDefined();
      }
    }
    expect(operations().filter(({ operation }) => operation.security?.length === 0).map(({ key }) => key).sort()).toEqual([
      'GET /api/0/internal/health',
      'POST /api/0/sentry-app-installations/{uuid}/authorizations',
      'POST /api/0/sentry-app-installations/{uuid}/authorizations/revoke',
    ]);
  });

  it("describes the token request's snake_case fields and the three error bodies", () => {
    const schemas = document.components.schemas as Record<string, { properties: Record<string, unknown>; required?: string[] }>;
    expect(Object.keys(schemas.TokenRequestDto!.properties)).toEqual(['client_id', 'client_secret', 'grant_type', 'code', 'refresh_token', 'state']);
    expect(schemas.ErrorBody!.required).toEqual(['detail']);
    expect(Object.keys(schemas.OAuthErrorBody!.properties)).toEqual(expect.arrayContaining(['detail', 'error']));
    expect(Object.keys(schemas.ValidationErrorBody!.properties)).toEqual(expect.arrayContaining(['detail', 'errors']));
    const refs = JSON.stringify(document).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of new Set(refs)) expect(Object.keys(schemas)).toContain(ref.split('/').pop());
  });

  it('serves the browsable page at /api/docs without a token', async () => {
    const page = await t.http().get('/api/docs').expect(200).expect('Content-Type', /text\/html/);
    expect(page.text).toContain('swagger-ui');
    await t.http().get('/api/docs/swagger-ui-init.js').expect(200);
  });
});
