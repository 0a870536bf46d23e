import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isPlainObject } from '../../../common/body-parsing.js';
import { isSaneText } from '../../../common/text.js';

export const SCHEMA_MAX_BYTES = 32 * 1024;
export const SCHEMA_MAX_DEPTH = 16;

/**
 * An allowed origin as a browser sends it in `Origin`: `scheme://host[:port]`, http(s), in
 * the WHATWG URL's own serialization (lowercase host, no default port, no path), so that
 * comparing it with a request's `Origin` is plain equality.
 */
export function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
}

export const IsOrigin = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isOrigin', validator: { validate: isOrigin, defaultMessage: () => 'each allowed origin must be scheme://host[:port] with http or https, e.g. https://example.com' } }, options);

/** Nested at most `depthLeft` more levels, and every key and string sane text (jsonb refuses lone surrogates and NUL). */
function boundedJson(value: unknown, depthLeft: number): boolean {
  if (typeof value === 'string') return isSaneText(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depthLeft === 0) return false;
  if (Array.isArray(value)) return value.every((item) => boundedJson(item, depthLeft - 1));
  return Object.entries(value).every(([key, item]) => isSaneText(key) && boundedJson(item, depthLeft - 1));
}

/** A JSON object stored as given (Sentry's UI-component schema), bounded in depth and size. */
export function isBoundedJsonObject(value: unknown): boolean {
  return isPlainObject(value) && boundedJson(value, SCHEMA_MAX_DEPTH) && Buffer.byteLength(JSON.stringify(value), 'utf8') <= SCHEMA_MAX_BYTES;
}

export const IsBoundedJsonObject = (options?: ValidationOptions) =>
  ValidateBy({
    name: 'isBoundedJsonObject',
    validator: {
      validate: isBoundedJsonObject,
      defaultMessage: () => `schema must be a JSON object of at most ${SCHEMA_MAX_BYTES / 1024} KiB, nested at most ${SCHEMA_MAX_DEPTH} levels, with well-formed strings`,
    },
  }, options);
