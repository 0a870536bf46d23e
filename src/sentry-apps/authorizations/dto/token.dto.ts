import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ErrorBody, OAuthErrorBody } from '../../../openapi/error-bodies.js';

const HEX64 = { pattern: '^[0-9a-f]{64}$' };

/** The token request keeps Sentry's and RFC 6749's snake_case names (RFC 6749 §4.1.3, §6). */
export class TokenRequestDto {
  @ApiProperty({ ...HEX64, description: 'Or HTTP Basic authentication (RFC 6749 §2.3.1).' })
  client_id: string;

  @ApiProperty({ ...HEX64, description: 'Or HTTP Basic authentication (RFC 6749 §2.3.1).' })
  client_secret: string;

  @ApiProperty({ enum: ['authorization_code', 'refresh_token', 'urn:sentry:params:oauth:grant-type:jwt-bearer'] })
  grant_type: string;

  @ApiPropertyOptional({ ...HEX64, description: 'The grant code, for `authorization_code`.' })
  code?: string;

  @ApiPropertyOptional({ ...HEX64, description: 'For `refresh_token`.' })
  refresh_token?: string;

  @ApiPropertyOptional({ description: 'Echoed in the response.' })
  state?: string;
}

/** Sentry's answer to a JSON token request. */
export class TokenDto {
  @ApiProperty({ example: '1' })
  id: string;

  @ApiProperty({ ...HEX64, description: 'The Bearer token.' })
  token: string;

  @ApiProperty(HEX64)
  refreshToken: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Now + TOKEN_TTL_SECONDS (8 hours by default).' })
  expiresAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  dateCreated: Date;

  @ApiProperty({ type: String, nullable: true })
  state: string | null;

  @ApiProperty({ type: Object, nullable: true, example: null, description: "Always null, as in Sentry's answer." })
  application: null;

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty({ example: 'c0ff' })
  tokenLastCharacters: string;
}

/** RFC 6749 §5.1: the answer to a form-encoded request. */
export class Rfc6749TokenDto {
  @ApiProperty(HEX64)
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: string;

  @ApiProperty({ description: 'Seconds.' })
  expires_in: number;

  @ApiProperty(HEX64)
  refresh_token: string;

  @ApiProperty({ description: 'Space-separated scopes.', example: 'org:read' })
  scope: string;
}

const oauthError = (status: number, description: string) => ApiResponse({ status, description, type: OAuthErrorBody });

/** The token endpoint's documentation, in the order of the contract's checks. */
export function ApiTokenEndpoint() {
  return applyDecorators(
    ApiTags('authorizations'),
    ApiExtraModels(TokenRequestDto),
    ApiOperation({
      summary: 'Exchange a grant code or a refresh token for a token pair',
      description: 'Client authentication is `client_id`/`client_secret` in the body, or HTTP Basic. A form-encoded body is an RFC 6749 request and gets RFC 6749 answers.',
      security: [],
    }),
    ApiParam({ name: 'uuid', format: 'uuid', description: "The installation's uuid." }),
    ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
    ApiBody({ schema: { $ref: getSchemaPath(TokenRequestDto) } }),
    ApiResponse({ status: 201, description: 'A new token pair (`Cache-Control: no-store`).', type: TokenDto }),
    ApiResponse({ status: 200, description: 'A new token pair, for a form-encoded RFC 6749 request.', type: Rfc6749TokenDto }),
    oauthError(400, '`invalid_request`: `code` or `refresh_token` missing or not a string.'),
    oauthError(401, '`invalid_client` (one answer for every credential failure), or `invalid_request` for an unreadable body.'),
    oauthError(403, '`unauthorized_client`, `unsupported_grant_type` or `invalid_grant`.'),
    ApiResponse({ status: 404, description: 'Unknown or uninstalled installation.', type: ErrorBody }),
    ApiResponse({ status: 429, description: 'Too many token requests (`Retry-After`).', type: ErrorBody }),
  );
}

/** RFC 7009 §2.1's revocation request. */
export class RevocationRequestDto {
  @ApiProperty({ description: 'The access token or refresh token to revoke, with the rest of its pair.' })
  token: string;

  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'], description: 'A hint only; both kinds are looked up.' })
  token_type_hint?: string;

  @ApiPropertyOptional({ ...HEX64, description: 'Or HTTP Basic authentication (RFC 6749 §2.3.1).' })
  client_id?: string;

  @ApiPropertyOptional({ ...HEX64, description: 'Or HTTP Basic authentication (RFC 6749 §2.3.1).' })
  client_secret?: string;
}

/** RFC 7009 revocation: 200 whether or not the token existed. */
export function ApiRevocationEndpoint() {
  return applyDecorators(
    ApiTags('authorizations'),
    ApiExtraModels(RevocationRequestDto),
    ApiOperation({ summary: 'Revoke an access or refresh token together with its pair (RFC 7009)', security: [] }),
    ApiParam({ name: 'uuid', format: 'uuid', description: "The installation's uuid." }),
    ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
    ApiBody({ schema: { $ref: getSchemaPath(RevocationRequestDto) } }),
    ApiResponse({ status: 200, description: 'Revoked, or the token was unknown: the answer is the same (RFC 7009 §2.2).' }),
    oauthError(400, '`invalid_request`: no `token`.'),
    oauthError(401, '`invalid_client`.'),
    oauthError(403, '`unauthorized_client`: the installation belongs to another app.'),
    ApiResponse({ status: 404, description: 'Unknown or uninstalled installation.', type: ErrorBody }),
    ApiResponse({ status: 429, description: 'Too many token requests (`Retry-After`).', type: ErrorBody }),
  );
}
