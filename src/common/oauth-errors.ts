/**
 * One class per RFC 6749 §5.2 error code. The status is Sentry's (it answers 403 where
 * RFC 6749 says 400); `rfcStatus` is what a form-encoded RFC 6749 client gets instead.
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  abstract readonly status: number;
  readonly rfcStatus: number = 400;

  constructor(readonly detail: string) {
    super(detail);
  }
}

export class InvalidRequestError extends OAuthError {
  readonly error = 'invalid_request';
  constructor(
    detail = 'Invalid request',
    readonly status = 400,
  ) {
    super(detail);
  }
}

export class InvalidClientError extends OAuthError {
  readonly error = 'invalid_client';
  readonly status = 401;
  override readonly rfcStatus = 401;
  /** RFC 6749 §5.2: a client that used HTTP Basic gets a Basic challenge back. */
  constructor(
    detail = 'Invalid Client ID / Secret pair',
    readonly challenge?: 'Basic',
  ) {
    super(detail);
  }
}

export class InvalidGrantError extends OAuthError {
  readonly error = 'invalid_grant';
  readonly status = 403;
  constructor(detail = 'Invalid grant') {
    super(detail);
  }
}

export class UnauthorizedClientError extends OAuthError {
  readonly error = 'unauthorized_client';
  readonly status = 403;
  constructor(detail = 'Client is not authorized for this installation') {
    super(detail);
  }
}

export class UnsupportedGrantTypeError extends OAuthError {
  readonly error = 'unsupported_grant_type';
  readonly status = 403;
  constructor(detail = 'Invalid grant_type') {
    super(detail);
  }
}
