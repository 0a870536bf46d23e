import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, ipLiteral, isBlockedAddress } from './target-guard.js';

export type AttemptResult =
  | { outcome: 'response'; statusCode: number }
  | { outcome: 'blocked' }
  | { outcome: 'error'; reason: string };

export interface AttemptOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/**
 * One POST. The timeout covers everything up to the response status; redirects are not
 * followed (a 3xx is just not a 2xx); each attempt opens its own connection, so the target
 * guard sees every address connected to.
 */
export function postOnce(url: string, body: Buffer, headers: Record<string, string>, options: AttemptOptions): Promise<AttemptResult> {
  const target = new URL(url);
  const literal = ipLiteral(target.hostname);
  if (!options.allowPrivate && literal && isBlockedAddress(literal)) return Promise.resolve({ outcome: 'blocked' });
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let request: ClientRequest | undefined;
    const finish = (result: AttemptResult) => {
      clearTimeout(timer);
      request?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ outcome: 'error', reason: 'timeout' }), options.timeoutMs);
    request = send(target, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(body.length) },
      agent: false,
      ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
    });
    request.on('response', (response) => {
      response.resume();
      finish({ outcome: 'response', statusCode: response.statusCode ?? 0 });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish(error.code === 'EWEBHOOKBLOCKED' ? { outcome: 'blocked' } : { outcome: 'error', reason: error.code ?? 'network error' });
    });
    request.end(body);
  });
}
