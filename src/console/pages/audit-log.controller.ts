import { Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuditLog } from '../../audit/audit-log.service.js';
import type { Authorized } from '../../auth/authorization.service.js';
import { CurrentTarget, SessionPermission } from '../../auth/permission.guard.js';
import { ConsoleAccess } from '../console-access.service.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';

/** The audit log's own rows, as GET /api/0/organizations/{slug}/audit-logs/ serves them: newest first, a page at a time. */
@ConsoleController('settings/:organizationSlug/audit-log')
export class AuditLogPage {
  constructor(
    private readonly pages: ConsolePages,
    private readonly access: ConsoleAccess,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @SessionPermission('audit-log.read')
  async list(@CurrentTarget() target: Authorized, @Query('cursor') cursor: unknown, @Res() reply: FastifyReply) {
    const { rows, next } = await this.audit.page(target.organization.id, cursor);
    await this.pages.render(reply, 'audit-log', {
      title: 'Audit log',
      organization: target.organization,
      may: this.access.may(this.pages.session(reply).principal, target),
      rows,
      next,
      paged: Boolean(cursor),
    });
  }
}
