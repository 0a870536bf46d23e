import { callOrganization, exchange, pairOf, refresh, type Api, type Answer, type Chain } from './api.js';
import { sleep } from './cluster.js';

export type Kind = 'exchange' | 'refresh' | 'bearer' | 'health';

/** An instance's `token_cache_online` gauge at one moment. */
export interface CacheSample {
  instance: string;
  at: number;
  online: boolean;
}

export interface Outcome {
  kind: Kind;
  instance: string;
  startedAt: number;
  at: number;
  status: number;
  body?: any;
  retryAfter?: string | null;
  /** Set when no HTTP answer came back at all (the server died or hung). */
  error?: string;
  /**
   * A retry whose first try committed though it answered 503 (its answer died with the primary):
   * an exchange that finds its code spent, or a refresh answered with the pair minted before it began.
   */
  inDoubt?: boolean;
}

const PACE_MS = 20;
// After a 503 a client waits this long (Retry-After says 1 s; a shorter wait times the failover finer).
const RETRY_MS = 100;
const NEW_CHAIN_EVERY_MS = 3000;
const MAX_OUTCOMES = 200_000;

/**
 * Integrations hammering both instances: each exchanges a code, then refreshes and calls the
 * API with whatever pair it holds last, and now and then starts over with a new installation.
 * A request answered 503 is repeated, as a client would. Every answer is kept.
 */
export class Load {
  readonly outcomes: Outcome[] = [];
  readonly cache: CacheSample[] = [];
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly instances: Api[],
    private readonly organization: string,
    private readonly queues: Chain[][],
  ) {}

  /** Every chain a client started, in the order they were started. */
  readonly started: Chain[] = [];

  start(): void {
    this.running = true;
    this.workers = [...this.queues.map((queue, index) => this.client(queue, index)), ...this.instances.map((api) => this.monitor(api))];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private live(): boolean {
    return this.running && this.outcomes.length < MAX_OUTCOMES;
  }

  private async record(kind: Kind, api: Api, request: () => Promise<Answer>): Promise<Outcome> {
    const startedAt = Date.now();
    let outcome: Outcome;
    try {
      const answer = await request();
      outcome = { kind, instance: api.name, startedAt, at: Date.now(), status: answer.status, body: answer.body, retryAfter: answer.retryAfter };
    } catch (error) {
      outcome = { kind, instance: api.name, startedAt, at: Date.now(), status: 0, error: error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error) };
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  private async client(queue: Chain[], index: number): Promise<void> {
    let chain: Chain | undefined;
    let chainSince = 0;
    for (let step = index; this.live(); step += 1) {
      const api = this.instances[step % this.instances.length]!;
      const settled = chain && chain.pairs.length > 0 && !chain.retrying;
      if ((!chain || chain.exchangeInDoubt || (settled && Date.now() - chainSince > NEW_CHAIN_EVERY_MS)) && queue.length > 0) {
        chain = queue.shift()!;
        chainSince = Date.now();
        this.started.push(chain);
      }
      if (!chain || chain.exchangeInDoubt) return;
      const outcome = await this.act(api, chain, step);
      await sleep(outcome.status === 503 || outcome.status === 0 ? RETRY_MS : PACE_MS);
    }
  }

  private async act(api: Api, chain: Chain, step: number): Promise<Outcome> {
    if (chain.pairs.length === 0) {
      const outcome = await this.record('exchange', api, () => exchange(api, chain));
      if (outcome.status === 201) chain.pairs.push(pairOf(outcome.body));
      // A retried exchange that finds its code spent: the first try committed, but its answer died with the primary.
      if (outcome.status === 403 && chain.retrying === 'exchange') chain.exchangeInDoubt = outcome.inDoubt = true;
      chain.retrying = outcome.status === 503 ? 'exchange' : undefined;
      return outcome;
    }
    if (chain.retrying === 'refresh' || step % 3 === 0) {
      const outcome = await this.record('refresh', api, () => refresh(api, chain));
      if (outcome.status === 201) chain.pairs.push(pairOf(outcome.body));
      if (outcome.status === 201 && chain.retrying === 'refresh') outcome.inDoubt = Date.parse(outcome.body.dateCreated) < outcome.startedAt;
      chain.retrying = outcome.status === 503 ? 'refresh' : undefined;
      return outcome;
    }
    return this.record('bearer', api, () => callOrganization(api, this.organization, chain.pairs.at(-1)!.token));
  }

  /** The health route of each instance, and whether its token cache is online, every 100 ms. */
  private async monitor(api: Api): Promise<void> {
    while (this.live()) {
      await this.record('health', api, () => api.call('GET', '/api/0/internal/health/'));
      const online = await api.metric('token_cache_online').catch(() => undefined);
      if (online !== undefined) this.cache.push({ instance: api.name, at: Date.now(), online: online === 1 });
      await sleep(100);
    }
  }
}

/**
 * The figures of one failover, from the answers around the moment the primary died. Its length
 * runs from the last write (exchange or refresh) acknowledged before the first 503 to the first
 * one acknowledged after: Bearer calls may still hit a cache for a moment.
 */
export function failoverFigures({ outcomes, cache }: Load, roundStart: number, killedAt: number) {
  const requests = outcomes.filter((outcome) => outcome.kind !== 'health');
  const ok = (outcome: Outcome) => outcome.status >= 200 && outcome.status < 300;
  const write = (outcome: Outcome) => ok(outcome) && (outcome.kind === 'exchange' || outcome.kind === 'refresh');
  const noticed = Math.min(...requests.filter((outcome) => outcome.status === 503 && outcome.at >= killedAt).map((outcome) => outcome.at));
  const lastBefore = Math.max(...requests.filter((outcome) => write(outcome) && outcome.startedAt < noticed).map((outcome) => outcome.at));
  const firstAfter = Math.min(...requests.filter((outcome) => write(outcome) && outcome.startedAt >= noticed).map((outcome) => outcome.at));
  const between = requests.filter((outcome) => outcome.startedAt >= noticed && outcome.at < firstAfter);
  const health = outcomes.filter((outcome) => outcome.kind === 'health' && outcome.at > killedAt);
  // Per instance: offline at some point after the kill, and when it was online again after the outage.
  const caches = [...new Set(cache.map((sample) => sample.instance))].sort().map((instance) => {
    const samples = cache.filter((sample) => sample.instance === instance && sample.at > killedAt);
    const wentOffline = samples.some((sample) => !sample.online && sample.at < firstAfter);
    const backAt = samples.find((sample) => sample.online && sample.at > firstAfter && samples.some((earlier) => !earlier.online && earlier.at < sample.at))?.at;
    return { instance, wentOffline, backMs: backAt === undefined ? undefined : backAt - firstAfter };
  });
  return {
    noticedMs: noticed - killedAt,
    firstAfter,
    failoverMs: firstAfter - lastBefore,
    requests: requests.filter((outcome) => outcome.startedAt >= roundStart).length,
    unavailable: between.filter((outcome) => outcome.status === 503).length,
    // During the outage: 503, or a Bearer call served from a cache that had not yet gone offline.
    otherwise: between.filter((outcome) => outcome.status !== 503 && !(ok(outcome) && outcome.kind === 'bearer')),
    healthDown: health.filter((outcome) => outcome.status === 503 && outcome.at < firstAfter).length,
    caches,
  };
}
