import type { AppConfig } from '../config/app-config.js';
import { startEmbeddedPostgres, type DatabaseHandle, type EmbeddedPostgresOptions } from './embedded-postgres.js';

/** DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR. One driver, one set of migrations. */
export async function openDatabase(config: AppConfig, logs: Pick<EmbeddedPostgresOptions, 'log' | 'notice'> = {}): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => undefined };
  return startEmbeddedPostgres(config.DATA_DIR, logs);
}
