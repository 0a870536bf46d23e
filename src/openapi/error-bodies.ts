import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** Every error body: one human sentence. */
export class ErrorBody {
  @ApiProperty({ example: 'Not found' })
  detail: string;
}

/** A token-endpoint error: `detail` plus the RFC 6749 §5.2 code (and `error_description` for form-encoded RFC 6749 clients). */
export class OAuthErrorBody extends ErrorBody {
  @ApiProperty({ enum: ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type'], example: 'invalid_grant' })
  error: string;

  @ApiPropertyOptional({ description: 'Only for application/x-www-form-urlencoded requests (RFC 6749 §5.2).' })
  error_description?: string;
}

export class ValidationErrorBody extends ErrorBody {
  @ApiProperty({ example: { email: ['Enter a valid email address.'] }, type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } })
  errors: Record<string, string[]>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: field errors, malformed JSON, or a body that is not a JSON object.',
  401: 'No, unknown, revoked or expired Bearer token (`WWW-Authenticate: Bearer realm="api"`).',
  403: 'The caller may not do this.',
  404: 'Not found.',
  409: 'Conflicts with an existing resource.',
  413: 'The body is over 64 KiB.',
  415: 'The body is not application/json.',
  429: 'Too many requests (`Retry-After` says when to retry).',
  503: 'The database cannot be reached.',
};

/** The contract's error answers of a route, each with its body schema. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: status === 400 ? ValidationErrorBody : ErrorBody })));
}

/** A route behind the global Bearer guard: a personal or an app token. */
export function ApiBearer() {
  return applyDecorators(ApiBearerAuth(), ApiErrors(401));
}
