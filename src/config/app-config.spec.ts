import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config.js';

const base = { DATABASE_URL: 'postgres://localhost/x', SECRET_KEY: 'k'.repeat(32) };

describe('loadConfig', () => {
  it("applies the contract's defaults", () => {
    expect(loadConfig(base)).toMatchObject({
      PORT: 9000, GRANT_TTL_SECONDS: 600, TOKEN_TTL_SECONDS: 28800, REFRESH_GRACE_SECONDS: 60,
      INITIAL_ADMIN_EMAIL: 'admin@localhost', RATE_LIMIT_TOKEN_PER_MINUTE: 60, RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 20,
      WEBHOOK_MAX_ATTEMPTS: 6, WEBHOOK_ALLOW_PRIVATE: false, JANITOR_INTERVAL_SECONDS: 300, MANUAL_REFRESH_ENABLED: true, LOG_LEVEL: 'info',
      HTTP_HEADERS_TIMEOUT_MS: 10_000, HTTP_REQUEST_TIMEOUT_MS: 30_000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 72_000,
      TOKEN_CACHE_MAX_MB: 32, RATE_LIMIT_MAX_KEYS: 100_000,
    });
  });

  it('reads TRUST_PROXY as a number of proxy hops or the proxies themselves, never as "trust every hop"', () => {
    const trust = (value?: string) => loadConfig(value === undefined ? base : { ...base, TRUST_PROXY: value }).TRUST_PROXY;
    expect([trust(), trust('false'), trust('0'), trust('true'), trust('1'), trust('3')]).toEqual([false, false, false, 1, 1, 3]);
    expect(trust('10.0.0.0/8, 192.0.2.7,loopback, 2001:db8::/32')).toEqual(['10.0.0.0/8', '192.0.2.7', 'loopback', '2001:db8::/32']);
  });

  it('parses numbers and booleans, and treats empty strings as unset', () => {
    const config = loadConfig({ ...base, PORT: '8080', WEBHOOK_ALLOW_PRIVATE: 'true', MANUAL_REFRESH_ENABLED: 'false', REFRESH_GRACE_SECONDS: '0', TOKEN_TTL_SECONDS: '' });
    expect(config).toMatchObject({ PORT: 8080, WEBHOOK_ALLOW_PRIVATE: true, MANUAL_REFRESH_ENABLED: false, REFRESH_GRACE_SECONDS: 0, TOKEN_TTL_SECONDS: 28800 });
  });

  it.each([
    ['PORT', 'http'],
    ['TOKEN_TTL_SECONDS', '-5'],
    ['WEBHOOK_ALLOW_PRIVATE', 'maybe'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['SECRET_KEY', 'short'],
    ['SESSION_IDLE_SECONDS', '10'],
    ['SESSION_MAX_AGE_SECONDS', 'forever'],
    ['HTTP_HEADERS_TIMEOUT_MS', '0'],
    ['HTTP_REQUEST_TIMEOUT_MS', 'never'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '-1'],
    ['TOKEN_CACHE_MAX_MB', '0'],
    ['RATE_LIMIT_MAX_KEYS', '10'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '11'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1,not-a-proxy'],
  ])('rejects %s=%s with a message naming it', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}=`));
  });

  it('refuses a session idle timeout longer than its absolute lifetime', () => {
    expect(() => loadConfig({ ...base, SESSION_IDLE_SECONDS: '7200', SESSION_MAX_AGE_SECONDS: '3600' })).toThrow(/SESSION_IDLE_SECONDS=7200: must not exceed SESSION_MAX_AGE_SECONDS/);
  });

  it('refuses a headers limit longer than the whole request limit, naming both', () => {
    expect(() => loadConfig({ ...base, HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS=20000: must not exceed HTTP_REQUEST_TIMEOUT_MS \(10000\)/);
  });

  it('requires SECRET_KEY with DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: base.DATABASE_URL })).toThrow(ConfigError);
  });

  it('generates and keeps a private SECRET_KEY under DATA_DIR for the embedded default', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(loadConfig({ DATA_DIR: dataDir }).SECRET_KEY).toBe(first.SECRET_KEY);
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()).toBe(first.SECRET_KEY);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o077).toBe(0);
  });
});
