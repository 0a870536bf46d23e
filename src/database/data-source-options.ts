import type { DataSourceOptions } from 'typeorm';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

export interface DatabaseTarget {
  url: string;
  /** A schema to work in (the tests give each file its own); default `public`. */
  schema?: string;
  poolSize?: number;
}

/** The one definition of the data source, shared by the app, the CLI, ormconfig.ts and the tests. */
export function dataSourceOptions({ url, schema, poolSize = 10 }: DatabaseTarget): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName: 'sentry-app-authz',
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 2000,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    },
  };
}
