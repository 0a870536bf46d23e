import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_EVENTS, type AuditData } from '../entities/audit-log-entry.entity.js';

export class AuditActorDto {
  @ApiProperty({ enum: ['user', 'sentry_app'] })
  type: string;

  @ApiProperty({ description: "A user's id, or a sentry app's uuid." })
  id: string;

  @ApiProperty()
  name: string;
}

export class AuditLogEntryDto {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty({ enum: AUDIT_EVENTS })
  event: string;

  @ApiProperty({ type: AuditActorDto })
  actor: AuditActorDto;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7', description: "The caller's address (X-Forwarded-For's client under TRUST_PROXY)." })
  ipAddress: string | null;

  @ApiProperty({ description: "The public id of what changed: a membership's id, an app's or an installation's uuid." })
  targetObject: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { reason: 'refresh-reuse', sentryApp: 'my-integration', tokens: 2 } })
  data: AuditData;

  @ApiProperty({ type: String, format: 'date-time' })
  dateCreated: Date;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogEntryDto], description: 'Newest first, at most 100. A `Link` header with `rel="next"` names the cursor of the next page.' })
  rows: AuditLogEntryDto[];
}
