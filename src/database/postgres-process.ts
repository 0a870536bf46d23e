import { spawn, type SpawnOptions } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomHex } from '../common/crypto.js';

/** Why the embedded PostgreSQL could not start, in words meant for the operator. */
export class EmbeddedPostgresError extends Error {}

/** The uid and gid PostgreSQL runs as when this process is root (PostgreSQL refuses root). */
export interface PostgresAccount {
  uid: number;
  gid: number;
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (EACCES, ENOENT…). */
  error?: Error;
}

/** Runs a program to completion, as `account` when given; a failure to spawn is a result, never an 'error' event. */
export function runChild(command: string, args: string[], account?: PostgresAccount, options: SpawnOptions = {}): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, ...account, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', (error) => resolve({ code: null, stdout, stderr, error }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The server's start-up is recognised by its English log line.
const ENGLISH = { ...process.env, LC_MESSAGES: 'C' };

interface ClusterSpec {
  binDir: string;
  pgDir: string;
  account?: PostgresAccount;
}

/** initdb as the account, with the superuser `postgres` and this password (scram-sha-256). */
export async function initCluster({ binDir, pgDir, account }: ClusterSpec, password: string): Promise<void> {
  mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  // Beside the cluster, where the account can read it and nobody else can.
  const passwordFile = join(dirname(pgDir), `.initdb-password-${randomHex(6)}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (account) {
      chownSync(pgDir, account.uid, account.gid);
      chownSync(passwordFile, account.uid, account.gid);
    }
    const args = [`--pgdata=${pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`, '--lc-messages=C'];
    const result = await runChild(join(binDir, 'initdb'), args, account, { cwd: dirname(pgDir), env: ENGLISH });
    if (result.code !== 0) throw new EmbeddedPostgresError(`initdb failed: ${result.error?.message ?? result.stderr.trim()}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

export interface Postmaster {
  stop(): Promise<void>;
}

/** Starts the server on a loopback port and resolves once it accepts connections. */
export function startPostmaster({ binDir, pgDir, account }: ClusterSpec, port: number, log: (line: string) => void, flags: string[] = []): Promise<Postmaster> {
  return new Promise((resolve, reject) => {
    const args = ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...flags];
    const child = spawn(join(binDir, 'postgres'), args, { ...account, cwd: pgDir, env: ENGLISH, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    // Like a child of a shell, it goes down with this process unless stopped first.
    const stopOnExit = () => child.kill('SIGINT');
    process.once('exit', stopOnExit);
    let recent = '';
    let ready = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text.trim());
      recent = (recent + text).slice(-4000);
      if (!ready && recent.includes('database system is ready to accept connections')) {
        ready = true;
        resolve({
          async stop() {
            process.off('exit', stopOnExit);
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGINT'); // a fast shutdown: clients are disconnected, nothing is lost
            await exited;
          },
        });
      }
    });
    child.once('error', (error) => {
      process.off('exit', stopOnExit);
      reject(error);
    });
    child.once('close', (code, signal) => {
      process.off('exit', stopOnExit);
      if (!ready) reject(new EmbeddedPostgresError(`postgres exited during start-up (${signal ?? `code ${code}`}): ${recent.trim()}`));
    });
  });
}
