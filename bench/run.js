// `npm run bench [-- --duration 10 --warmup 3 --rounds 1 --peer oidc-provider --rows 1000000 --out bench.json]`
// The product (production mode), the bare baseline and optionally the peer, each on a fresh
// database of one PostgreSQL, each scenario driven against each in alternating order; then
// every figure with its target and verdict (bench/report.js). Everything it starts or creates
// is stopped or dropped at the end, on failure too.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { randomHex } from '../dist/src/common/crypto.js';
import { WorkCounter } from './counts.js';
import { openServer } from './databases.js';
import { seedGrowth } from './growth.js';
import { cycle, load } from './load.js';
import { evaluate, formatReport } from './report.js';
import { seed } from './seed.js';
import { cpuMs, peakRssMb, runToEnd, start } from './servers.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    'pool-size': { type: 'string', default: '10' },
    'max-rps': { type: 'string', default: '4000' },
    'peer-max-rps': { type: 'string', default: '2000' },
    scenarios: { type: 'string', default: 'bearer,exchange,refresh' },
    peer: { type: 'string' },
    rows: { type: 'string' },
    statements: { type: 'boolean', default: false },
    out: { type: 'string' },
    profile: { type: 'string' },
    rate: { type: 'string' },
  },
});
if (args.peer && args.peer !== 'oidc-provider') throw new Error(`--peer: only oidc-provider is supported, not ${args.peer}`);
const settings = {
  duration: Number(args.duration),
  warmup: Number(args.warmup),
  rounds: Number(args.rounds),
  connections: Number(args.connections),
  poolSize: Number(args['pool-size']),
  scenarios: args.scenarios.split(','),
  peer: args.peer ? `oidc-provider ${JSON.parse(await readFile(resolve(import.meta.dirname, '../node_modules/oidc-provider/package.json'), 'utf8')).version}` : undefined,
  rows: args.rows ? Number(args.rows) : undefined,
  rate: args.rate ? Number(args.rate) : undefined,
};
const HEALTH = '/api/0/internal/health/';
const BEARER_TOKENS = 1000;
const cleanups = [];
const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  const server = await openServer(cleanups);
  // Every code and refresh token is used once: seed enough for the fastest side's every round.
  const perRun = (maxRps) => Math.ceil(Number(maxRps) * (settings.duration + settings.warmup) * settings.rounds);
  const perSide = perRun(args['max-rps']);
  const databases = { product: await server.createDatabase('product'), baseline: await server.createDatabase('baseline') };
  if (settings.peer) databases.peer = await server.createDatabase('peer');
  const secretKey = randomHex(32);
  const env = { ...process.env, SECRET_KEY: secretKey, DATABASE_POOL_SIZE: String(settings.poolSize), NODE_ENV: 'production' };
  const readyPath = HEALTH;

  const servers = {};
  servers.product = await start('product', [...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args.profile)}`] : []), 'dist/src/main.js'], {
    ...env, DATABASE_URL: databases.product.url, LOG_LEVEL: 'warn', RATE_LIMIT_TOKEN_PER_MINUTE: '100000000', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000000',
  }, { cleanups, readyPath });
  // The baseline's tables are the product's: its migrations, run by the product's CLI.
  await runToEnd('migrations', ['dist/src/cli.js', 'migrate'], { ...env, DATABASE_URL: databases.baseline.url });

  log(`Seeding ${perSide} codes and refresh tokens per side${settings.rows ? ' (twice for the product: the --rows runs need their own)' : ''}…`);
  const fixtures = {
    product: await seedDatabase(databases.product, { secretKey, codes: perSide * (settings.rows ? 2 : 1), refreshes: perSide * (settings.rows ? 2 : 1), bearerTokens: BEARER_TOKENS }),
    baseline: await seedDatabase(databases.baseline, { secretKey, codes: perSide, refreshes: perSide, bearerTokens: BEARER_TOKENS }),
  };
  servers.baseline = await start('baseline', ['bench/baseline-server.js'], { ...env, DATABASE_URL: databases.baseline.url }, { cleanups, readyPath });
  if (settings.peer) {
    const peerPerSide = perRun(args['peer-max-rps']);
    const file = join(tmpdir(), `authz-bench-peer-${randomHex(4)}.json`);
    cleanups.push(() => rm(file, { force: true }));
    log(`Seeding ${peerPerSide} codes and refresh tokens for ${settings.peer} through its models…`);
    servers.peer = await start('peer', ['bench/peer-server.js'], {
      ...env, DATABASE_URL: databases.peer.url, PEER_FIXTURES: file, PEER_CODES: String(peerPerSide), PEER_REFRESHES: String(peerPerSide),
    }, { cleanups, readyPath: '/.well-known/openid-configuration' });
    fixtures.peer = JSON.parse(await readFile(file, 'utf8'));
  }

  const counter = new WorkCounter(server, databases, { perStatement: args.statements && server.statements });
  log('Measuring each database’s idle background…');
  const background = await counter.measureBackground();
  const pools = {};
  const poolFor = (side, scenario, items) => (pools[`${side}:${scenario}`] ??= cycle(items));
  const split = (items, part) => (settings.rows ? items.slice(part * perSide, (part + 1) * perSide) : items);
  const results = {};
  let turn = 0;
  const runOne = async (label, scenario, side, items, into) => {
    const pool = poolFor(`${side}${label}`, scenario, items);
    const figures = (into[side] ??= { rounds: [], counts: {} });
    log(`${scenario}${label} on ${side}: warm-up ${settings.warmup}s, then ${settings.duration}s at ${settings.connections} connections`);
    const options = { port: servers[side].port, scenario, pool, peer: side === 'peer', connections: settings.connections, rate: settings.rate };
    await counter.around(side, figures.counts, async () => {
      const warm = settings.warmup > 0 ? await load({ ...options, seconds: settings.warmup }) : { requests: 0 };
      const cpuBefore = await cpuMs(servers[side].child.pid);
      const run = await load({ ...options, seconds: settings.duration });
      // The server's own CPU per request: what it costs, whatever else the machine is doing.
      figures.counts.cpuMs = (figures.counts.cpuMs ?? 0) + (await cpuMs(servers[side].child.pid)) - cpuBefore;
      figures.counts.cpuRequests = (figures.counts.cpuRequests ?? 0) + run.requests;
      figures.counts.cpuMsPerRequest = Number((figures.counts.cpuMs / figures.counts.cpuRequests).toFixed(3));
      figures.rounds.push(run);
      return warm.requests + run.requests;
    });
    if (scenario !== 'bearer' && pool.wrapped()) log(`  ${side} used every ${scenario} fixture: raise --max-rps${side === 'peer' ? ' / --peer-max-rps' : ''}`);
  };

  for (let round = 0; round < settings.rounds; round++) {
    for (const scenario of settings.scenarios) {
      const sides = ['product', 'baseline', ...(settings.peer && scenario !== 'bearer' ? ['peer'] : [])];
      // Alternating order, so that no side always runs first (or right after a given one).
      for (const side of turn++ % 2 ? sides.reverse() : sides) {
        await runOne('', scenario, side, side === 'product' ? split(fixtures.product[scenario], 0) : fixtures[side][scenario], (results[scenario] ??= {}));
      }
    }
  }

  const growth = {};
  if (settings.rows) {
    log(`Adding ${settings.rows} tokens and ${settings.rows} spent grants to the product's tables…`);
    const client = new pg.Client({ connectionString: databases.product.url });
    await client.connect();
    await seedGrowth(client, settings.rows).finally(() => client.end());
    for (let round = 0; round < settings.rounds; round++) {
      for (const scenario of ['exchange', 'refresh'].filter((name) => settings.scenarios.includes(name))) {
        await runOne(`, ${settings.rows} rows`, scenario, 'product', split(fixtures.product[scenario], 1), (growth[scenario] ??= {}));
      }
    }
  }

  const peakRss = {};
  for (const [side, { child }] of Object.entries(servers)) peakRss[side] = await peakRssMb(child.pid);
  const report = {
    machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${server.description}`,
    settings,
    backgroundCommitsPerSecond: background,
    statementStats: server.statements,
    scenarios: Object.entries(results).map(([name, sides]) => ({ name, ...mapValues(sides, summarize) })),
    growth: Object.entries(growth).map(([name, sides]) => ({ name, ...mapValues(sides, summarize) })),
    peakRssMb: peakRss,
  };
  process.stdout.write(`\n${formatReport(report)}\n`);
  if (args.statements) process.stdout.write(`\n${statementLines(report)}\n`);
  if (args.out) await writeFile(args.out, `${JSON.stringify({ ...report, verdicts: evaluate(report) }, null, 2)}\n`);
}

async function seedDatabase(database, options) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await seed(client, options);
  } finally {
    await client.end();
  }
}

/** The median of the rounds (req/s, p50, p99), failures summed, and the counts over all rounds. */
function summarize({ rounds, counts }) {
  const median = (key) => {
    const sorted = rounds.map((entry) => entry[key]).sort((a, b) => a - b);
    const middle = sorted.length / 2;
    return Number.isInteger(middle) ? Math.round((sorted[middle - 1] + sorted[middle]) / 2) : sorted[Math.floor(middle)];
  };
  return { rps: median('rps'), p50Ms: median('p50Ms'), p99Ms: median('p99Ms'), non2xx: rounds.reduce((sum, entry) => sum + entry.non2xx, 0), rounds, counts };
}

function mapValues(object, map) {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(value)]));
}

function statementLines(report) {
  const lines = ['Statements per request, by text (pg_stat_statements, last round):'];
  for (const entry of [...report.scenarios, ...report.growth.map((growth) => ({ ...growth, name: `${growth.name}, ${report.settings.rows} rows` }))]) {
    for (const side of ['product', 'baseline', 'peer']) {
      for (const { query, perRequest } of entry[side]?.counts.topStatements ?? []) lines.push(`  ${entry.name} ${side}: ${perRequest.toFixed(3)}  ${query}`);
    }
  }
  return lines.join('\n');
}

let cleaning;
const cleanUp = () => (cleaning ??= (async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
})());
// Interrupted: stop the servers and drop the databases all the same, rather than exit at once.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.removeAllListeners(signal);
  process.once(signal, () => {
    log(`${signal}: cleaning up…`);
    void cleanUp().finally(() => process.exit(130));
  });
}
try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
