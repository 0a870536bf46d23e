import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from './support/test-app.js';

const LIMITS = { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '700' };
// Node checks the deadlines on a timer; the server runs it at a quarter of the headers limit.
const SLACK_MS = 600;

interface Ending {
  afterMs: number;
  /** What the server wrote before closing, if anything. */
  text: string;
}

/** A raw connection that writes what it is given, when it is given, and reports when the server closes it. */
function rawConnection(port: number): { socket: Socket; ended: Promise<Ending> } {
  const socket = connect({ host: '127.0.0.1', port });
  const started = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const ended = new Promise<Ending>((resolve) => {
    socket.on('close', () => resolve({ afterMs: Date.now() - started, text }));
    socket.on('error', () => undefined);
  });
  return { socket, ended };
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

describe('slow clients are cut off (contract v1.1)', () => {
  let t: TestApp;
  let port: number;
  const figures: string[] = [];
  beforeAll(async () => {
    t = await createTestApp(LIMITS);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    console.log(`reliability: slow clients cut off: ${figures.join('; ')}`);
    await t.close();
  });

  it('answers 408 {detail} to a request that sends its headers and half its body, once the request limit has passed', async () => {
    const { socket, ended } = rawConnection(port);
    socket.write('POST /api/0/organizations/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":');
    const { afterMs, text } = await ended;
    figures.push(`half-sent body after ${afterMs} ms (limit 1000)`);
    expect(statusOf(text)).toBe(408);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ detail: 'The request did not arrive in time.' });
    expect(text).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
    expect(text).toMatch(/\r\nX-Request-ID: [0-9a-f-]{36}\r\n/);
    expect(afterMs).toBeGreaterThanOrEqual(900);
    expect(afterMs).toBeLessThan(1000 + SLACK_MS);
  });

  it('cuts off headers that trickle in, once the headers limit has passed', async () => {
    const { socket, ended } = rawConnection(port);
    socket.write('GET /api/0/internal/health/ HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 50);
    const { afterMs, text } = await ended;
    clearInterval(trickle);
    figures.push(`trickled headers after ${afterMs} ms (limit 500)`);
    expect([0, 408]).toContain(statusOf(text));
    expect(afterMs).toBeLessThan(500 + SLACK_MS);
  });

  it('closes a connection that never sends anything', async () => {
    const { ended } = rawConnection(port);
    const { afterMs } = await ended;
    figures.push(`silent connection after ${afterMs} ms`);
    expect(afterMs).toBeLessThan(1000 + SLACK_MS);
  });

  it('serves a complete request, then closes the idle keep-alive connection after its limit', async () => {
    const { socket, ended } = rawConnection(port);
    socket.write('GET /api/0/internal/health/ HTTP/1.1\r\nHost: x\r\n\r\n');
    const { afterMs, text } = await ended;
    figures.push(`idle keep-alive after ${afterMs} ms (limit 700, after one request)`);
    expect(statusOf(text)).toBe(200);
    expect(afterMs).toBeGreaterThanOrEqual(700);
    expect(afterMs).toBeLessThan(700 + 1000 + SLACK_MS);
  });

  it('applies the configured limits to the server, and defaults to 10 s, 30 s and 72 s', async () => {
    const server = t.app.getHttpServer();
    expect({ headers: server.headersTimeout, request: server.requestTimeout, keepAlive: server.keepAliveTimeout }).toEqual({ headers: 500, request: 1000, keepAlive: 700 });
    const defaults = await createTestApp();
    try {
      const { headersTimeout, requestTimeout, keepAliveTimeout } = defaults.app.getHttpServer();
      expect({ headersTimeout, requestTimeout, keepAliveTimeout }).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 72_000 });
    } finally {
      await defaults.close();
    }
  });
});
