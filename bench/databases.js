// The bench's PostgreSQL: DATABASE_URL's server or a throwaway embedded one, one fresh
// database per side (so PostgreSQL's per-database counters tell the sides apart), and the
// counters themselves: pg_stat_database's commits and rollbacks, pg_stat_statements' calls.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomHex } from '../dist/src/common/crypto.js';
import { removeEmbeddedPostgres, startEmbeddedPostgres } from '../dist/src/database/embedded-postgres.js';

const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/**
 * Opens the server and a `stats` database of the bench's own, from which every counter is
 * read, so that reading them adds nothing to the sides' figures. `cleanups` receives what
 * undoes each step, to be run even when the bench fails.
 */
export async function openServer(cleanups) {
  const prefix = `bench_${randomHex(4)}`;
  const { adminUrl, description } = process.env.DATABASE_URL ? { adminUrl: process.env.DATABASE_URL, description: 'DATABASE_URL' } : await embedded(cleanups);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const created = [];
  cleanups.push(async () => {
    for (const name of created.reverse()) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });
  const { rows: [{ server_version: version }] } = await admin.query('SHOW server_version');
  const urlOf = (name) => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

  async function createDatabase(side) {
    const name = `${prefix}_${side}`;
    await admin.query(`CREATE DATABASE ${name}`);
    created.push(name);
    return { name, url: urlOf(name) };
  }

  const statsDatabase = await createDatabase('stats');
  const stats = new pg.Client({ connectionString: statsDatabase.url });
  await stats.connect();
  cleanups.push(() => stats.end());
  const statements = await enableStatementStats(stats);
  // pg_stat_wal (PostgreSQL 14 and later): the WAL a run wrote, and how much of it was full-page images.
  const walStats = Number((await stats.query('SHOW server_version_num')).rows[0].server_version_num) >= 140000;

  return {
    description: `PostgreSQL ${version.split(' ')[0]} (${description})`,
    statements,
    createDatabase,
    /**
     * Ends every connection to the database, so that each backend flushes its counters as it
     * exits. An idle backend is meant to flush within 10 s, but on PostgreSQL 15 it did so only
     * after its first idle period: 100 statements on a connection idle since a flush were still
     * uncounted 25 s later. At exit the counts were exact (500 statements on 5 connections: 505
     * commits, one more per connection as its backend started). The servers' pools reconnect.
     */
    async flush(database) {
      await stats.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database.name]);
      for (const started = Date.now(); Date.now() - started < 10000; ) {
        const { rows: [{ open }] } = await stats.query('SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1', [database.name]);
        if (open === 0) break;
        await sleep(20);
      }
      // A backend leaves pg_stat_activity just before it flushes.
      await sleep(200);
    },
    /**
     * The database's counters now: commits, rollbacks and sessions (pg_stat_database), the next
     * transaction id and the WAL written (server-wide; null before PostgreSQL 14), and statements
     * (null where pg_stat_statements is not loaded).
     */
    async counters(database) {
      const { rows: [row] } = await stats.query(
        `SELECT d.xact_commit::bigint AS commits, d.xact_rollback::bigint AS rollbacks, d.sessions::bigint AS sessions,
                pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next_xid,
                ${statements ? '(SELECT sum(s.calls)::bigint FROM pg_stat_statements s WHERE s.dbid = d.datid)' : 'NULL'} AS statements,
                ${statements ? '(SELECT dealloc FROM pg_stat_statements_info)' : 'NULL'} AS evictions,
                ${walStats ? '(SELECT wal_bytes::bigint FROM pg_stat_wal)' : 'NULL'} AS wal_bytes,
                ${walStats ? '(SELECT wal_fpi::bigint FROM pg_stat_wal)' : 'NULL'} AS wal_fpi
           FROM pg_stat_database d WHERE d.datname = $1`,
        [database.name],
      );
      return {
        commits: Number(row.commits),
        rollbacks: Number(row.rollbacks),
        sessions: Number(row.sessions),
        // Transaction ids are assigned only to transactions that write (or lock rows): the durable
        // commits. The counter is the whole server's, so other databases' writes count too.
        nextXid: Number(row.next_xid),
        statements: row.statements === null ? null : Number(row.statements ?? 0),
        // Entries evicted (pg_stat_statements.max) take their calls with them: a sum across an eviction is wrong.
        evictions: row.evictions === null ? null : Number(row.evictions),
        // Server-wide, like nextXid: the WAL every database wrote, and the full-page images in it.
        walBytes: row.wal_bytes === null ? null : Number(row.wal_bytes),
        walFpi: row.wal_fpi === null ? null : Number(row.wal_fpi),
      };
    },
    /** Calls per statement text in a database, for attributing a figure (empty without pg_stat_statements). */
    async statementCalls(database) {
      if (!statements) return new Map();
      const { rows } = await stats.query(
        'SELECT s.query, sum(s.calls)::bigint AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 GROUP BY s.query',
        [database.name],
      );
      return new Map(rows.map((row) => [row.query, Number(row.calls)]));
    },
  };
}

/** pg_stat_statements when the server preloads it (the extension alone reads nothing). */
async function enableStatementStats(client) {
  const { rows: [{ libraries }] } = await client.query(`SELECT current_setting('shared_preload_libraries') AS libraries`);
  if (!libraries.split(',').map((name) => name.trim()).includes('pg_stat_statements')) return false;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return true;
  } catch {
    return false;
  }
}

async function embedded(cleanups) {
  const dataDir = await mkdtemp(join(tmpdir(), 'authz-bench-'));
  cleanups.push(() => removeEmbeddedPostgres(dataDir));
  const handle = await startEmbeddedPostgres(dataDir, { flags: ['-c', 'shared_preload_libraries=pg_stat_statements'] });
  cleanups.push(() => handle.stop());
  return { adminUrl: handle.url, description: 'embedded' };
}
