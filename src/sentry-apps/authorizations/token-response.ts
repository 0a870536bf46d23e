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

/** RFC 6749 §5.1's body, for form-encoded clients (200). */
export function rfc6749TokenBody(pair: IssuedPair) {
  return {
    access_token: pair.token,
    token_type: 'Bearer',
    expires_in: Math.round((pair.expiresAt.getTime() - pair.dateCreated.getTime()) / 1000),
    refresh_token: pair.refreshToken,
    scope: pair.scopes.join(' '),
  };
}
