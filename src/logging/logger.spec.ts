import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';

function capture(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('the JSON logger', () => {
  it('redacts credentials and secret-bearing fields wherever a log call puts them', () => {
    const out = capture();
    const logger = createLogger('info', out);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer personal-token-1', cookie: 'session=cookie-2' }, body: { client_secret: 'client-secret-3', code: 'grant-code-4' }, query: { refresh_token: 'refresh-5' } },
        token: 'token-6',
        install: { clientSecret: 'client-secret-7', refreshToken: 'refresh-8', password: 'password-9' },
      },
      'something happened',
    );
    const [line] = out.lines;
    for (const secret of ['personal-token-1', 'cookie-2', 'client-secret-3', 'grant-code-4', 'refresh-5', 'token-6', 'client-secret-7', 'refresh-8', 'password-9']) expect(line).not.toContain(secret);
    expect(JSON.parse(line!)).toMatchObject({ level: 'info', msg: 'something happened', req: { headers: { authorization: '[redacted]' } } });
  });

  it('keeps an error code, which is no secret', () => {
    const out = capture();
    createLogger('info', out).error({ err: { code: 'ECONNREFUSED' } }, 'database down');
    expect(JSON.parse(out.lines[0]!).err.code).toBe('ECONNREFUSED');
  });

  it('writes nothing at level silent', () => {
    const out = capture();
    createLogger('silent', out).error('nothing');
    expect(out.lines).toEqual([]);
  });
});
