import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service.js';
import { AuditLogsController } from './audit-logs.controller.js';

/** The audit log: written by every module that changes who may do what, read by an organization's admins. */
@Global()
@Module({
  controllers: [AuditLogsController],
  providers: [AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
