import { Module } from '@nestjs/common';
import { AuthorizationsModule } from '../authorizations/authorizations.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { InstallationsController, OrganizationInstallationsController } from './installations.controller.js';
import { InstallationsService } from './installations.service.js';

@Module({
  imports: [OrganizationsModule, AuthorizationsModule],
  controllers: [OrganizationInstallationsController, InstallationsController],
  providers: [InstallationsService],
})
export class InstallationsModule {}
