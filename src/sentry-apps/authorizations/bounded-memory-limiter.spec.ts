import { describe, expect, it } from '@jest/globals';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { BoundedMemoryLimiter } from './bounded-memory-limiter.js';

const limiter = (maxKeys = 100, points = 3) => new BoundedMemoryLimiter({ keyPrefix: 'test', points, duration: 60, maxKeys });

describe('BoundedMemoryLimiter', () => {
  it('lets `points` through per key and window, then rejects with the time left', async () => {
    const limits = limiter();
    for (let attempt = 0; attempt < 3; attempt += 1) await limits.consume('a');
    const refused = await limits.consume('a').catch((result: unknown) => result);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect(refused).toMatchObject({ consumedPoints: 4, remainingPoints: 0 });
    expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(59_000);
    await limits.consume('b');
    expect((await limits.get('a'))?.consumedPoints).toBe(4);
    expect(await limits.get('never')).toBeNull();
  });

  it('holds at most maxKeys keys, however many it is sent, and no key longer than 128 characters', async () => {
    const limits = limiter(100);
    for (let index = 0; index < 10_000; index += 1) await limits.consume(`${index}:${'x'.repeat(index % 3 ? 10 : 1000)}`);
    const { entries, bytes } = limits.stats();
    expect(entries).toBe(100);
    expect(bytes).toBeLessThanOrEqual(100 * (96 + 2 * 128));
  });

  it('evicts the least recently used key, so a key in use keeps its count while others churn', async () => {
    const limits = limiter(10);
    for (let round = 0; round < 100; round += 1) {
      await limits.consume('hot').catch(() => undefined);
      await limits.consume(`cold-${round}`);
    }
    expect((await limits.get('hot'))?.consumedPoints).toBe(100);
    expect(await limits.get('cold-0')).toBeNull();
  });

  it('serves as an insurance limiter: penalty, reward, set, block and delete', async () => {
    const limits = limiter();
    await limits.penalty('a', 2);
    await limits.reward('a', 1);
    expect((await limits.get('a'))?.consumedPoints).toBe(1);
    await limits.block('a', 30);
    expect((await limits.get('a'))?.consumedPoints).toBe(4);
    expect(await limits.delete('a')).toBe(true);
    expect(await limits.get('a')).toBeNull();
    await limits.set('b', 2, 0);
    expect((await limits.get('b'))?.msBeforeNext).toBeGreaterThan(59_000);
  });
});
