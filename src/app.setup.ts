import type { DynamicModule, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { registerBodyParsers } from './common/body-parsing.js';
import type { AppConfig } from './config/app-config.js';
import { BodyValidationPipe } from './common/body-validation.pipe.js';

export const API_PREFIX = 'api/0';
const BODY_LIMIT = 64 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's X-Request-ID when it is a sane token, otherwise a new uuid. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Nest's body parsers stay off: ours are registered in configureApp (see body-parsing.ts). */
export const APP_OPTIONS = { bodyParser: false } as const;

export async function createApp(module: DynamicModule, config: AppConfig, logger: LogLevel[] | false = ['log', 'warn', 'error', 'fatal']): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, createAdapter(config), { ...APP_OPTIONS, logger });
  return configureApp(app);
}

export function createAdapter(config: Pick<AppConfig, 'TRUST_PROXY'>): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: config.TRUST_PROXY,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: requestId,
    requestIdHeader: false,
    logger: false,
  });
}

/** Everything about the HTTP layer that is not a module: the server and the tests both call it. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-ID', request.id);
  });
  // helmet's defaults, built into Nest: nosniff, no X-Powered-By, a strict CSP for an API.
  app.useSecurityHeaders();
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new BodyValidationPipe());
  return app;
}
