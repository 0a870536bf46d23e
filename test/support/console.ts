import request from 'supertest';
import { TEST_PASSWORD, type TestUser } from './factories.js';
import type { TestApp } from './test-app.js';

export type Agent = ReturnType<typeof request.agent>;

/** The CSRF token of the first form on a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF token on the page:\n${html.slice(0, 500)}`);
  return match[1]!;
}

/** A browser-like client: it keeps cookies, and signs in through the form. */
export async function signIn(t: TestApp, user: TestUser, password = TEST_PASSWORD): Promise<Agent> {
  const agent = request.agent(t.app.getHttpServer());
  const page = await agent.get('/auth/login/').expect(200);
  await agent.post('/auth/login/').type('form').send({ _csrf: csrfOf(page.text), email: user.email, password }).expect(303);
  return agent;
}

/** Submits the form on `path` (taking its CSRF token from the page first) with these fields. */
export async function submit(agent: Agent, path: string, fields: Record<string, string> = {}, formPage = path) {
  const page = await agent.get(formPage);
  return agent.post(path).type('form').send({ _csrf: csrfOf(page.text), ...fields });
}
