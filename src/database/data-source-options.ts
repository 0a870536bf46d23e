import { Logger } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

export interface DatabaseTarget {
  url: string;
  /** A schema to work in (the tests give each file its own); default `public`. */
  schema?: string;
  poolSize?: number;
}

/**
 * How the pool lives through a failover (deploy/ha/): a connection that dies is dropped and the
 * next request opens a new one, which the proxy sends to the new primary. Connecting gives up
 * after 2 s (the request answers 503), idle connections are closed after 30 s, and TCP
 * keepalive finds a peer that vanished without closing the socket.
 */
export const POOL_TIMINGS = {
  connectionTimeoutMillis: 2000,
  idleTimeoutMillis: 30_000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
} as const;

const poolLogger = new Logger('Database');

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
    // An idle connection whose server died: pg drops it from the pool and reports it here.
    poolErrorHandler: (error: Error) => poolLogger.warn(`An idle database connection was lost: ${error.message}`),
    extra: {
      max: poolSize,
      ...POOL_TIMINGS,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    },
  };
}
