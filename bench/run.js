// `npm run bench [-- --duration 10 --warmup 3 --connections 50 --out bench.json --profile dir]`
// Starts the product (production mode) and the bare baseline on one fresh database, seeds
// it in bulk, then drives each scenario against each in turn with autocannon.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { randomHex } from '../dist/src/common/crypto.js';
import { removeEmbeddedPostgres, startEmbeddedPostgres } from '../dist/src/database/embedded-postgres.js';
import { formatReport, meetsTargets } from './report.js';
import { seed } from './seed.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'pool-size': { type: 'string', default: '10' },
    'max-rps': { type: 'string', default: '4000' },
    scenarios: { type: 'string', default: 'bearer,exchange,refresh' },
    out: { type: 'string' },
    profile: { type: 'string' },
  },
});
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);
const poolSize = args['pool-size'];
// Every code and refresh token is used once: seed enough for the fastest side's whole run.
const perSide = Math.ceil(Number(args['max-rps']) * (duration + warmup));
const root = resolve(import.meta.dirname, '..');
const cleanups = [];

async function main() {
  const database = await freshDatabase();
  const secretKey = randomHex(32);
  const env = { ...process.env, DATABASE_URL: database.url, SECRET_KEY: secretKey, DATABASE_POOL_SIZE: poolSize, NODE_ENV: 'production' };
  const product = await start('product', [...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args.profile)}`] : []), 'dist/src/main.js'], {
    ...env, LOG_LEVEL: 'warn', RATE_LIMIT_TOKEN_PER_MINUTE: '100000000', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000000',
  });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  process.stderr.write(`Seeding ${perSide} codes and refresh tokens per side…\n`);
  const fixtures = await seed(client, { secretKey, codesPerSide: perSide, refreshesPerSide: perSide, bearerTokens: 1000 });
  await client.end();
  const baseline = await start('baseline', ['bench/baseline-server.js'], env);

  const scenarios = [];
  for (const name of args.scenarios.split(',')) {
    const result = { name };
    for (const [side, server] of [['product', product], ['baseline', baseline]]) {
      const pool = cycle(fixtures[side][name]);
      process.stderr.write(`${name} on ${side}: warm-up ${warmup}s, then ${duration}s at ${connections} connections\n`);
      if (warmup > 0) await load(server.port, name, pool, warmup);
      result[side] = summarize(await load(server.port, name, pool, duration));
      if (name !== 'bearer' && pool.wrapped()) process.stderr.write(`  ${side} used every ${name} fixture: raise --max-rps\n`);
    }
    result.ratio = round(result.product.rps / result.baseline.rps, 2);
    scenarios.push(result);
  }
  const report = { scenarios, peakRssMb: round((await peakRssKb(product.child.pid)) / 1024, 0) };
  await product.stop();
  await baseline.stop();

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${database.description}`;
  process.stdout.write(`\n${formatReport(report, { machine, duration, connections, poolSize })}\n`);
  if (args.out) await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
  const misses = meetsTargets(report);
  if (misses.length) process.stdout.write(`\nTargets missed: ${misses.join('; ')}\n`);
}

/** Requests for one scenario; each token request carries a fixture of its own. */
function requestFor(name, pool) {
  if (name === 'bearer') {
    return () => {
      const { token, slug } = pool.next();
      return { method: 'GET', path: `/api/0/organizations/${slug}/`, headers: { authorization: `Bearer ${token}` } };
    };
  }
  return () => {
    const fixture = pool.next();
    const grant = name === 'exchange' ? { grant_type: 'authorization_code', code: fixture.code } : { grant_type: 'refresh_token', refresh_token: fixture.refreshToken };
    return {
      method: 'POST',
      path: `/api/0/sentry-app-installations/${fixture.uuid}/authorizations/`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: fixture.clientId, client_secret: fixture.clientSecret, ...grant }),
    };
  };
}

function load(port, name, pool, seconds) {
  const next = requestFor(name, pool);
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
  });
}

function summarize(result) {
  return {
    rps: round(result.requests.average, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

function cycle(items) {
  let index = 0;
  let wrapped = false;
  return {
    next() {
      if (index === items.length) {
        index = 0;
        wrapped = true;
      }
      return items[index++];
    },
    wrapped: () => wrapped,
  };
}

/** DATABASE_URL's server with a new database (dropped at the end), else a throwaway embedded PostgreSQL. */
async function freshDatabase() {
  if (process.env.DATABASE_URL) {
    const name = `bench_${randomHex(4)}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    const { rows: [{ server_version: version }] } = await admin.query('SHOW server_version');
    return { url: url.toString(), description: `PostgreSQL ${version.split(' ')[0]} (DATABASE_URL)` };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'authz-bench-'));
  const handle = await startEmbeddedPostgres(dataDir);
  cleanups.push(async () => {
    await handle.stop();
    await removeEmbeddedPostgres(dataDir);
  });
  return { url: handle.url, description: 'embedded PostgreSQL 18' };
}

async function start(label, nodeArgs, env) {
  const port = await freePort();
  const child = spawn(process.execPath, nodeArgs, { cwd: root, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  for (const started = Date.now(); ; ) {
    if (child.exitCode !== null) throw new Error(`${label} exited during start-up:\n${stderr}`);
    if (await answers(port)) break;
    if (Date.now() - started > 60000) throw new Error(`${label} did not start within 60 s:\n${stderr}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  return { port, child, stop };
}

async function answers(port) {
  try {
    await fetch(`http://127.0.0.1:${port}/api/0/internal/health/`);
    return true;
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** The kernel's high-water mark of the server's resident set. */
async function peakRssKb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

function round(value, digits) {
  return Number(value.toFixed(digits));
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
