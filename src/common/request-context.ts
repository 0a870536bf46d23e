import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';

interface RequestContext {
  /** The request's id (X-Request-ID): every log line made while serving it carries it. */
  id: string;
  /** Fastify's `request.ip`: the peer, or with TRUST_PROXY the client named by X-Forwarded-For. */
  ip: string;
}

const current = new AsyncLocalStorage<RequestContext>();

/**
 * Makes the request's id and caller address known to everything it runs (the logs carry the
 * id, the audit log records the address), without threading them through every service. One
 * context per request, entered at preHandler, after the body has been read, whose stream
 * events would lose it.
 */
export function trackRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => current.run({ id: request.id, ip: request.ip }, done));
}

/** The current request's id; undefined outside a request. */
export function currentRequestId(): string | undefined {
  return current.getStore()?.id;
}

/** The current request's caller address (without an IPv6 zone); null outside a request, or when it is not an IP address. */
export function callerAddress(): string | null {
  const ip = current.getStore()?.ip.split('%')[0];
  return ip && isIP(ip) ? ip : null;
}
