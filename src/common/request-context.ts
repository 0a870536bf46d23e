import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';

const caller = new AsyncLocalStorage<{ ip: string }>();

/**
 * Makes the caller's address known to everything a request runs (the audit log records it),
 * without threading it through every service. It is Fastify's `request.ip`: the peer, or with
 * TRUST_PROXY the client named by X-Forwarded-For, as the rate limiter sees it. Entered at
 * preHandler, after the body has been read, whose stream events would lose the context.
 */
export function trackCallerAddress(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => caller.run({ ip: request.ip }, done));
}

/** The current request's caller address (without an IPv6 zone); null outside a request, or when it is not an IP address. */
export function callerAddress(): string | null {
  const ip = caller.getStore()?.ip.split('%')[0];
  return ip && isIP(ip) ? ip : null;
}
