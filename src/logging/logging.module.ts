import { DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { routeTemplate } from '../common/route-template.js';
import { AppConfig } from '../config/app-config.js';
import { createLogger } from './logger.js';
import { NestPinoLogger } from './nest-logger.js';

const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * One JSON line per request, from Fastify's onResponse hook so that 404s, 413s and guard
 * failures are logged too: request id, method, route template (never the raw URL, whose
 * query could hold a secret), status and duration.
 */
@Injectable()
class RequestLog implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode >= 500 || this.logger.isLevelEnabled('info')) {
        const line = { reqId: request.id, method: request.method, route: routeTemplate(request), statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime * 10) / 10 };
        if (reply.statusCode >= 500) this.logger.error(line, 'request failed');
        else this.logger.info(line, 'request completed');
      }
      done();
    });
  }
}

/**
 * pino: Nest's own logs and the request lines are JSON. Nothing is bound per request: the
 * request line above names its `reqId`, and so do the lines a request's failure writes
 * (nest-logger.ts `failureLine`, the health check's). Nothing runs per request but that line.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, destination?: DestinationStream): DynamicModule {
    const logger = createLogger(config.LOG_LEVEL, destination);
    return {
      module: LoggingModule,
      global: true,
      providers: [{ provide: ROOT_LOGGER, useValue: logger }, { provide: NestPinoLogger, useValue: new NestPinoLogger(logger) }, RequestLog],
      exports: [NestPinoLogger],
    };
  }
}
