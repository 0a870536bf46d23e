import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { NestPinoLogger } from './logging/nest-logger.js';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { registerBodyParsers } from './common/body-parsing.js';
import { CONSOLE_ROUTES } from './console/console.module.js';
import { configureConsole } from './console/console-setup.js';
import type { AppConfig } from './config/app-config.js';
import { BodyValidationPipe } from './common/body-validation.pipe.js';
import { setupOpenApi } from './openapi/openapi.js';

export const API_PREFIX = 'api/0';
/**
 * Prometheus scrapes /metrics, where every exporter serves it, and the console's pages are at
 * Sentry's own paths (/auth/login/, /settings/…); everything else is Sentry's /api/0/.
 */
export const UNPREFIXED_ROUTES = [{ path: 'metrics', method: RequestMethod.GET }, ...CONSOLE_ROUTES];
const BODY_LIMIT = 64 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's X-Request-ID when it is a sane token, otherwise a new uuid. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Nest's body parsers stay off: ours are registered in configureApp (see body-parsing.ts). */
export const APP_OPTIONS = { bodyParser: false } as const;

/** The server: Nest's own logs go through pino as JSON, like the request lines. */
export async function createApp(module: DynamicModule, config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, createAdapter(config), { ...APP_OPTIONS, bufferLogs: true });
  app.useLogger(app.get(NestPinoLogger));
  return configureApp(app);
}

type AdapterConfig = Pick<AppConfig, 'TRUST_PROXY' | 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>;

/** A hop count as Fastify applies one (its types here take only the other forms): the nearest `hops` peers are proxies. */
function trustProxy(setting: AppConfig['TRUST_PROXY']): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

export function createAdapter(config: AdapterConfig): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: trustProxy(config.TRUST_PROXY),
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: requestId,
    requestIdHeader: false,
    logger: false,
    skipMiddie: true,
    frameworkErrors: answerFrameworkError,
    ...slowClientLimits(config),
  });
}

/**
 * A request whose head or body does not arrive in time is cut off with a 408, and an idle
 * keep-alive connection is closed, so a slow or half-sent request cannot hold a connection
 * (contract v1.1). Fastify leaves requestTimeout off by default and turns Node's own off.
 * Node checks the head and request deadlines on a timer (30 s by default), so that timer
 * runs often enough for the limits to hold to within a fraction of themselves.
 */
function slowClientLimits(config: AdapterConfig) {
  const { HTTP_HEADERS_TIMEOUT_MS: headersTimeout, HTTP_REQUEST_TIMEOUT_MS: requestTimeout, HTTP_KEEP_ALIVE_TIMEOUT_MS: keepAliveTimeout } = config;
  return {
    requestTimeout,
    keepAliveTimeout,
    // A backstop on socket inactivity (a client that stops reading its response), past the
    // request deadline so that a half-sent request still gets its 408.
    connectionTimeout: 2 * requestTimeout,
    http: { headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval: Math.min(1000, Math.max(25, Math.floor(headersTimeout / 4))) },
    clientErrorHandler: answerClientError,
  };
}

/**
 * Errors Node raises before a request exists (a timeout, an oversized or unparsable head):
 * the contract's `{detail}` body and headers, then the connection is closed, as Fastify's
 * own handler does.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ detail: status === 408 ? 'The request did not arrive in time.' : status === 431 ? 'The request headers are too large.' : 'Bad request' });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nX-Request-ID: ${randomUUID()}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

const FRAMEWORK_DETAIL: Record<string, string> = {
  FST_ERR_BAD_URL: 'The request URL is malformed.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is too long.',
};

/**
 * Fastify answers a URL it cannot decode (or an over-long path parameter) before any hook
 * runs, in its own body shape; this keeps the contract's `{detail}` and headers there too.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
  void reply.status(status)
    .headers({ 'X-Request-ID': request.id, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' })
    .send({ detail: FRAMEWORK_DETAIL[error.code] ?? 'Bad request' });
}

/** Everything about the HTTP layer that is not a module: the server and the tests both call it. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify);
  // No cache keeps an answer unless its route says so: many carry a secret (a client secret, a
  // personal token, a grant code), and the rest describe an organization to whoever asked. The
  // one place this is set, but for the answers given before any hook runs (below and above).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-ID', request.id).header('Cache-Control', 'no-store');
    done();
  });
  // While closing, a response ends its connection; otherwise an idle keep-alive client holds
  // the close open for Fastify's keepAliveTimeout (72 s).
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('Connection', 'close');
    done(null, payload);
  });
  // helmet's defaults, built into Nest: nosniff, no X-Powered-By, a strict CSP for an API.
  app.useSecurityHeaders();
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  app.useGlobalPipes(new BodyValidationPipe());
  setupOpenApi(app);
  configureConsole(app);
  return app;
}
