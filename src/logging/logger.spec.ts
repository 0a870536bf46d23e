import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';
import { failureLine, NestPinoLogger } from './nest-logger.js';

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

describe("Nest's logs through pino", () => {
  it('writes Nest-style calls as JSON lines with their context, twice in a row and outside any request', () => {
    const out = capture();
    const nest = new NestPinoLogger(createLogger('info', out));
    nest.warn('pool error', 'Database');
    nest.warn('pool error again', 'Database');
    nest.log({ event: 'started', port: 3000 }, 'Bootstrap');
    nest.error('failed', 'Error: failed\n    at somewhere (file.js:1:1)', 'ExceptionsHandler');
    nest.error(new Error('thrown'));
    nest.debug('not at info');
    const lines = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ level: 'warn', context: 'Database', msg: 'pool error' });
    expect(lines[1]).toMatchObject({ level: 'warn', context: 'Database', msg: 'pool error again' });
    expect(lines[2]).toMatchObject({ level: 'info', context: 'Bootstrap', event: 'started', port: 3000 });
    expect(lines[3]).toMatchObject({ level: 'error', context: 'ExceptionsHandler', msg: 'failed', err: { stack: expect.stringContaining('at somewhere') } });
    expect(lines[4]).toMatchObject({ level: 'error', msg: 'thrown', err: { message: 'thrown' } });
    for (const line of lines) expect(line).not.toHaveProperty('reqId');
  });

  it("writes a request's failure with its id, the error's name, message and stack, and none of its other fields", () => {
    const out = capture();
    const failure = Object.assign(new Error('connection terminated'), { parameters: ['client-secret-1'], query: 'SELECT secret' });
    new NestPinoLogger(createLogger('info', out)).error(failureLine('req-7', failure));
    const [line] = out.lines;
    expect(line).not.toContain('client-secret-1');
    expect(line).not.toContain('SELECT secret');
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', reqId: 'req-7', msg: 'request req-7 failed: Error: connection terminated', err: { type: 'Error', message: 'connection terminated', stack: expect.stringContaining('connection terminated') } });
  });
});
