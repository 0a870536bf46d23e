import { BadRequestException } from '@nestjs/common';

/** The contract's validation error: 400 `{detail, errors: {field: [message]}}`. */
export class ValidationFailed extends BadRequestException {
  constructor(errors: Record<string, string[]>, detail = 'Invalid request') {
    super({ detail, errors });
  }
}
