import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { TokenCacheModule } from './auth/token-cache.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { Clock } from './common/clock.js';
import { ConsoleModule } from './console/console.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions, type DatabaseTarget } from './database/data-source-options.js';
import { initializeAndMigrate } from './database/migrate.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { JanitorModule } from './janitor/janitor.module.js';
import { JanitorScheduler } from './janitor/janitor.scheduler.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { SentryAppsModule } from './sentry-apps/sentry-apps.module.js';
import { UsersModule } from './users/users.module.js';

/** Shared by the server and the CLI: configuration, the migrated database, and the clock. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, database: DatabaseTarget): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions({ poolSize: config.DATABASE_POOL_SIZE, ...database }),
          dataSourceFactory: (options) => initializeAndMigrate(options!),
        }),
      ],
      providers: [Clock],
      exports: [Clock],
    };
  }
}

@Module({})
export class AppModule {
  /** `logDestination` replaces stdout for the JSON logs (the tests capture them with it). */
  static forRoot(config: AppConfig, database: DatabaseTarget, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, database),
        LoggingModule.forRoot(config, options.logDestination),
        MetricsModule,
        HealthModule,
        TokenCacheModule,
        AuthModule,
        AuditModule,
        UsersModule,
        OrganizationsModule,
        SentryAppsModule,
        ConsoleModule,
        JanitorModule,
      ],
      providers: [
        JanitorScheduler,
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
