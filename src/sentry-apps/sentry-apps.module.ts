import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { ApiApplicationsService } from './api-applications.service.js';
import { ApiApplicationsController, SentryAppsController } from './sentry-apps.controller.js';
import { SentryAppsService } from './sentry-apps.service.js';

@Module({
  imports: [OrganizationsModule],
  controllers: [SentryAppsController, ApiApplicationsController],
  providers: [SentryAppsService, ApiApplicationsService],
  exports: [SentryAppsService, ApiApplicationsService],
})
export class SentryAppsModule {}
