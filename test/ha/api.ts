export interface Answer {
  status: number;
  body: any;
  retryAfter: string | null;
}

/** One server instance, spoken to over HTTP as an integration would. */
export class Api {
  constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  async call(method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, retryAfter: response.headers.get('retry-after') };
  }

  async metric(name: string): Promise<number | undefined> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  }
}

export interface App {
  slug: string;
  clientId: string;
  clientSecret: string;
}

export interface Pair {
  id: string;
  token: string;
  refreshToken: string;
}

/** One installation's life as its integration sees it: the code, then every pair it received. */
export interface Chain {
  app: App;
  uuid: string;
  code: string;
  pairs: Pair[];
  /** The request to repeat after a 503, as a client retries. */
  retrying?: 'exchange' | 'refresh';
  /** The exchange answered 503 and its retry found the code spent: committed, the answer lost with the primary. */
  exchangeInDoubt?: boolean;
}

const tokenPath = (chain: Chain) => `/api/0/sentry-app-installations/${chain.uuid}/authorizations/`;
const client = (chain: Chain) => ({ client_id: chain.app.clientId, client_secret: chain.app.clientSecret });

export const exchange = (api: Api, chain: Chain) => api.call('POST', tokenPath(chain), { body: { ...client(chain), grant_type: 'authorization_code', code: chain.code } });

export const refresh = (api: Api, chain: Chain) =>
  api.call('POST', tokenPath(chain), { body: { ...client(chain), grant_type: 'refresh_token', refresh_token: chain.pairs.at(-1)!.refreshToken } });

export const revoke = (api: Api, chain: Chain, token: string) => api.call('POST', `${tokenPath(chain)}revoke/`, { body: { ...client(chain), token } });

export const callOrganization = (api: Api, slug: string, token: string) => api.call('GET', `/api/0/organizations/${slug}/`, { token });

/** An app of the organization, installed there: one chain, its code not yet exchanged. */
export async function newChain(api: Api, superuserToken: string, organization: string, appBody: Record<string, unknown> = {}): Promise<Chain> {
  const created = await api.call('POST', '/api/0/sentry-apps/', { token: superuserToken, body: { name: `ha-${Math.random().toString(36).slice(2, 10)}`, organization, scopes: ['org:read'], ...appBody } });
  if (created.status !== 201) throw new Error(`creating an app answered ${created.status}`);
  const installed = await api.call('POST', `/api/0/organizations/${organization}/sentry-app-installations/`, { token: superuserToken, body: { slug: created.body.slug } });
  if (installed.status !== 200) throw new Error(`installing answered ${installed.status}`);
  return { app: created.body, uuid: installed.body.uuid, code: installed.body.code, pairs: [] };
}

export function pairOf(body: any): Pair {
  return { id: String(body.id), token: body.token, refreshToken: body.refreshToken };
}
