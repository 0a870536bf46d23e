import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../config/app-config.js';

const KEY = { SECRET_KEY: 'k'.repeat(32) };

describe('webhook configuration', () => {
  it("defaults to the contract's 5 s per attempt and six attempts over about an hour", () => {
    const config = loadConfig(KEY);
    expect(config.WEBHOOK_TIMEOUT_MS).toBe(5000);
    expect(config.WEBHOOK_MAX_ATTEMPTS).toBe(6);
    expect(config.WEBHOOK_ALLOW_PRIVATE).toBe(false);
    const waits = Array.from({ length: config.WEBHOOK_MAX_ATTEMPTS - 1 }, (_, n) => config.WEBHOOK_BACKOFF_BASE_SECONDS * 2 ** n);
    const total = waits.reduce((sum, wait) => sum + wait, 0);
    expect(total).toBeGreaterThan(50 * 60);
    expect(total).toBeLessThan(70 * 60);
  });

  it('accepts fractional backoff and names a bad variable', () => {
    expect(loadConfig({ ...KEY, WEBHOOK_BACKOFF_BASE_SECONDS: '0.5' }).WEBHOOK_BACKOFF_BASE_SECONDS).toBe(0.5);
    expect(() => loadConfig({ ...KEY, WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...KEY, WEBHOOK_POLL_INTERVAL_MS: '0' })).toThrow(/WEBHOOK_POLL_INTERVAL_MS/);
  });
});
