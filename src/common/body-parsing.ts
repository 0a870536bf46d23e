import type { FastifyInstance } from 'fastify';

/**
 * A body the server could not read: malformed JSON, a form that repeats a parameter
 * (RFC 6749 §3.2 forbids it), or a content type it does not speak. Routes answer 400/415
 * for it, while the token endpoint answers 401 `invalid_request` (Sentry's order), so the
 * parsers record the problem instead of answering before any guard has run.
 */
export class UnreadableBody {
  constructor(readonly reason: 'malformed' | 'duplicated' | 'unsupported') {}
}

/** A JSON object or a parsed form; never an array, a bare value or an UnreadableBody. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A form-encoded body marks an RFC 6749 client: standard 200 responses and §5.2 error bodies. */
export function isFormRequest(request: { headers: Record<string, string | string[] | undefined> }): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function registerBodyParsers(fastify: FastifyInstance): void {
  // Fastify's own JSON parser keeps its prototype-poisoning protection.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, value) => done(null, error ? new UnreadableBody('malformed') : value));
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const form: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      if (Object.hasOwn(form, key)) return done(null, new UnreadableBody('duplicated'));
      form[key] = value;
    }
    done(null, form);
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, new UnreadableBody('unsupported')));
}
