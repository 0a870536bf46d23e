import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { UsersOnly } from '../auth/principal-rule.guard.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import type { OrganizationAccess } from '../organizations/organization-access.service.js';
import { CurrentOrganization, OrganizationRoute } from '../organizations/organization.guard.js';
import { InstallDto, UpdateInstallationDto } from './dto/installation.dto.js';
import { InstallationsService, serializeInstallation } from './installations.service.js';

@Controller('organizations/:organizationSlug/sentry-app-installations')
export class OrganizationInstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Post()
  @HttpCode(200)
  @UsersOnly()
  @OrganizationRoute('org:integrations')
  async install(@CurrentPrincipal() principal: Principal, @CurrentOrganization() { organization }: OrganizationAccess, @Body() body: InstallDto) {
    return serializeInstallation(await this.installations.install(principal, organization, body.slug));
  }

  @Get()
  @OrganizationRoute()
  async list(@CurrentOrganization() { organization, scopes }: OrganizationAccess) {
    return (await this.installations.list(organization, scopes)).map(serializeInstallation);
  }
}

@Controller('sentry-app-installations')
export class InstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Put(':uuid')
  async update(@CurrentPrincipal() principal: Principal, @Param('uuid', UuidParamPipe) uuid: string, @Body() _body: UpdateInstallationDto) {
    return serializeInstallation(await this.installations.markInstalled(principal, uuid));
  }

  @Delete(':uuid')
  @HttpCode(204)
  async uninstall(@CurrentPrincipal() principal: Principal, @Param('uuid', UuidParamPipe) uuid: string): Promise<void> {
    await this.installations.uninstall(principal, uuid);
  }
}
