// Plain ESM: Jest loads global hooks outside its module mapper, so this uses the build
// (`npm test` builds first) rather than the TypeScript sources.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';

/** Without DATABASE_URL the run starts one embedded PostgreSQL; each test file then takes its own schema in it. */
export default async function globalSetup() {
  if (process.env.DATABASE_URL) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'authz-test-'));
  const handle = await startEmbeddedPostgres(dataDir);
  process.env.DATABASE_URL = handle.url;
  globalThis.__embeddedPostgres = { handle, dataDir };
}
