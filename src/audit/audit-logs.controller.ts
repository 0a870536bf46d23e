import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Authorized } from '../auth/authorization.service.js';
import { CurrentTarget, Permission } from '../auth/permission.guard.js';
import { ApiBearer, ApiErrors } from '../openapi/error-bodies.js';
import { AuditLog } from './audit-log.service.js';
import { AuditLogPageDto, type AuditLogEntryDto } from './dto/audit-log.dto.js';
import type { AuditLogEntry } from './entities/audit-log-entry.entity.js';

function serializeEntry(entry: AuditLogEntry): AuditLogEntryDto {
  return {
    id: entry.id,
    event: entry.event,
    actor: { type: entry.actorType, id: entry.actorId, name: entry.actorName },
    ipAddress: entry.ipAddress,
    targetObject: entry.targetObject,
    data: entry.data,
    dateCreated: entry.dateCreated,
  };
}

@ApiTags('organizations')
@ApiBearer()
@Controller('organizations/:organizationSlug/audit-logs')
export class AuditLogsController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @Permission('audit-log.read')
  @ApiOperation({ summary: "The organization's audit log, newest first (owners, managers, superusers)" })
  @ApiParam({ name: 'organizationSlug', description: "The organization's slug." })
  @ApiQuery({ name: 'cursor', required: false, description: 'From the previous page\'s `Link: <…>; rel="next"`; pages back.' })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiErrors(400)
  async list(@CurrentTarget() { organization }: Authorized, @Query('cursor') cursor: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<AuditLogPageDto> {
    const page = await this.audit.page(organization.id, cursor);
    // Sentry's pagination header, with a relative link so that no Host header is trusted.
    if (page.next) void reply.header('Link', `</api/0/organizations/${organization.slug}/audit-logs/?cursor=${page.next}>; rel="next"; results="true"; cursor="${page.next}"`);
    return { rows: page.rows.map(serializeEntry) };
  }
}
