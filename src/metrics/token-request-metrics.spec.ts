import { describe, expect, it } from '@jest/globals';
import { grantTypeLabel, tokenOutcome } from './token-request-metrics.js';

describe('token request labels', () => {
  it('keeps the grant types the server knows and folds everything else into "other"', () => {
    expect(grantTypeLabel({ grant_type: 'authorization_code' })).toBe('authorization_code');
    expect(grantTypeLabel({ grant_type: 'urn:sentry:params:oauth:grant-type:jwt-bearer' })).toBe('urn:sentry:params:oauth:grant-type:jwt-bearer');
    for (const body of [{ grant_type: 'Refresh_Token' }, { grant_type: ['refresh_token'] }, {}, undefined, '[]']) expect(grantTypeLabel(body)).toBe('other');
  });

  it('names the outcome by the RFC 6749 error code, else by the status', () => {
    expect(tokenOutcome(201, '{"token":"x"}')).toBe('issued');
    expect(tokenOutcome(200, '{"access_token":"x"}')).toBe('issued');
    expect(tokenOutcome(400, '{"error":"invalid_request","error_description":"x","detail":"x"}')).toBe('invalid_request');
    expect(tokenOutcome(403, '{"detail":"x","error":"made_up"}')).toBe('forbidden');
    expect(tokenOutcome(401, '{"detail":"Could not validate JWT"}')).toBe('unauthenticated');
    expect(tokenOutcome(429, '{"detail":"Too many token requests"}')).toBe('rate_limited');
    expect(tokenOutcome(503, '{"detail":"x"}')).toBe('server_error');
    expect(tokenOutcome(418, 'not json')).toBe('other');
  });
});
