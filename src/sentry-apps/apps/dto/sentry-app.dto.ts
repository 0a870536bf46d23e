import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ALL_SCOPES } from '../../../auth/scopes.js';
import { IsHttpUrl, UniqueItems } from '../../../common/validation.js';
import { IsBoundedJsonObject, IsOrigin, SCHEMA_MAX_BYTES, SCHEMA_MAX_DEPTH } from './sentry-app-fields.js';

export const WEBHOOK_EVENTS = ['issue', 'error', 'comment'] as const;

const MAX_ORIGINS = 50;

/** Sentry's descriptive fields, which its own clients send on create and update. */
export class SentryAppFieldsDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  author?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  overview?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `Sentry's UI-component schema, stored as given: at most ${SCHEMA_MAX_BYTES / 1024} KiB as JSON, nested at most ${SCHEMA_MAX_DEPTH} levels.`,
  })
  @IsOptional()
  @IsBoundedJsonObject()
  schema?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, default: false })
  @IsOptional()
  @IsBoolean()
  isAlertable?: boolean | null;

  @ApiPropertyOptional({ type: [String], nullable: true, maxItems: MAX_ORIGINS, example: ['https://example.com'], description: 'Origins, `scheme://host[:port]` with http or https.' })
  @IsOptional()
  @IsArray()
  @UniqueItems()
  @ArrayMaxSize(MAX_ORIGINS)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  @IsOrigin({ each: true })
  allowedOrigins?: string[] | null;
}

export class CreateSentryAppDto extends SentryAppFieldsDto {
  @ApiProperty({ maxLength: 64, example: 'My Integration' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name: string;

  /** The owner organization's slug. */
  @ApiProperty({ description: "The owner organization's slug.", example: 'acme' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  organization: string;

  @ApiProperty({ type: [String], enum: ALL_SCOPES, example: ['org:read'] })
  @IsArray()
  @UniqueItems()
  @ArrayMaxSize(ALL_SCOPES.length)
  @IsIn(ALL_SCOPES, { each: true, message: 'each scope must be one of: $constraint1' })
  scopes: string[];

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', description: 'http(s) only.' })
  @IsOptional()
  @IsHttpUrl()
  @MaxLength(2048)
  webhookUrl?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', description: 'http(s) only.' })
  @IsOptional()
  @IsHttpUrl()
  @MaxLength(2048)
  redirectUrl?: string | null;

  @ApiPropertyOptional({ type: [String], enum: WEBHOOK_EVENTS })
  @IsOptional()
  @IsArray()
  @UniqueItems()
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @IsIn(WEBHOOK_EVENTS, { each: true, message: 'each event must be one of: $constraint1' })
  events?: string[];

  @ApiPropertyOptional({ default: true, description: 'New installations stay `pending` until the app marks them `installed`.' })
  @IsOptional()
  @IsBoolean()
  verifyInstall?: boolean;
}

export class UpdateSentryAppDto extends SentryAppFieldsDto {
  @ApiPropertyOptional({ enum: ['published', 'unpublished'] })
  @IsOptional()
  @IsIn(['published', 'unpublished'])
  status?: 'published' | 'unpublished';
}

export class CreateApiApplicationDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class OrganizationRefDto {
  @ApiProperty({ example: '1' })
  id: string;

  @ApiProperty({ example: 'acme' })
  slug: string;
}

const HEX64 = { pattern: '^[0-9a-f]{64}$' };

export class SentryAppDto {
  @ApiProperty({ format: 'uuid' })
  uuid: string;

  @ApiProperty({ example: 'my-integration' })
  slug: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: [String], enum: ALL_SCOPES })
  scopes: string[];

  @ApiProperty({ type: [String], enum: WEBHOOK_EVENTS })
  events: string[];

  @ApiProperty({ enum: ['unpublished', 'published'] })
  status: string;

  @ApiProperty({ type: String, nullable: true })
  webhookUrl: string | null;

  @ApiProperty({ type: String, nullable: true })
  redirectUrl: string | null;

  @ApiProperty()
  verifyInstall: boolean;

  @ApiProperty({ type: String, nullable: true })
  author: string | null;

  @ApiProperty({ type: String, nullable: true })
  overview: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'As it was sent; `{}` when none was.' })
  schema: Record<string, unknown>;

  @ApiProperty()
  isAlertable: boolean;

  @ApiProperty({ type: [String] })
  allowedOrigins: string[];

  @ApiProperty({ type: OrganizationRefDto })
  owner: OrganizationRefDto;

  @ApiProperty(HEX64)
  clientId: string;
}

export class CreatedSentryAppDto extends SentryAppDto {
  @ApiProperty({ ...HEX64, description: 'Shown only when created or rotated.' })
  clientSecret: string;
}

export class ClientSecretDto {
  @ApiProperty({ ...HEX64, description: 'The new secret; the old one stops working at once.' })
  clientSecret: string;
}

export class ApiApplicationDto {
  @ApiProperty({ example: '1' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty(HEX64)
  clientId: string;

  @ApiProperty({ ...HEX64, description: 'Shown only in this response.' })
  clientSecret: string;
}
