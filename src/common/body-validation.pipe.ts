import { ArgumentMetadata, BadRequestException, Injectable, UnsupportedMediaTypeException, ValidationError, ValidationPipe } from '@nestjs/common';
import { isPlainObject, UnreadableBody } from './body-parsing.js';
import { ValidationFailed } from './validation.js';

/** class-validator's errors as the contract's `{field: [message]}` (the console shows them beside each field). */
export function collect(errors: ValidationError[], prefix = '', into: Record<string, string[]> = {}): Record<string, string[]> {
  for (const error of errors) {
    const field = prefix + error.property;
    if (error.constraints) into[field] = Object.values(error.constraints);
    if (error.children?.length) collect(error.children, `${field}.`, into);
  }
  return into;
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (isPlainObject(value)) return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  return false;
}

const UNREADABLE = {
  malformed: () => new BadRequestException({ detail: 'Malformed JSON in the request body.' }),
  duplicated: () => new BadRequestException({ detail: 'A parameter was sent more than once.' }),
  unsupported: () => new UnsupportedMediaTypeException({ detail: 'Send the body as application/json.' }),
};

/**
 * Validates DTO bodies into the contract's 400 shape. Bodies that are not a JSON object
 * (malformed, an array, a bare value) are rejected before any field is looked at, and
 * NUL characters, which PostgreSQL text cannot hold, are refused here rather than failing there.
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      transform: true,
      forbidUnknownValues: false,
      exceptionFactory: (errors) => new ValidationFailed(collect(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      if (value instanceof UnreadableBody) throw UNREADABLE[value.reason]();
      if (value === undefined) value = {};
      if (!isPlainObject(value)) throw new BadRequestException({ detail: 'The request body must be a JSON object.' });
      if (containsNul(value)) throw new BadRequestException({ detail: 'The request body must not contain NUL characters.' });
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      // JSON may spell half a UTF-16 surrogate pair ("\udfff"), on which validator's isEmail
      // throws URIError instead of failing; no database text could hold it either.
      if (error instanceof URIError) throw new BadRequestException({ detail: 'The request body must not contain unpaired surrogates.' });
      throw error;
    }
  }
}
