import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const embedded = globalThis.__embeddedPostgres;
  if (!embedded) return;
  await embedded.handle.stop();
  await rm(embedded.dataDir, { recursive: true, force: true });
}
