import { ArgumentMetadata, BadRequestException, Injectable, UnsupportedMediaTypeException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ILL_FORMED_TEXT, isPlainObject, MAX_BODY_DEPTH, UnreadableBody } from './body-parsing.js';
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

const UNREADABLE: Record<UnreadableBody['reason'], (body: UnreadableBody) => Error> = {
  malformed: () => new BadRequestException({ detail: 'Malformed JSON in the request body.' }),
  duplicated: () => new BadRequestException({ detail: 'A parameter was sent more than once.' }),
  unsupported: () => new UnsupportedMediaTypeException({ detail: 'Send the body as application/json.' }),
  'too-deep': () => new BadRequestException({ detail: `The request body is nested deeper than ${MAX_BODY_DEPTH} levels.` }),
  'ill-formed': ({ fields }) => new ValidationFailed(Object.fromEntries(fields.map((field) => [field, [ILL_FORMED_TEXT]]))),
};

/**
 * Validates DTO bodies into the contract's 400 shape. Bodies the parser refused (see
 * refuseHostile) or that are not a JSON object (an array, a bare value) are rejected
 * before any field is looked at.
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
      if (value instanceof UnreadableBody) throw UNREADABLE[value.reason](value);
      if (value === undefined) value = {};
      if (!isPlainObject(value)) throw new BadRequestException({ detail: 'The request body must be a JSON object.' });
    }
    // Strings here are well-formed text (the parser refused the rest), so isEmail cannot throw URIError.
    return super.transform(value, metadata);
  }
}
