import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { removeEmbeddedPostgres, runningEmbeddedUrl, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import type { AccountDirectory } from '../src/database/postgres-account.js';
import { packagedPostgres } from '../src/database/postgres-binaries.js';
import { runScript, spawnMain } from './support/spawned-server.js';

// As root, PostgreSQL runs as the `postgres` account, which cannot enter a mode-700 directory
// such as a `mktemp -d` or /root: the checkout and DATA_DIR of many first runs.
const asRoot = userInfo().uid === 0;

async function query(url: string, sql: string, values: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Where the server said its data lives, when that is not under DATA_DIR. */
const dataLocation = (lines: string) => /keeps its data in (\S+) \(linked from/.exec(lines)?.[1];

describe('the embedded PostgreSQL under a directory the postgres account cannot traverse', () => {
  let privateDir: string;
  beforeAll(async () => {
    privateDir = await mkdtemp(join(tmpdir(), 'authz-private-'));
  });
  afterAll(async () => {
    for (const dataDir of ['data', 'served']) await removeEmbeddedPostgres(join(privateDir, dataDir));
    await rm(privateDir, { recursive: true, force: true });
  });

  it('runs from binaries and a DATA_DIR inside it, past an empty pg/ a failed attempt left, keeps its data across restarts, and is removed with DATA_DIR', async () => {
    // A private copy of the package stands for a checkout under /root.
    await cp(dirname(packagedPostgres()), join(privateDir, 'package'), { recursive: true, verbatimSymlinks: true });
    const binaries = join(privateDir, 'package', 'native');
    const dataDir = join(privateDir, 'data');
    mkdirSync(join(dataDir, 'pg'), { recursive: true }); // what a first attempt that failed left behind
    const firstNotices: string[] = [];
    const first = await startEmbeddedPostgres(dataDir, { binaries, notice: (line) => firstNotices.push(line) });
    try {
      expect(runningEmbeddedUrl(dataDir)).toBe(first.url); // what the CLI and ormconfig.ts follow
      await query(first.url, 'CREATE TABLE kept (value text)');
      await query(first.url, 'INSERT INTO kept VALUES ($1)', ['across restarts']);
    } finally {
      await first.stop();
    }
    const secondNotices: string[] = [];
    const second = await startEmbeddedPostgres(dataDir, { binaries, notice: (line) => secondNotices.push(line) });
    try {
      expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'across restarts' }]);
    } finally {
      await second.stop();
    }

    const location = dataLocation(firstNotices.join('\n'));
    if (asRoot) {
      expect(location).toMatch(/^\/var\/lib\/sentry-app-authz\/clusters\/[0-9a-f]{16}\/pg$/);
      // The restart says where the data is, and copies nothing again.
      expect(secondNotices).toEqual([`The embedded PostgreSQL keeps its data in ${location} (linked from ${dataDir}/pg).`]);
    } else {
      expect([...firstNotices, ...secondNotices]).toEqual([]);
    }
    await removeEmbeddedPostgres(dataDir);
    expect(existsSync(dataDir)).toBe(false);
    if (location) expect(existsSync(dirname(location))).toBe(false);
  }, 120_000);

  it('serves the server and the CLI from one cluster, whether or not the server is running', async () => {
    const env = { DATA_DIR: join(privateDir, 'served') };
    const server = await spawnMain(env, 60_000);
    try {
      if (asRoot) expect(dataLocation(server.output())).toMatch(/^\/var\/lib\/sentry-app-authz\/clusters\//);
      const created = runScript('dist/src/cli.js', ['createuser', '--email', 'ops@example.com'], env);
      expect({ status: created.status, stderr: created.stderr }).toEqual({ status: 0, stderr: '' });
      const { token } = JSON.parse(created.stdout);
      const me = await fetch(`http://127.0.0.1:${server.port}/api/0/users/me/`, { headers: { Authorization: `Bearer ${token}` } });
      expect({ status: me.status, email: ((await me.json()) as { email: string }).email }).toEqual({ status: 200, email: 'ops@example.com' });
    } finally {
      server.process.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    }
    // With the server stopped the CLI starts the same cluster itself, and stops it again.
    const duplicate = runScript('dist/src/cli.js', ['createuser', '--email', 'ops@example.com'], env);
    expect({ status: duplicate.status, stderr: duplicate.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('already exists') });
    expect(runningEmbeddedUrl(env.DATA_DIR)).toBeUndefined();
  }, 120_000);

  it('says in one sentence, naming both ways out, that nothing can work as root without a postgres account', async () => {
    const noAccounts: AccountDirectory = {
      isRoot: () => true,
      lookup: async () => undefined,
      create: async () => {
        throw new Error('useradd: command not found');
      },
    };
    const dataDir = join(privateDir, 'no-account');
    await expect(startEmbeddedPostgres(dataDir, { accounts: noAccounts })).rejects.toThrow(
      'The embedded PostgreSQL cannot run here: as root it must run as an unprivileged "postgres" account, and there is none and none could be created (useradd: command not found); set DATABASE_URL to an existing PostgreSQL, or run as a non-root user.',
    );
    expect(existsSync(join(dataDir, 'pg'))).toBe(false);
  });
});
