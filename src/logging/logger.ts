import { pino, type DestinationStream, type Logger } from 'pino';

/** Field names that carry a secret anywhere in the contract (RFC 6749 §2.3.1, §4.1.3, §6; RFC 7009). */
export const SECRET_FIELDS = ['client_secret', 'clientSecret', 'code', 'refresh_token', 'refreshToken', 'token', 'access_token', 'password'];

/**
 * Bodies and query strings are never logged; these paths are the second line of defence
 * should anything ever put a request, its headers or a secret-bearing object in a log call.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_FIELDS.flatMap((field) => [`req.body.${field}`, `req.query.${field}`, `body.${field}`, `query.${field}`]),
  // Anywhere one level down too, except `code`, which on an error object is a harmless errno or SQLSTATE.
  ...SECRET_FIELDS.filter((field) => field !== 'code').flatMap((field) => [field, `*.${field}`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
