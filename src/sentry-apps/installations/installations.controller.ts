import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { UsersOnly } from '../../auth/principal-rule.guard.js';
import { UuidParamPipe } from '../../common/uuid-param.pipe.js';
import type { OrganizationAccess } from '../../organizations/organization-access.service.js';
import { CurrentOrganization, OrganizationRoute } from '../../organizations/organization.guard.js';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiBearer, ApiErrors } from '../../openapi/error-bodies.js';
import { InstallationDto, InstallDto, UpdateInstallationDto } from './dto/installation.dto.js';
import { serializeInstallation } from './installation-view.js';
import { InstallationsService } from './installations.service.js';

@ApiTags('installations')
@ApiBearer()
@Controller('organizations/:organizationSlug/sentry-app-installations')
export class OrganizationInstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Post()
  @HttpCode(200)
  @UsersOnly()
  @OrganizationRoute('org:integrations')
  @ApiOperation({ summary: 'Install a sentry app; creates a grant (a single-use code). An existing installation is returned as it is.' })
  @ApiOkResponse({ type: InstallationDto })
  @ApiErrors(400)
  async install(@CurrentPrincipal() principal: Principal, @CurrentOrganization() { organization }: OrganizationAccess, @Body() body: InstallDto) {
    return serializeInstallation(await this.installations.install(principal, organization, body.slug));
  }

  @Get()
  @OrganizationRoute()
  @ApiOperation({ summary: "The organization's installations (`code` only for owners and managers)" })
  @ApiOkResponse({ type: [InstallationDto] })
  async list(@CurrentOrganization() { organization, scopes }: OrganizationAccess) {
    return (await this.installations.list(organization, scopes)).map(serializeInstallation);
  }
}

@ApiTags('installations')
@ApiBearer()
@ApiParam({ name: 'uuid', format: 'uuid' })
@Controller('sentry-app-installations')
export class InstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Put(':uuid')
  @ApiOperation({ summary: 'Mark a pending installation installed (that app\'s token)' })
  @ApiOkResponse({ type: InstallationDto })
  @ApiErrors(400, 403, 404)
  async update(@CurrentPrincipal() principal: Principal, @Param('uuid', UuidParamPipe) uuid: string, @Body() _body: UpdateInstallationDto) {
    return serializeInstallation(await this.installations.markInstalled(principal, uuid));
  }

  @Delete(':uuid')
  @HttpCode(204)
  @ApiOperation({ summary: 'Uninstall: deletes the grant and revokes every token issued to it (owners, managers)' })
  @ApiNoContentResponse({ description: 'Uninstalled.' })
  @ApiErrors(403, 404)
  async uninstall(@CurrentPrincipal() principal: Principal, @Param('uuid', UuidParamPipe) uuid: string): Promise<void> {
    await this.installations.uninstall(principal, uuid);
  }
}
