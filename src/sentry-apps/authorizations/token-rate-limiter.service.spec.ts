import { describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../../config/app-config.js';
import { TokenRateLimiter } from './token-rate-limiter.service.js';

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

  // The counter outlives the request by a minute; what the request held (its logger, its
  // request id: about 1 KB each) must not, or memory grows with the request rate.
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
