import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnServer, type SpawnedServer } from '../support/spawned-server.js';
import { waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { NO_HALF_WRITTEN_ROWS } from '../support/token-integrity.js';
import { Api, newChain, type Chain } from './api.js';
import { cachesOnline, ledger, newestPairsWork, revocationSeenOn, wrongAnswers } from './checks.js';
import { HaCluster, sleep, type NodeName } from './cluster.js';
import { failoverFigures, Load } from './load.js';

const CLIENTS = 6;
const CHAINS_PER_CLIENT = 14;
const LOAD_BEFORE_MS = 4000;
const LOAD_AFTER_MS = 5000;
// Patroni's ttl is 15 s (deploy/ha/patroni.yml): the leader key must expire before a promotion.
const FAILOVER_LIMIT_MS = 40_000;
const SERVER_ENV = {
  LOG_LEVEL: 'info',
  RATE_LIMIT_TOKEN_PER_MINUTE: '1000000',
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1000000',
  JANITOR_INTERVAL_SECONDS: '1',
  WEBHOOK_ALLOW_PRIVATE: 'true',
};

/** When a server logged `message` last (JSON log lines). */
function lastLogged(server: SpawnedServer, message: string): number {
  const times = server.output().split('\n').filter((line) => line.includes(message)).map((line) => Date.parse(JSON.parse(line).time));
  return Math.max(0, ...times);
}

describe('a PostgreSQL failover under load (deploy/ha/: Patroni, etcd, HAProxy)', () => {
  let cluster: HaCluster;
  let servers: SpawnedServer[] = [];
  let instances: Api[];
  let superuser: string;
  let organization: string;
  const receiver = new WebhookReceiver();
  const queues: Chain[][] = [];
  const spares: Chain[] = [];
  const everyChain: Chain[] = [];

  beforeAll(async () => {
    cluster = await HaCluster.start();
    process.env.DATABASE_URL = cluster.url;
    await receiver.start();
    const first = await spawnServer('public', SERVER_ENV);
    servers = [first, await spawnServer('public', SERVER_ENV)];
    superuser = /shown only this once:\s+(\S+)/.exec(first.output())![1]!;
    instances = servers.map((server, index) => new Api('AB'[index]!, server.port));
    organization = `ha-${Date.now().toString(36)}`;
    const created = await instances[0]!.call('POST', '/api/0/organizations/', { token: superuser, body: { name: organization, slug: organization } });
    expect(created.status).toBe(201);
    for (let client = 0; client < CLIENTS; client += 1) {
      const queue: Chain[] = [];
      for (let index = 0; index < CHAINS_PER_CLIENT; index += 1) queue.push(await newChain(instances[index % 2]!, superuser, organization));
      queues.push(queue);
    }
    for (let index = 0; index < 2; index += 1) spares.push(await newChain(instances[0]!, superuser, organization));
  }, 300_000);

  afterAll(async () => {
    for (const server of servers) {
      const stubborn = setTimeout(() => server.process.kill('SIGKILL'), 15_000);
      server.process.kill('SIGTERM');
      await server.exited;
      clearTimeout(stubborn);
    }
    await receiver.stop();
    await cluster?.stop();
  }, 120_000);

  async function failover(round: number): Promise<void> {
    const primary = (await cluster.leader())!;
    const standby: NodeName = primary === 'n1' ? 'n2' : 'n1';
    await cluster.waitForSyncStandby(standby, 60_000);
    const load = new Load(instances, organization, queues);
    const roundStart = Date.now();
    load.start();
    await sleep(LOAD_BEFORE_MS);
    const killedAt = Date.now();
    await cluster.crash(primary);
    // Served by the new primary: a success that began after the outage was first noticed.
    const served = () => {
      const noticed = load.outcomes.find((outcome) => outcome.status === 503 && outcome.at >= killedAt);
      return !!noticed && load.outcomes.some((outcome) => outcome.kind !== 'health' && outcome.status < 300 && outcome.startedAt >= noticed.at);
    };
    try {
      await waitFor('a request served by the new primary', served, FAILOVER_LIMIT_MS);
    } catch (error) {
      await load.stop();
      throw error;
    }
    await sleep(LOAD_AFTER_MS);
    await load.stop();
    everyChain.push(...load.started);

    // The process stays up, and nothing answered worse than 503 {detail} with Retry-After.
    expect(servers.map((server) => server.process.exitCode)).toEqual([null, null]);
    expect(wrongAnswers(load.outcomes)).toEqual([]);
    const figures = failoverFigures(load, roundStart, killedAt);
    expect(figures.otherwise).toEqual([]);
    expect(figures.unavailable).toBeGreaterThan(0);
    expect(figures.failoverMs).toBeLessThan(FAILOVER_LIMIT_MS);
    expect(await cluster.leader()).toBe(standby);

    // Health said "down" while there was no primary, and says "up" again.
    expect(figures.healthDown).toBeGreaterThan(0);
    for (const api of instances) expect(await api.call('GET', '/api/0/internal/health/')).toMatchObject({ status: 200, body: { ok: true, db: 'up' } });

    // The webhook worker and the janitor carry on by themselves.
    const hooked = await newChain(instances[round % 2]!, superuser, organization, { webhookUrl: receiver.url });
    await waitFor('the installation webhook', () => receiver.received.some((hook) => hook.body?.data?.installation?.uuid === hooked.uuid), 20_000);
    await waitFor('a janitor pass on the new primary', () => servers.some((server) => lastLogged(server, 'deleted') > figures.firstAfter), 20_000);

    // The caches went offline with their LISTEN connection and came back by themselves; a
    // revocation on A then reaches B's cache.
    expect(figures.caches.filter((cache) => cache.wentOffline).map((cache) => cache.instance).sort()).toEqual(['A', 'B']);
    await cachesOnline(instances, 20_000);
    const revocationMs = await revocationSeenOn(instances[0]!, instances[1]!, organization, spares[round - 1]!);

    // Every pair a client holds works; the database holds exactly what the clients were told.
    const tokens = await newestPairsWork(instances, organization, everyChain);
    expect(tokens.lost).toEqual([]);
    const report = await ledger(cluster.url, everyChain);
    expect(report.broken).toEqual([]);
    expect({ codesExchangedTwice: report.codesExchangedTwice, tokensRotatedTwice: report.tokensRotatedTwice }).toEqual({ codesExchangedTwice: 0, tokensRotatedTwice: 0 });
    expect(report.halfWritten).toEqual(NO_HALF_WRITTEN_ROWS);

    // The old primary comes back as the synchronous standby, rewound onto the new timeline.
    const rejoinStarted = Date.now();
    await cluster.rejoin(primary);
    await cluster.waitForSyncStandby(primary, 120_000);
    const rejoinMs = Date.now() - rejoinStarted;
    expect(cluster.rewound(primary)).toBe(true);

    const inDoubt = (kind: string) => load.outcomes.filter((outcome) => outcome.inDoubt && outcome.kind === kind).length;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log([
      `reliability: failover ${round} (${primary} → ${standby}, kill -9 of Patroni and PostgreSQL): ${s(figures.failoverMs)} from the last write acknowledged before to the first after;`,
      `${figures.requests} requests over both instances, ${figures.unavailable} answered 503 {detail} + Retry-After in between, 0 × 500, 0 crashes;`,
      `health down ${figures.healthDown} times, up again; caches offline, then listening again ${figures.caches.map((cache) => cache.backMs === undefined ? 'later' : `${cache.backMs} ms`).join(' and ')} after the first write; revocation on A seen on B after ${revocationMs} ms;`,
      `${tokens.checked} chains, ${report.pairs} pairs received: 0 lost, 0 codes exchanged twice, 0 tokens rotated twice`,
      `(committed with the answer lost: ${inDoubt('refresh')} refreshes, whose retry got the same pair, and ${inDoubt('exchange')} exchanges, whose code was spent);`,
      `${primary} rejoined as sync standby by pg_rewind in ${s(rejoinMs)}`,
    ].join(' '));
  }

  it('loses no acknowledged token and spends no code twice when the primary dies', () => failover(1), 300_000);

  it('does it again when the new primary dies and the old one takes over', () => failover(2), 300_000);
});
