import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../config/app-config.js';
import { approximateBytes, InvalidatedCache, TokenEndpointCache } from './token-cache.service.js';

const entry = (value: string, dependsOn = {}) => ({ value, dependsOn });

describe('InvalidatedCache', () => {
  const online = (capacity = 10) => {
    const cache = new InvalidatedCache<ReturnType<typeof entry>>(capacity);
    cache.setOnline(true);
    return cache;
  };

  it('serves nothing while its listener is offline, and starts empty when it comes back', () => {
    const cache = new InvalidatedCache<ReturnType<typeof entry>>(10);
    cache.set('a', entry('1'), cache.ticket());
    expect(cache.get('a')).toBeUndefined();
    cache.setOnline(true);
    cache.set('a', entry('1'), cache.ticket());
    cache.setOnline(false);
    cache.setOnline(true);
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses a read that raced an invalidation', () => {
    const cache = online();
    const ticket = cache.ticket();
    cache.invalidate({ kind: 'token', tokenHash: 'other' });
    cache.set('a', entry('1'), ticket);
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts by token hash and by every row an entry depends on', () => {
    const cache = online();
    cache.set('t1', entry('1', { installationId: '7' }), cache.ticket());
    cache.set('t2', entry('2', { installationId: '8', applicationId: '3' }), cache.ticket());
    cache.invalidate({ kind: 'token', tokenHash: 't1' });
    expect(cache.get('t1')).toBeUndefined();
    cache.invalidate({ kind: 'application', id: '3' });
    expect(cache.get('t2')).toBeUndefined();
  });

  it('is bypassed while a write of this instance is held, and serves again once released', () => {
    const cache = online();
    cache.set('a', entry('1'), cache.ticket());
    const release = cache.hold();
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', entry('2'), cache.ticket());
    release();
    release();
    expect(cache.get('a')?.value).toBe('1');
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the oldest entry', () => {
    const cache = online(2);
    for (const key of ['a', 'b', 'c']) cache.set(key, entry(key), cache.ticket());
    expect([cache.get('a'), cache.get('b')?.value, cache.get('c')?.value]).toEqual([undefined, 'b', 'c']);
  });

  // Under refresh load every few milliseconds brings a token's invalidation: had those discarded
  // client reads, a cold client cache would stay cold, one more statement per refresh (npm run bench).
  it('keeps a client read that raced only token invalidations, but not one that raced its application', async () => {
    const clients = new TokenEndpointCache({ TOKEN_CACHE_SIZE: 10, TOKEN_CACHE_MAX_MB: 1 } as AppConfig);
    clients.setOnline(true);
    await clients.through('client:a', async () => {
      clients.invalidate({ kind: 'token', tokenHash: 'rotated elsewhere' });
      return entry('a', { applicationId: '1' });
    });
    expect(clients.get('client:a')?.value).toBe('a');
    await clients.through('client:b', async () => {
      clients.invalidate({ kind: 'application', id: '2' });
      return entry('b', { applicationId: '2' });
    });
    expect(clients.get('client:b')).toBeUndefined();
  });

  it('keeps at most its byte budget, dropping the oldest entries, and refuses an entry larger than all of it', () => {
    const cache = new InvalidatedCache<ReturnType<typeof entry>>(1000, 4096);
    cache.setOnline(true);
    for (let index = 0; index < 100; index += 1) cache.set(`k${index}`, entry('x'.repeat(500)), cache.ticket());
    const { entries, bytes } = cache.stats();
    expect(bytes).toBeLessThanOrEqual(4096);
    expect(entries).toBeGreaterThan(1);
    expect(cache.get('k99')?.value).toHaveLength(500);
    expect(cache.get('k0')).toBeUndefined();
    cache.set('huge', entry('x'.repeat(5000)), cache.ticket());
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.stats()).toEqual({ entries, bytes });
  });

  it('gives back the bytes of what it evicts, invalidates or forgets', () => {
    const cache = online();
    cache.set('a', entry('1', { installationId: '7' }), cache.ticket());
    cache.set('a', entry('2', { installationId: '7' }), cache.ticket());
    cache.set('b', entry('3'), cache.ticket());
    cache.invalidate({ kind: 'installation', id: '7' });
    cache.invalidate({ kind: 'token', tokenHash: 'b' });
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0 });
    cache.set('c', entry('4'), cache.ticket());
    cache.setOnline(false);
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0 });
  });
});

describe('approximateBytes', () => {
  it('counts two bytes a character plus overheads, through objects, arrays and sets, without recursion', () => {
    expect(approximateBytes('abcd')).toBeGreaterThanOrEqual(8);
    expect(approximateBytes({ a: 'x'.repeat(1000), b: new Set(['y'.repeat(1000)]) })).toBeGreaterThanOrEqual(4000);
    let deep: unknown = 'leaf';
    for (let depth = 0; depth < 100_000; depth += 1) deep = [deep];
    expect(approximateBytes(deep)).toBeGreaterThan(100_000);
  });
});
