import { describe, expect, it } from '@jest/globals';
import { extend } from './objects.js';

describe('extend', () => {
  it("copies a cached object with a request's own fields, leaving the cached one as it was", () => {
    const cached = Object.freeze({ kind: 'app', userId: '7', scopes: new Set(['org:read']), address: undefined as string | undefined });
    const copy = extend(cached, { address: '203.0.113.9' });
    expect(copy).toEqual({ kind: 'app', userId: '7', scopes: cached.scopes, address: '203.0.113.9' });
    expect(copy).not.toBe(cached);
    expect(cached.address).toBeUndefined();
    expect(extend(cached, { address: '198.51.100.1' }).address).toBe('198.51.100.1');
  });
});
