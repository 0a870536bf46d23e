import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { runningEmbeddedUrl } from './src/database/embedded-postgres.js';

// The TypeORM CLI's data source (run on the compiled file: `typeorm -d dist/ormconfig.js`).
// It uses DATABASE_URL, or the embedded server while the app keeps it running.
const url = process.env.DATABASE_URL || runningEmbeddedUrl(process.env.DATA_DIR || './.data');
if (!url) {
  throw new Error('Set DATABASE_URL, or start the server so that the embedded PostgreSQL is running (`npm run cli -- migrate` needs neither).');
}

export default new DataSource(dataSourceOptions({ url, schema: process.env.DATABASE_SCHEMA }));
