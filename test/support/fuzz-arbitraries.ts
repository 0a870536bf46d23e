import fc from 'fast-check';
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

function pathArbitrary(route: Route, params: Record<string, string[]>) {
  const names = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const value = (name: string) => fc.oneof(
    { weight: 6, arbitrary: params[name]?.length ? fc.constantFrom(...params[name]!) : nastyString.map(encodeSegment) },
    { weight: 3, arbitrary: nastyString.map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  );
  return fc.tuple(fc.tuple(...names.map(value)), fc.constantFrom('', '/', '//'), fc.option(fc.constantFrom('?a=1&a=2', '?%ZZ', '?x=' + 'q'.repeat(2000), '?__proto__[x]=1'), { nil: '' }))
    .map(([values, slash, query]) => {
      let index = 0;
      return route.path.replace(/:(\w+)/g, () => values[index++]!) + slash + query;
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

function bodyArbitrary(world: FuzzWorld) {
  const keys = Object.keys(world.bodyValues).concat('__proto__', 'constructor', 'extra');
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...Object.values(world.bodyValues).flat()) },
    { weight: 3, arbitrary: nastyString },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nastyString, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })) },
  );
  const object = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 7 });
  const json = (text: string) => ({ text, type: 'application/json' });
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 10, arbitrary: object.map((body) => json(JSON.stringify(body))) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((body) => json(JSON.stringify(body))) },
    { weight: 2, arbitrary: fc.oneof(
      fc.constantFrom('{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'nul', '{"name":"x","name":["y"]}', '{"__proto__":{"isSuperuser":true}}',
        '{"constructor":{"prototype":{"isSuperuser":true}}}', '['.repeat(3000) + ']'.repeat(3000), '"\\ud800"', '{"name":"\\u0000"}'),
      fc.string({ maxLength: 60 }),
    ).map(json) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.constantFrom(...keys), value.map(formValue)), { maxLength: 6 })
      .map((pairs) => ({ text: new URLSearchParams(pairs).toString(), type: 'application/x-www-form-urlencoded' })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ text: Buffer.from(bytes), type: 'application/json' })) },
    { weight: 1, arbitrary: fc.constantFrom(70 * 1024, 200 * 1024).map((size) => json(JSON.stringify({ name: 'x'.repeat(size) }))) },
  );
}

export interface FuzzCase extends RawRequest {
  route: string;
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
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'DELETE'), strayPath, fc.constant('stray path')) },
  );
  const contentType = fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined, freq: 3 });
  const extraHeaders = fc.array(fc.oneof(
    fc.tuple(fc.constant('X-Request-ID'), headerString(200)),
    fc.tuple(fc.constantFrom('Accept', 'Accept-Encoding', 'X-Forwarded-For', 'Content-Encoding', 'Origin', 'Cookie'), headerString(100)),
  ), { maxLength: 3 });
  return fc.record({ target, auth: authorization(world), body: bodyArbitrary(world), contentType, extraHeaders })
    .map(({ target: [method, path, route], auth, body, contentType: forcedType, extraHeaders: extra }) => {
      const headers: [string, string][] = [...auth, ...extra];
      const type = forcedType ?? body?.type;
      if (type !== undefined) headers.push(['Content-Type', type]);
      return { method, path, route, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body?.text };
    });
}
