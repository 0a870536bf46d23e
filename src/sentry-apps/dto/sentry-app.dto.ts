import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { ALL_SCOPES } from '../../auth/scopes.js';

export const WEBHOOK_EVENTS = ['issue', 'error', 'comment'] as const;
const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateSentryAppDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name: string;

  /** The owner organization's slug. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  organization: string;

  @IsArray()
  @ArrayUnique()
  @IsIn(ALL_SCOPES, { each: true, message: 'each scope must be one of: $constraint1' })
  scopes: string[];

  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'webhookUrl must be an http(s) URL' })
  @MaxLength(2048)
  webhookUrl?: string | null;

  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'redirectUrl must be an http(s) URL' })
  @MaxLength(2048)
  redirectUrl?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @IsIn(WEBHOOK_EVENTS, { each: true, message: 'each event must be one of: $constraint1' })
  events?: string[];

  @IsOptional()
  @IsBoolean()
  verifyInstall?: boolean;
}

export class UpdateSentryAppDto {
  @IsIn(['published', 'unpublished'])
  status: 'published' | 'unpublished';
}

export class CreateApiApplicationDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
