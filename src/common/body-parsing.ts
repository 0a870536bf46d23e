import type { FastifyInstance } from 'fastify';
import { isSaneText, printable } from './text.js';

/** The contract's limit on JSON nesting: deeper bodies are refused before anything walks them. */
export const MAX_BODY_DEPTH = 32;

/**
 * A body the server could not read: malformed JSON, a form that repeats a parameter
 * (RFC 6749 §3.2 forbids it), a content type it does not speak, nesting deeper than
 * MAX_BODY_DEPTH, or strings that are not well-formed UTF-16 or hold NUL (`fields` names
 * them). Routes answer 400/415 for it, while the token endpoint answers 401 (Sentry's
 * order), so the parsers record the problem instead of answering before any guard has run.
 */
export class UnreadableBody {
  constructor(
    readonly reason: 'malformed' | 'duplicated' | 'unsupported' | 'too-deep' | 'ill-formed',
    readonly fields: string[] = [],
  ) {}
}

const MAX_NAMED_FIELDS = 10;

/** What an ill-formed field is told, after its name. */
export const ILL_FORMED_TEXT = 'must be well-formed UTF-16 text without NUL characters';

/**
 * Every body passes through here once, before any route, guard or validator sees it: one
 * iterative walk (so no input can overflow the stack) that refuses nesting deeper than
 * MAX_BODY_DEPTH and keys or strings that are not sane text (see isSaneText).
 */
export function refuseHostile(body: unknown): unknown {
  const pending: [value: unknown, path: string, depth: number][] = [[body, '', 0]];
  const fields: string[] = [];
  while (pending.length > 0 && fields.length < MAX_NAMED_FIELDS) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === 'string') {
      if (!isSaneText(value)) fields.push(path);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) return new UnreadableBody('too-deep');
    for (const [key, item] of Object.entries(value)) {
      // A sane key prints as itself; only an ill-formed one needs printable's escaping.
      if (isSaneText(key)) pending.push([item, path ? `${path}.${key}` : key, depth + 1]);
      else fields.push(path ? `${path}.${printable(key)}` : printable(key));
    }
  }
  return fields.length > 0 ? new UnreadableBody('ill-formed', fields.sort()) : body;
}

/** A JSON object or a parsed form; never an array, a bare value or an UnreadableBody. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A Content-Type's media type, before any parameters, as Fastify's parsers match it. */
function mediaTypeOf(header: string): string {
  return header.split(';', 1)[0]!.trim().toLowerCase();
}

/** A form-encoded body marks an RFC 6749 client: standard 200 responses and §5.2 error bodies. */
export function isFormRequest(request: { headers: Record<string, string | string[] | undefined> }): boolean {
  const type = request.headers['content-type'];
  // The media type itself: `application/x-www-form-urlencodedfoo` is no form.
  return typeof type === 'string' && mediaTypeOf(type) === 'application/x-www-form-urlencoded';
}

const MEDIA_TYPE_TOKEN = /^[\w!#$%&'*+.^`|~-]+$/;

/** Fastify's own test of a Content-Type (lib/content-type.js): a type and a subtype, both tokens. */
export function isReadableMediaType(header: string): boolean {
  const [type, subtype, ...more] = mediaTypeOf(header).split('/');
  return more.length === 0 && subtype !== undefined && MEDIA_TYPE_TOKEN.test(type!) && MEDIA_TYPE_TOKEN.test(subtype);
}

export function registerBodyParsers(fastify: FastifyInstance): void {
  // Fastify answers a Content-Type it cannot parse (`a`, `;`, `text/plain, application/json`)
  // with a 415 of its own before any parser runs, which the token endpoint must answer 401
  // invalid_request. Named as a type no parser speaks, it reaches the catch-all parser below
  // and every route answers it as it answers any type it does not read.
  fastify.addHook('onRequest', (request, _reply, done) => {
    const type = request.raw.headers['content-type'];
    if (type !== undefined && !isReadableMediaType(type)) request.raw.headers['content-type'] = 'application/x-unreadable';
    done();
  });
  // Fastify's own JSON parser keeps its prototype-poisoning protection.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, value) => done(null, error ? new UnreadableBody('malformed') : refuseHostile(value)));
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const form: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      if (Object.hasOwn(form, key)) return done(null, new UnreadableBody('duplicated'));
      form[key] = value;
    }
    done(null, refuseHostile(form));
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, new UnreadableBody('unsupported')));
}
