import { describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../../config/app-config.js';
import { sourceKey, TokenRateLimiter } from './token-rate-limiter.service.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('TokenRateLimiter', () => {
  const limiter = () => new TokenRateLimiter(loadConfig({ SECRET_KEY: 'k'.repeat(32), RATE_LIMIT_TOKEN_PER_MINUTE: '2' }));

  it('counts requests per client and installation for a minute', async () => {
    const limits = limiter();
    await limits.consumeRequest('client', 'installation');
    await limits.consumeRequest('client', 'installation');
    await expect(limits.consumeRequest('client', 'installation')).rejects.toMatchObject({ status: 429 });
    await limits.consumeRequest('client', 'another installation');
  });

  // The counter outlives the request by a minute; what the request held (an async context
  // and whatever it carries) must not, or memory grows with the request rate.
  it('keeps nothing of the request it counted alive', async () => {
    const limits = limiter();
    const requestContext = new AsyncLocalStorage<object>();
    let counted: WeakRef<object> | undefined;
    await (async () => {
      const store = { logger: 'a request-scoped logger' };
      counted = new WeakRef(store);
      await requestContext.run(store, () => limits.consumeRequest('client', 'installation'));
    })();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(counted!.deref()).toBeUndefined();
  });
});

describe('sourceKey', () => {
  it('keys IPv4 by address, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(sourceKey('203.0.113.9')).toBe('203.0.113.9');
    expect(sourceKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe(sourceKey('2001:db8:1:2:bbbb::9'));
    expect(sourceKey('2001:db8:1:2::1')).not.toBe(sourceKey('2001:db8:1:3::1'));
  });

  it('puts anything unparsable, however long, in one short bucket', () => {
    expect(sourceKey(`forged${' '.repeat(10_000)}`)).toBe('unparsable');
    expect(sourceKey('1.2.3.4, 5.6.7.8')).toBe('unparsable');
  });
});
