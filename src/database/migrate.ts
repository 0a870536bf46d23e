import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * Initialises the data source and applies pending migrations while holding an advisory
 * lock, so instances that start together take turns instead of racing to create the
 * same tables (TypeORM takes no lock of its own). The lock is per schema.
 */
export async function initializeAndMigrate(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7401002, hashtext(current_schema()))');
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7401002, hashtext(current_schema()))').catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}
