// Work per request, counted by PostgreSQL: each side has a database of its own, so a run's
// commits and statements are the difference of that database's counters around it, each read
// once every connection to it has been ended (see `flush` in databases.js), less the one commit each
// new connection makes as its backend starts, and less the database's own idle background
// (the product's webhook worker polls every second). Writes are the transactions that were given
// a transaction id: those that must reach the disk. The others are read-only, such as the one in
// which a LISTENing session takes each notification in (measured: 100 NOTIFYs to a listener,
// 100 more commits in its database than without the LISTEN).
const BACKGROUND_SAMPLE_MS = 6000;
// Requests still in flight when autocannon stops finish their statements meanwhile.
const IN_FLIGHT_MS = 500;
const TOP_STATEMENTS = 6;
const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

export class WorkCounter {
  #server;
  #databases;
  #perStatement;
  #background = new Map(); // side → { commits, statements } per ms

  constructor(server, databases, { perStatement = false } = {}) {
    this.#server = server;
    this.#databases = databases;
    this.#perStatement = perStatement;
  }

  /** Each database's idle rate of commits and statements, per second. */
  async measureBackground() {
    const sides = Object.keys(this.#databases);
    // One side at a time: the counters are read over one admin client, which runs one query at once.
    const snapshots = async () => {
      const taken = [];
      for (const side of sides) taken.push(await this.#flushed(side));
      return taken;
    };
    const before = await snapshots();
    await sleep(BACKGROUND_SAMPLE_MS);
    const after = await snapshots();
    sides.forEach((side, n) => {
      const span = after[n].at - before[n].at;
      this.#background.set(side, {
        commits: committed(before[n], after[n]) / span,
        statements: after[n].statements === null ? 0 : (after[n].statements - before[n].statements) / span,
      });
    });
    return Object.fromEntries(sides.map((side) => [side, round(this.#background.get(side).commits * 1000, 2)]));
  }

  /** Runs `load` (which resolves to the number of requests it sent) on `side`, and adds its work to `counts`. */
  async around(side, counts, load) {
    const before = await this.#flushed(side);
    const requests = await load();
    await sleep(IN_FLIGHT_MS);
    const after = await this.#flushed(side);
    const background = this.#background.get(side) ?? { commits: 0, statements: 0 };
    const span = after.at - before.at;
    counts.requests = (counts.requests ?? 0) + requests;
    counts.commits = (counts.commits ?? 0) + committed(before, after) - background.commits * span;
    counts.rollbacks = (counts.rollbacks ?? 0) + after.rollbacks - before.rollbacks;
    counts.commitsPerRequest = round(counts.commits / counts.requests, 3);
    // Not net of a background: the sides write nothing while idle, and another database's writes
    // on a shared server come and go (on a busy one, this figure is too high, never too low).
    counts.writes = (counts.writes ?? 0) + after.nextXid - before.nextXid;
    counts.writesPerRequest = round(counts.writes / counts.requests, 3);
    if (after.walBytes !== null) {
      counts.walBytes = (counts.walBytes ?? 0) + after.walBytes - before.walBytes;
      counts.walFpi = (counts.walFpi ?? 0) + after.walFpi - before.walFpi;
      counts.walKbPerRequest = round(counts.walBytes / 1024 / counts.requests, 2);
      counts.walFpiPerRequest = round(counts.walFpi / counts.requests, 2);
    }
    if (after.evictions !== before.evictions) counts.statementsEvicted = true;
    if (after.statements !== null && !counts.statementsEvicted) {
      counts.statements = (counts.statements ?? 0) + after.statements - before.statements - background.statements * span;
      counts.statementsPerRequest = round(counts.statements / counts.requests, 3);
    } else counts.statementsPerRequest = null;
    if (after.calls) counts.topStatements = topStatements(before.calls, after.calls, requests);
  }

  async #flushed(side) {
    const database = this.#databases[side];
    await this.#server.flush(database);
    const counters = await this.#server.counters(database);
    return { ...counters, at: Date.now(), calls: this.#perStatement ? await this.#server.statementCalls(database) : undefined };
  }
}

/** Commits between two snapshots, less the one each new connection's backend commits as it starts. */
function committed(before, after) {
  return after.commits - before.commits - (after.sessions - before.sessions);
}

/** The statements a run executed most, per request (the last round's, which is representative). */
function topStatements(before, after, requests) {
  return [...after]
    .map(([query, calls]) => ({ query: query.replace(/\s+/g, ' ').slice(0, 160), perRequest: round((calls - (before.get(query) ?? 0)) / requests, 3) }))
    .filter((entry) => entry.perRequest > 0)
    .sort((a, b) => b.perRequest - a.perRequest)
    .slice(0, TOP_STATEMENTS);
}

function round(value, digits) {
  return Number(value.toFixed(digits));
}
