import pg from 'pg';
import { HALF_WRITTEN_ROWS } from '../support/token-integrity.js';
import { callOrganization, exchange, pairOf, refresh, revoke, type Api, type Chain } from './api.js';
import { sleep } from './cluster.js';
import type { Outcome } from './load.js';

const EXPECTED: Record<Outcome['kind'], number[]> = { exchange: [201, 503], refresh: [201, 503], bearer: [200, 503], health: [200, 503] };

/** Answers a user would call wrong: no answer, a 5xx other than 503, a 503 without its body and Retry-After, a status the request never deserves. */
export function wrongAnswers(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter((outcome) => {
    if (outcome.status === 503 && outcome.kind === 'health') return outcome.body?.ok !== false || outcome.body?.db !== 'down';
    if (outcome.status === 503) return outcome.retryAfter !== '1' || typeof outcome.body?.detail !== 'string';
    // A retried exchange may find its code spent by its own first try (counted as in doubt).
    if (outcome.inDoubt && outcome.kind === 'exchange') return outcome.status !== 403;
    return !EXPECTED[outcome.kind].includes(outcome.status);
  });
}

/** Every chain's newest pair, on both instances: its access token calls the API and its refresh token rotates. */
export async function newestPairsWork(instances: Api[], organization: string, chains: Chain[]): Promise<{ checked: number; lost: string[] }> {
  const lost: string[] = [];
  let checked = 0;
  for (const chain of chains.filter((entry) => entry.pairs.length > 0 && !entry.exchangeInDoubt)) {
    checked += 1;
    for (const api of instances) {
      const { status } = await callOrganization(api, organization, chain.pairs.at(-1)!.token);
      if (status !== 200) lost.push(`${chain.uuid}: access token answered ${status} on ${api.name}`);
    }
    const rotated = await refresh(instances[checked % instances.length]!, chain);
    if (rotated.status === 201) chain.pairs.push(pairOf(rotated.body));
    else lost.push(`${chain.uuid}: refresh token answered ${rotated.status}`);
  }
  return { checked, lost };
}

export interface LedgerReport {
  pairs: number;
  /** Pairs a client received with a 2xx that the database does not hold, or that lead nowhere it should. */
  broken: string[];
  codesExchangedTwice: number;
  tokensRotatedTwice: number;
  halfWritten: Record<string, number>;
}

/**
 * Holds what the clients received against what the database says: each pair there, each chain
 * a line of parent → child from the code's family, no code with two first pairs, no refresh
 * token with two successors (a retry inside the grace window gets the same one again).
 */
export async function ledger(url: string, chains: Chain[]): Promise<LedgerReport> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const received = chains.flatMap((chain) => chain.pairs.map((pair) => pair.id));
    const { rows } = await db.query('SELECT id::text, parent_id::text, family_id, rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE id = ANY($1::bigint[])', [received]);
    const byId = new Map(rows.map((row) => [row.id as string, row]));
    const broken: string[] = [];
    for (const chain of chains.filter((entry) => entry.pairs.length > 0)) {
      const { rows: [grant] } = await db.query('SELECT g.family_id FROM api_grants g JOIN sentry_app_installations i ON i.id = g.installation_id WHERE i.uuid = $1', [chain.uuid]);
      chain.pairs.forEach((pair, index) => {
        const row = byId.get(pair.id);
        const parent = index === 0 ? null : chain.pairs[index - 1]!.id;
        if (!row) broken.push(`${chain.uuid}: pair ${pair.id} is not in the database`);
        else if (row.parent_id !== parent || row.family_id !== grant?.family_id) broken.push(`${chain.uuid}: pair ${pair.id} descends from ${row.parent_id}, not ${parent}`);
        else if (index < chain.pairs.length - 1 && !row.rotated) broken.push(`${chain.uuid}: pair ${pair.id} was superseded but not rotated`);
        else if (index === chain.pairs.length - 1 && !chain.exchangeInDoubt && row.revoked) broken.push(`${chain.uuid}: the newest pair ${pair.id} is revoked`);
      });
    }
    const { rows: [{ twice }] } = await db.query('SELECT count(*)::int AS twice FROM (SELECT family_id FROM api_tokens WHERE parent_id IS NULL GROUP BY family_id HAVING count(*) > 1) f');
    const { rows: [{ forks }] } = await db.query('SELECT count(*)::int AS forks FROM (SELECT parent_id FROM api_tokens WHERE parent_id IS NOT NULL GROUP BY parent_id HAVING count(*) > 1) f');
    const [halfWritten] = (await db.query(HALF_WRITTEN_ROWS)).rows;
    return { pairs: received.length, broken, codesExchangedTwice: twice, tokensRotatedTwice: forks, halfWritten };
  } finally {
    await db.end();
  }
}

/** Both instances' caches listen again (the LISTEN connection reconnects with backoff after a failover). */
export async function cachesOnline(instances: Api[], limitMs: number): Promise<number> {
  const started = Date.now();
  while (!(await Promise.all(instances.map((api) => api.metric('token_cache_online')))).every((value) => value === 1)) {
    if (Date.now() - started > limitMs) throw new Error(`the token caches were not online again within ${limitMs} ms`);
    await sleep(100);
  }
  return Date.now() - started;
}

/** How long B serves a token after A revoked it (B has it cached): polled every 5 ms, up to `limitMs`. */
export async function revocationSeenOn(a: Api, b: Api, organization: string, chain: Chain, limitMs = 100): Promise<number> {
  const issued = await exchange(a, chain);
  if (issued.status !== 201) throw new Error(`the exchange answered ${issued.status}`);
  chain.pairs.push(pairOf(issued.body));
  const { token, refreshToken } = chain.pairs.at(-1)!;
  for (let warm = 0; warm < 2; warm += 1) {
    if ((await callOrganization(b, organization, token)).status !== 200) throw new Error('the new token failed on B');
  }
  if ((await revoke(a, chain, refreshToken)).status !== 200) throw new Error('the revocation failed on A');
  const revokedAt = Date.now();
  while ((await callOrganization(b, organization, token)).status !== 401) {
    if (Date.now() - revokedAt > limitMs) throw new Error(`B still accepted the revoked token after ${limitMs} ms`);
    await sleep(5);
  }
  return Date.now() - revokedAt;
}
