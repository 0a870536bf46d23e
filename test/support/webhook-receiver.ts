import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { bearer, createOrganization, createSentryApp, createUser, type TestOrganization, type TestSentryApp, type TestUser } from './factories.js';
import type { TestApp } from './test-app.js';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body bytes, as signed. */
  raw: Buffer;
  body: any;
  /** Whether Sentry-Hook-Signature matched this receiver's own HMAC over the raw body. */
  signatureValid: boolean;
  /** The status answered, once answered. */
  status?: number;
}

/** What to answer to the nth request (1-based): a status, perhaps late or with headers, or never. */
export type Behaviour = (n: number, request: ReceivedWebhook) => number | { status: number; delayMs?: number; headers?: Record<string, string> } | 'hang';

/**
 * A real HTTP webhook receiver on loopback, verifying signatures the way an integrator
 * would: its own HMAC-SHA256 of the raw body, keyed with the app's client secret.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Client secrets by app slug; the receiver looks the app up in the body. */
  readonly secrets = new Map<string, string>();
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(public behaviour: Behaviour = () => 200) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(port = this.port): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.handle(request.headers, Buffer.concat(chunks), response));
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Down: refuses connections until started again on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  answered(status?: number): ReceivedWebhook[] {
    return this.received.filter((request) => request.status !== undefined && (status === undefined || request.status === status));
  }

  private handle(headers: IncomingHttpHeaders, raw: Buffer, response: ServerResponse): void {
    let body: ReceivedWebhook['body'] = null;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      // left null: the test will notice
    }
    const secret = this.secrets.get(body?.data?.installation?.app?.slug);
    const signature = String(headers['sentry-hook-signature'] ?? '');
    const expected = secret ? createHmac('sha256', secret).update(raw).digest('hex') : '';
    const signatureValid = expected.length > 0 && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    const entry: ReceivedWebhook = { headers, raw, body, signatureValid };
    this.received.push(entry);
    const answer = this.behaviour(this.received.length, entry);
    if (answer === 'hang') return;
    const { status, delayMs = 0, headers: extra = {} } = typeof answer === 'number' ? { status: answer } : answer;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (response.destroyed) return;
      entry.status = status;
      response.writeHead(status, { 'Content-Type': 'text/plain', ...extra }).end('ok');
    }, delayMs);
    this.pending.add(timer);
  }
}

/** Polls until `check` holds (no fixed sleeps), failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface HookedApp {
  owner: TestUser;
  organization: TestOrganization;
  app: TestSentryApp;
}

/** An owner, an organization and an app of theirs whose webhooks go to `receiver`, which knows its secret. */
export async function hookedApp(t: TestApp, receiver: WebhookReceiver, body: Record<string, unknown> = {}): Promise<HookedApp> {
  const owner = await createUser(t);
  const organization = await createOrganization(t, owner);
  const app = await createSentryApp(t, owner, organization, { webhookUrl: receiver.url, ...body });
  receiver.secrets.set(app.slug, app.clientSecret);
  return { owner, organization, app };
}

/** True once no attempt is in flight: every claimed row has been recorded. */
export async function outboxIdle(t: TestApp): Promise<boolean> {
  const [{ busy }] = await t.dataSource.query<{ busy: number }[]>('SELECT count(*)::int AS busy FROM webhook_deliveries WHERE lease_id IS NOT NULL');
  return busy === 0;
}

/** The app's request log, as its owner sees it. */
export async function requestLog(t: TestApp, { owner, app }: HookedApp) {
  const response = await t.http().get(`/api/0/sentry-apps/${app.slug}/requests/`).set(bearer(owner.token)).expect(200);
  return response.body as { date: string; eventType: string; webhookUrl: string; responseCode: number | null; organization: { slug: string }; attempts: number; status: string }[];
}
