import { describe, expect, it } from '@jest/globals';
import { installRedirectUrl } from './install-redirect.js';

describe('installRedirectUrl', () => {
  it("adds code, installationId and orgSlug to the app's own query", () => {
    const url = new URL(installRedirectUrl('https://app.example.com/setup?team=7#top', 'c0de', 'b5a1', 'acme')!);
    expect(url.origin + url.pathname).toBe('https://app.example.com/setup');
    expect(Object.fromEntries(url.searchParams)).toEqual({ team: '7', code: 'c0de', installationId: 'b5a1', orgSlug: 'acme' });
    expect(url.hash).toBe('#top');
  });

  it('is absent without a redirectUrl or without a code', () => {
    expect(installRedirectUrl(null, 'c0de', 'b5a1', 'acme')).toBeUndefined();
    expect(installRedirectUrl('https://app.example.com/setup', null, 'b5a1', 'acme')).toBeUndefined();
  });

  it('never throws: a stored URL that no longer parses, or is not http(s), leaves the install without a redirect', () => {
    for (const stored of ['http://xn--a.com/cb', 'http://[::1', 'not a url', 'javascript:alert(1)', 'https://exa\ud800mple.com/']) {
      expect(installRedirectUrl(stored, 'c0de', 'b5a1', 'acme')).toBeUndefined();
    }
  });
});
