import { removeEmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';

export default async function globalTeardown() {
  const embedded = globalThis.__embeddedPostgres;
  if (!embedded) return;
  await embedded.handle.stop();
  await removeEmbeddedPostgres(embedded.dataDir);
}
