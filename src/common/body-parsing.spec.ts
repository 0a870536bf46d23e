import { describe, expect, it } from '@jest/globals';
import { isFormRequest, isReadableMediaType, refuseHostile, UnreadableBody } from './body-parsing.js';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = level % 2 ? [value] : { a: value };
  return value;
};

describe('refuseHostile', () => {
  it('reads 32 levels of nesting and refuses 33', () => {
    expect(refuseHostile(nested(32))).toEqual(nested(32));
    expect(refuseHostile(nested(33))).toEqual(new UnreadableBody('too-deep'));
  });

  it('walks without recursion, so no depth can overflow the stack', () => {
    expect(refuseHostile(nested(1_000_000))).toEqual(new UnreadableBody('too-deep'));
  });

  it('names every key and string that holds a lone surrogate or NUL, by its path', () => {
    const body = { email: 'x\ud800@example.com', ok: 'fine 💥', list: ['a', 'b\u0000'], nested: { ['k\udc00']: 'v' }, n: 1, t: true, z: null };
    expect(refuseHostile(body)).toEqual(new UnreadableBody('ill-formed', ['email', 'list.1', 'nested.k\ufffd']));
  });

  it('passes well-formed bodies through as they are', () => {
    const body = { name: 'Ünïcødé 🔑', scopes: ['org:read'], deep: nested(20) };
    expect(refuseHostile(body)).toBe(body);
  });
});

describe('isReadableMediaType', () => {
  it("agrees with Fastify's parser: a type and a subtype, both tokens, before any parameters", () => {
    for (const type of ['application/json', 'APPLICATION/JSON', ' application/json ', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded;charset=UTF-8', 'text/plain;', 'application/vnd.api+json']) {
      expect([type, isReadableMediaType(type)]).toEqual([type, true]);
    }
    for (const type of ['', 'a', ';', '/', 'a/', '/b', 'undefined', 'text/plain, application/json', 'application/json , x', 'app lication/json', 'application/json\u00e9']) {
      expect([type, isReadableMediaType(type)]).toEqual([type, false]);
    }
  });
});

describe('isFormRequest', () => {
  it('is the form media type itself, with or without parameters, in any case; nothing that only begins like it', () => {
    const form = (type?: string) => isFormRequest({ headers: { 'content-type': type } });
    expect(['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', ' application/x-www-form-urlencoded ;x=1'].map(form)).toEqual([true, true, true]);
    expect([undefined, '', 'application/x-www-form-urlencodedfoo', 'application/x-www-form-urlencoded-x', 'application/json', 'multipart/form-data'].map(form)).toEqual([false, false, false, false, false, false]);
  });
});
