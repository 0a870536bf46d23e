import { DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { pino, type DestinationStream, type Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { routeTemplate } from '../common/route-template.js';

const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Field names that carry a secret anywhere in the contract (RFC 6749 §2.3.1, §4.1.3, §6; RFC 7009). */
export const SECRET_FIELDS = ['client_secret', 'clientSecret', 'code', 'refresh_token', 'refreshToken', 'token', 'access_token', 'password'];

/**
 * Bodies and query strings are never logged; these paths are the second line of defence
 * should anything ever put a request, its headers or a secret-bearing object in a log call.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_FIELDS.flatMap((field) => [`req.body.${field}`, `req.query.${field}`, `body.${field}`, `query.${field}`]),
  // Anywhere one level down too, except `code`, which on an error object is a harmless errno or SQLSTATE.
  ...SECRET_FIELDS.filter((field) => field !== 'code').flatMap((field) => [field, `*.${field}`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

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
    fastify?.addHook('onResponse', async (request, reply) => {
      const line = { reqId: request.id, method: request.method, route: routeTemplate(request), statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime * 10) / 10 };
      if (reply.statusCode >= 500) this.logger.error(line, 'request failed');
      else this.logger.info(line, 'request completed');
    });
  }
}

/**
 * pino through nestjs-pino: Nest's own logs become JSON, and a log made while serving a
 * request carries its `reqId` (pino-http binds it; its own per-request line is off, ours is above).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, destination?: DestinationStream): DynamicModule {
    const logger = createLogger(config.LOG_LEVEL, destination);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger, autoLogging: false, quietReqLogger: true } })],
      providers: [{ provide: ROOT_LOGGER, useValue: logger }, RequestLog],
    };
  }
}
