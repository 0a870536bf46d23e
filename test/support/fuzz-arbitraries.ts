import fc from 'fast-check';
import { createHmac, randomUUID } from 'node:crypto';
import type { RawRequest } from './raw-http.js';
import type { AppRoute as Route } from './routes.js';

/** Real values the fuzzer mixes in, so requests get past authentication and into validation. */
export interface FuzzWorld {
  /** Path parameter name (`organizationSlug`, `slug`, `uuid`, …) → real values for routes that change nothing irreversibly. */
  params: Record<string, string[]>;
  /** The same for routes that destroy what they name (DELETE, rotate-secret): only disposable fixtures. */
  disposableParams: Record<string, string[]>;
  /** Bearer tokens that work: a user, a superuser, an app. */
  bearerTokens: string[];
  /** Values for body fields: client ids and secrets, codes, refresh tokens, slugs, emails. */
  bodyValues: Record<string, string[]>;
  /** A sentry app whose manual-refresh JWTs the fuzzer signs, with hostile claims. */
  jwtSigner: { clientId: string; clientSecret: string };
}

const NASTY = [
  "' OR 1=1 --", "'; DROP TABLE users; --", '" OR ""="', '1; SELECT pg_sleep(5)', '$1', '%s%s%s%n',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '/dev/zero', 'file:///etc/passwd',
  '\u0000', 'a\u0000b', '\u202e\u2066evil', '\ud800', '\udfff\ud800', '\ufeff', '\uffff', '💥🔑', 'İı', 'ß', 'ﬀ', '\u0301',
  '%00', '%', '%ZZ', '${jndi:ldap://127.0.0.1/x}', '{{7*7}}', '<script>alert(1)</script>', 'javascript:alert(1)',
  'null', 'undefined', 'NaN', 'Infinity', '-1', '0', '1e309', '0x10', '__proto__', 'constructor', 'prototype',
  ' ', '', '\t\r\n', 'http://127.0.0.1:1/', 'http://[::1]/', 'ftp://x', 'a@b', 'a'.repeat(300), 'x'.repeat(5000),
  'sntryu_', `sntryu_${'0'.repeat(64)}`, '0'.repeat(64), 'ffffffff-ffff-ffff-ffff-ffffffffffff', '00000000-0000-4000-8000-000000000000',
  // JWTs for the manual-refresh grant: alg "none", a truncated one, a header-only one.
  'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ.', 'eyJhbGciOiJIUzI1NiJ9.e30', 'eyJ.eyJ.', '..',
];

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 200, maxLength: 2000 }) },
);

/**
 * The classes of hostile input the fuzzer knows, each a way an outside review broke the
 * server: a request is tagged with every class it carries, and the run reports them.
 */
export type HostileClass = 'deep' | 'ill-formed' | 'disguised-id' | 'hostile-url' | 'hostile-jwt';

const ILL_FORMED = ['\ud800', '\udfff', '\udc00\ud800', '\ud83d', '\u0000'];

/** A real value with a lone surrogate or NUL slipped in: an email, a name, a URL, an id. */
export function illFormed(value: string): fc.Arbitrary<string> {
  return fc.tuple(fc.nat({ max: value.length }), fc.constantFrom(...ILL_FORMED)).map(([at, bad]) => value.slice(0, at) + bad + value.slice(at));
}

/** An identifier as an attacker re-dresses it: padded, re-cased, quoted, cut, doubled. */
export function disguised(value: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u200b', '\u3000', '\ufeff'), fc.integer({ min: 1, max: 3 }), fc.boolean())
      .map(([pad, count, before]) => (before ? pad.repeat(count) + value : value + pad.repeat(count))) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 10_000 }).map((count) => value + ' '.repeat(count)) },
    { weight: 3, arbitrary: fc.constantFrom(value.toUpperCase(), value.replace(/[a-z]/, (letter) => letter.toUpperCase()), `"${value}"`, `{${value}}`, value.slice(1), value + value.slice(-1), value + value) },
  ).filter((variant) => variant !== value);
}

/** URLs that validator's isURL or a naive check lets through, but a WHATWG reader refuses or misreads. */
export const HOSTILE_URLS = [
  'http://xn--a.com/cb', 'https://xn--/x', 'http://exa\ud800mple.com/', 'https://example.com/\u0000', 'http://[::1', 'http:///cb', 'http://a b.com/',
  'http://%zz/', 'https://example.com:99999/', 'HTTP://EXAMPLE.COM/', 'http://127.0.0.1:1/', 'javascript:alert(1)', 'ftp://example.com/', '//example.com/cb',
  'http://example.com\\@evil.com/', 'https://user:pass@example.com/', `https://example.com/${'a'.repeat(3000)}`,
];

/** JSON nested past the contract's 32 levels: arrays, objects, or both, from just past the limit to thousands deep. */
export const deepJson = fc.tuple(fc.integer({ min: 33, max: 5000 }), fc.constantFrom('array', 'object', 'mixed'))
  .map(([depth, shape]) => {
    const open = (level: number) => (shape === 'array' || (shape === 'mixed' && level % 2) ? '[' : '{"a":');
    const close = (level: number) => (shape === 'array' || (shape === 'mixed' && level % 2) ? ']' : '}');
    let text = '"x"';
    for (let level = 0; level < depth; level += 1) text = open(level) + text + close(level);
    return text;
  });

/** What Node's client lets through in a header value: tab, visible ASCII and Latin-1. */
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((code) => String.fromCharCode(code));
const headerString = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as its raw (invalid) UTF-8 bytes
  }
}

const RAW_SEGMENTS = ['%', '%ZZ', '%00', '..', '.', '%2e%2e', '%C0%AE%C0%AE', '%ED%A0%80', '%FF', ';a=b', '~', '%2F', '*', '$'];

/** A path for the route: real, nasty or raw parameters, or real ones disguised; tagged with the classes it carries. */
function pathArbitrary(route: Route, params: Record<string, string[]>): fc.Arbitrary<[string, HostileClass[]]> {
  const names = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const plain = (arbitrary: fc.Arbitrary<string>) => arbitrary.map((segment): [string, HostileClass[]] => [segment, []]);
  const value = (name: string) => fc.oneof(
    { weight: 6, arbitrary: plain(params[name]?.length ? fc.constantFrom(...params[name]!) : nastyString.map(encodeSegment)) },
    { weight: 3, arbitrary: plain(nastyString.map(encodeSegment)) },
    { weight: 2, arbitrary: (params[name]?.length ? fc.constantFrom(...params[name]!) : nastyString)
      .chain((original) => fc.oneof(disguised(original).map((variant): [string, HostileClass[]] => [variant, ['disguised-id']]), illFormed(original).map((variant): [string, HostileClass[]] => [variant, ['ill-formed']])))
      .map(([variant, classes]): [string, HostileClass[]] => [encodeSegment(variant.slice(0, 200)), classes]) },
    { weight: 1, arbitrary: plain(fc.constantFrom(...RAW_SEGMENTS)) },
  );
  return fc.tuple(fc.tuple(...names.map(value)), fc.constantFrom('', '/', '//'), fc.option(fc.constantFrom('?a=1&a=2', '?%ZZ', '?x=' + 'q'.repeat(2000), '?__proto__[x]=1'), { nil: '' }))
    .map(([values, slash, query]) => {
      let index = 0;
      return [route.path.replace(/:(\w+)/g, () => values[index++]![0]) + slash + query, values.flatMap(([, classes]) => classes)];
    });
}

/** Odd paths outside the route table. */
const strayPath = fc.oneof(
  fc.constantFrom('/', '/api', '/api/0', '/api/0/', '/api/1/users/me/', '/API/0/users/me/', '/api/0/../../etc/passwd', '/api/0/%2e%2e/%2e%2e/', '//api//0//users//me', '/api/0/users/me/%00', '/api/0/organizations/%ED%A0%80/'),
  nastyString.map((value) => `/api/0/${encodeSegment(value)}/`),
);

function authorization(world: FuzzWorld) {
  const token = fc.oneof(fc.constantFrom(...world.bearerTokens), headerString(80), fc.constantFrom(...NASTY.filter((value) => /^[\x20-\x7e]*$/.test(value))));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<[string, string][]>([]) },
    { weight: 6, arbitrary: fc.constantFrom(...world.bearerTokens).map((value): [string, string][] => [['Authorization', `Bearer ${value}`]]) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'Digest', 'Bearer:', 'Bearer\t', 'OAuth', ''), fc.constantFrom(' ', '  ', '\t', ''), token)
      .map(([scheme, space, value]): [string, string][] => [['Authorization', `${scheme}${space}${value}`]]) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Bearer a b', `Bearer ${'a'.repeat(4000)}`, 'Basic Og==', 'Basic !!!', 'Basic ' + Buffer.from('a:b:c').toString('base64'), ' ')
      .map((value): [string, string][] => [['Authorization', value]]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...world.bearerTokens), headerString(40))
      .map(([valid, junk]): [string, string][] => [['Authorization', `Bearer ${junk}`], ['Authorization', `Bearer ${valid}`]]) },
  );
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=utf-16', 'application/json;;',
  'application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx', '*/*', '', ';',
];

/** A form field's text. Objects and arrays go as JSON: fc.jsonValue may nest an object without a prototype, which String() cannot convert. */
const formValue = (value: unknown) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

interface FuzzBody {
  text: string | Buffer;
  type: string;
  classes?: HostileClass[];
}

const IDENTIFIER_FIELDS = new Set(['client_id', 'code', 'refresh_token', 'token', 'slug', 'organization']);

function bodyArbitrary(world: FuzzWorld): fc.Arbitrary<FuzzBody | undefined> {
  const keys = Object.keys(world.bodyValues).concat('__proto__', 'constructor', 'extra');
  const plain = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...Object.values(world.bodyValues).flat()) },
    { weight: 3, arbitrary: nastyString },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nastyString, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })) },
  );
  // A field's own real value, turned hostile in the way that field invites.
  const hostileField = fc.constantFrom(...Object.keys(world.bodyValues).filter((key) => world.bodyValues[key]!.length > 0)).chain((key) => {
    const real = fc.constantFrom(...world.bodyValues[key]!);
    const variants: fc.Arbitrary<[string, HostileClass]>[] = [real.chain(illFormed).map((value) => [value, 'ill-formed'])];
    if (IDENTIFIER_FIELDS.has(key)) variants.push(real.chain(disguised).map((value) => [value, 'disguised-id']));
    if (/Url$/.test(key)) variants.push(fc.constantFrom(...HOSTILE_URLS).map((value) => [value, 'hostile-url']));
    return fc.oneof(...variants).map(([value, hostile]) => ({ key, value, hostile }));
  });
  const object = fc.dictionary(fc.constantFrom(...keys), plain, { maxKeys: 7 });
  const json = (text: string, classes?: HostileClass[]): FuzzBody => ({ text, type: 'application/json', classes });
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: object.map((body) => json(JSON.stringify(body))) },
    { weight: 4, arbitrary: fc.tuple(object, hostileField).map(([body, { key, value, hostile }]) => json(JSON.stringify({ ...body, [key]: value }), [hostile])) },
    { weight: 2, arbitrary: fc.tuple(object, fc.constantFrom(...keys), deepJson).map(([body, key, deep]) => json(`{${JSON.stringify(body).slice(1, -1)}${Object.keys(body).length ? ',' : ''}${JSON.stringify(key)}:${deep}}`, ['deep'])) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((body) => json(JSON.stringify(body))) },
    { weight: 2, arbitrary: fc.oneof(
      fc.constantFrom('{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'nul', '{"name":"x","name":["y"]}', '{"__proto__":{"isSuperuser":true}}',
        '{"constructor":{"prototype":{"isSuperuser":true}}}', '['.repeat(3000) + ']'.repeat(3000), '"\\ud800"', '{"name":"\\u0000"}'),
      fc.string({ maxLength: 60 }),
    ).map((text) => json(text)) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.constantFrom(...keys), plain.map(formValue)), { maxLength: 6 })
      .map((pairs) => ({ text: new URLSearchParams(pairs).toString(), type: 'application/x-www-form-urlencoded' })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ text: Buffer.from(bytes), type: 'application/json' })) },
    { weight: 1, arbitrary: fc.constantFrom(70 * 1024, 200 * 1024).map((size) => json(JSON.stringify({ name: 'x'.repeat(size) }))) },
  );
}

/** HS256, signed synchronously (fast-check's map cannot wait), exactly as Sentry's integrations sign. */
function signJwt(claims: Record<string, unknown>, secret: string): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** A manual-refresh JWT, properly signed with the app's secret, that carries one hostile claim. */
function hostileJwt({ clientId, clientSecret }: FuzzWorld['jwtSigner']): fc.Arbitrary<[string, string][]> {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = fc.oneof(
    fc.constantFrom(...ILL_FORMED).map((bad) => ({ jti: `j${bad}` })),
    fc.integer({ min: 61 + 30, max: 365 * 86400 }).map((ahead) => ({ iat: now() + ahead })),
    disguised(clientId).map((iss) => ({ iss })),
  );
  return claims.map((hostile) => [['Authorization', `Bearer ${signJwt({ iss: clientId, iat: now(), exp: now() + 60, jti: randomUUID(), ...hostile }, clientSecret)}`]]);
}

export interface FuzzCase extends RawRequest {
  route: string;
  /** The hostile classes the request carries. */
  classes: HostileClass[];
}

/** One adversarial request: a real route (or a stray path), odd credentials, headers and body. */
export function requestArbitrary(routes: Route[], world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const destructive = (route: Route) => route.method === 'DELETE' || route.path.endsWith('rotate-secret');
  const target = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...routes).chain((route) => fc.tuple(
      fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') }),
      pathArbitrary(route, destructive(route) ? world.disposableParams : world.params),
      fc.constant(`${route.method} ${route.path}`),
    )) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'DELETE'), strayPath.map((path): [string, HostileClass[]] => [path, []]), fc.constant('stray path')) },
  );
  const contentType = fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined, freq: 3 });
  const extraHeaders = fc.array(fc.oneof(
    fc.tuple(fc.constant('X-Request-ID'), headerString(200)),
    fc.tuple(fc.constantFrom('Accept', 'Accept-Encoding', 'X-Forwarded-For', 'Content-Encoding', 'Origin', 'Cookie'), headerString(100)),
  ), { maxLength: 3 });
  const auth = fc.oneof(
    { weight: 12, arbitrary: authorization(world).map((headers) => ({ headers, classes: [] as HostileClass[] })) },
    { weight: 1, arbitrary: hostileJwt(world.jwtSigner).map((headers) => ({ headers, classes: ['hostile-jwt'] as HostileClass[] })) },
  );
  return fc.record({ target, auth, body: bodyArbitrary(world), contentType, extraHeaders })
    .map(({ target: [method, [path, pathClasses], route], auth: { headers: authHeaders, classes }, body, contentType: forcedType, extraHeaders: extra }) => {
      const headers: [string, string][] = [...authHeaders, ...extra];
      const type = forcedType ?? body?.type;
      if (type !== undefined) headers.push(['Content-Type', type]);
      const sent = method === 'GET' || method === 'HEAD' ? undefined : body;
      return { method, path, route, headers, body: sent?.text, classes: [...classes, ...(sent?.classes ?? []), ...pathClasses] };
    });
}

/**
 * A request that stops part-way, in its head or in its body, and then sends nothing more
 * (a slow or half-sent client). Only methods that carry a body, so the server must wait
 * for the rest or cut it off.
 */
export function halfSentArbitrary(routes: Route[], world: FuzzWorld): fc.Arbitrary<{ request: FuzzCase; bytes: Buffer }> {
  return fc.tuple(requestArbitrary(routes, world).filter((request) => !['GET', 'HEAD', 'OPTIONS'].includes(request.method)), fc.double({ min: 0, max: 0.99, noNaN: true }), fc.boolean())
    .map(([request, fraction, inHead]) => {
      const body = Buffer.from(request.body && request.body.length > 1 ? request.body : '{"name":"half"}');
      const head = [`${request.method} ${request.path} HTTP/1.1`, 'Host: fuzz', ...(request.headers ?? []).map(([name, value]) => `${name}: ${value}`), `Content-Length: ${body.length}`, '', ''].join('\r\n');
      const cut = inHead ? Math.max(1, Math.floor(fraction * head.length)) : head.length + Math.floor(fraction * body.length);
      return { request, bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]).subarray(0, cut) };
    });
}
