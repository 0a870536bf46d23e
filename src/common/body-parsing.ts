import type { FastifyInstance } from 'fastify';

/**
 * A body that was sent as JSON but did not parse. Routes answer 400 for it, while the
 * token endpoint answers 401 `invalid_request` (Sentry's order), so the parser records
 * the failure instead of answering before any guard has run.
 */
export const MALFORMED_BODY = Object.freeze({ malformed: true as const });

/** A form body that repeats a parameter, which RFC 6749 §3.2 forbids. */
export const DUPLICATED_PARAMETER = Object.freeze({ duplicated: true as const });

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value !== MALFORMED_BODY && value !== DUPLICATED_PARAMETER;
}

export function registerBodyParsers(fastify: FastifyInstance): void {
  // Fastify's own JSON parser keeps its prototype-poisoning protection.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, value) => done(null, error ? MALFORMED_BODY : value));
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const form: Record<string, string> = Object.create(null);
    for (const [key, value] of new URLSearchParams(body as string)) {
      if (key in form) return done(null, DUPLICATED_PARAMETER);
      form[key] = value;
    }
    done(null, { ...form });
  });
}
