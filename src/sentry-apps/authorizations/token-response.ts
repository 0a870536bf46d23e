import type { IssuedPair } from './token.service.js';

/** Sentry's body for a token exchange or refresh (201). */
export function sentryTokenBody(pair: IssuedPair, state: unknown) {
  return {
    id: pair.id,
    token: pair.token,
    refreshToken: pair.refreshToken,
    expiresAt: pair.expiresAt,
    dateCreated: pair.dateCreated,
    state: typeof state === 'string' ? state : null,
    application: null,
    scopes: pair.scopes,
    tokenLastCharacters: pair.token.slice(-4),
  };
}

/**
 * RFC 6749 §5.1's body, for form-encoded clients (200). `expires_in` is what is left of the
 * token's life as the answer leaves: a retry inside the grace window gets the pair issued
 * before, and a client that counts from receipt must not think it lives longer than it does.
 * Whole seconds, rounded up, so that a fresh pair reads the full 28800.
 */
export function rfc6749TokenBody(pair: IssuedPair, now: Date) {
  const lifetimeMs = pair.expiresAt.getTime() - pair.dateCreated.getTime();
  const leftMs = Math.min(lifetimeMs, pair.expiresAt.getTime() - now.getTime());
  return {
    access_token: pair.token,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.ceil(leftMs / 1000)),
    refresh_token: pair.refreshToken,
    scope: pair.scopes.join(' '),
  };
}
