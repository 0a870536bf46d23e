import { userInfo } from 'node:os';
import { EmbeddedPostgresError, runChild, type PostgresAccount } from './postgres-process.js';

/** The system's accounts; injectable so that a test can take the `postgres` account away. */
export interface AccountDirectory {
  isRoot(): boolean;
  lookup(name: string): Promise<PostgresAccount | undefined>;
  /** Creates the account and its group; throws with the reason when it cannot. */
  create(name: string): Promise<void>;
}

export const systemAccounts: AccountDirectory = {
  isRoot: () => userInfo().uid === 0,
  async lookup(name) {
    const [uid, gid] = await Promise.all([runChild('id', ['-u', name]), runChild('id', ['-g', name])]);
    if (uid.code !== 0 || gid.code !== 0) return undefined;
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  },
  async create(name) {
    for (const [command, args] of [
      ['groupadd', ['--force', '--system', name]],
      ['useradd', ['--system', '--gid', name, '--no-create-home', name]],
    ] as const) {
      const result = await runChild(command, [...args]);
      if (result.code !== 0) throw new EmbeddedPostgresError(`${command}: ${result.error?.message ?? result.stderr.trim().split('\n')[0]}`);
    }
  },
};

export const POSTGRES_ACCOUNT = 'postgres';

/**
 * The account the embedded PostgreSQL runs as: none (this process's own) unless we are root,
 * which PostgreSQL refuses; then `postgres`, created when it is missing.
 */
export async function postgresAccount(accounts: AccountDirectory = systemAccounts): Promise<PostgresAccount | undefined> {
  if (!accounts.isRoot()) return undefined;
  const existing = await accounts.lookup(POSTGRES_ACCOUNT);
  if (existing) return existing;
  let reason = 'it is still missing after creating it';
  try {
    await accounts.create(POSTGRES_ACCOUNT);
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  // Another process may have created it at the same moment, which is as good.
  const created = await accounts.lookup(POSTGRES_ACCOUNT);
  if (created) return created;
  throw new EmbeddedPostgresError(
    `The embedded PostgreSQL cannot run here: as root it must run as an unprivileged "${POSTGRES_ACCOUNT}" account, and there is none and none could be created (${reason}); set DATABASE_URL to an existing PostgreSQL, or run as a non-root user.`,
  );
}
