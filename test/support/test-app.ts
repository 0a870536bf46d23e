import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureApp, createAdapter } from '../../src/app.setup.js';
import { Clock } from '../../src/common/clock.js';
import { randomHex } from '../../src/common/crypto.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';

/** Real time plus an offset the test moves, so expiry is tested without sleeping. */
export class TestClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  http: () => ReturnType<typeof request>;
  clock: TestClock;
  config: AppConfig;
  dataSource: DataSource;
  schema: string;
  close(): Promise<void>;
}

export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789';

export async function admin(sql: string, url = process.env.DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The real app on the real PostgreSQL, in a schema of its own (so test files run in
 * parallel), with the migrations applied by the app's own start-up.
 */
export interface TestAppOptions {
  /** Reuse an existing schema (a second instance on the same data) instead of a fresh one. */
  schema?: string;
  /** Another PostgreSQL than DATABASE_URL (the outage test's private server). */
  url?: string;
  /** Where the app logs; silent by default. */
  logger?: LoggerService;
}

export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const url = options.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set; the jest global setup provides it');
  const schema = options.schema ?? `t_${randomHex(6)}`;
  if (!options.schema) await admin(`CREATE SCHEMA ${schema}`, url);
  const config = loadConfig({ DATABASE_URL: url, SECRET_KEY: TEST_SECRET_KEY, DATABASE_POOL_SIZE: '20', ...env });
  const clock = new TestClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, { url, schema, poolSize: config.DATABASE_POOL_SIZE })] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), { ...APP_OPTIONS, logger: options.logger ?? false }));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: () => request(app.getHttpServer()),
    clock,
    config,
    dataSource: app.get(DataSource),
    schema,
    async close() {
      await app.close();
      if (!options.schema) await admin(`DROP SCHEMA ${schema} CASCADE`, url);
    },
  };
}
