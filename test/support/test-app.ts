import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { NestPinoLogger } from '../../src/logging/nest-logger.js';
import pg from 'pg';
import type { DestinationStream } from 'pino';
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

  /** Runs `work` with the clock `seconds` ahead, and puts it back however `work` ends. */
  async ahead<T>(seconds: number, work: () => Promise<T>): Promise<T> {
    this.advance(seconds);
    try {
      return await work();
    } finally {
      this.advance(-seconds);
    }
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
  /** Capture the JSON logs (pino) here; silent otherwise. */
  logDestination?: DestinationStream;
  /** Capture Nest's own logger output here. */
  logger?: LoggerService;
}

export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const url = options.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set; the jest global setup provides it');
  const schema = options.schema ?? `t_${randomHex(6)}`;
  if (!options.schema) await admin(`CREATE SCHEMA ${schema}`, url);
  // Quiet unless the test captures the logs. Every test runs from 127.0.0.1: the rate
  // limits are lifted unless a test sets them.
  const config = loadConfig({
    DATABASE_URL: url,
    SECRET_KEY: TEST_SECRET_KEY,
    DATABASE_POOL_SIZE: '20',
    LOG_LEVEL: options.logDestination ? 'info' : 'silent',
    RATE_LIMIT_TOKEN_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000',
    ...env,
  });
  const clock = new TestClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, { url, schema, poolSize: config.DATABASE_POOL_SIZE }, { logDestination: options.logDestination })] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(config), { ...APP_OPTIONS, logger: options.logger ?? false }));
  if (options.logDestination) app.useLogger(app.get(NestPinoLogger));
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
