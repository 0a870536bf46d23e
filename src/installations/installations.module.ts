import { Module } from '@nestjs/common';
import { AuthorizationsModule } from '../authorizations/authorizations.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { InstallationsController, OrganizationInstallationsController } from './installations.controller.js';
import { InstallationsService } from './installations.service.js';

@Module({
  imports: [OrganizationsModule, AuthorizationsModule, WebhooksModule],
  controllers: [OrganizationInstallationsController, InstallationsController],
  providers: [InstallationsService],
})
export class InstallationsModule {}
