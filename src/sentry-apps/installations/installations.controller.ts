import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Authorized } from '../../auth/authorization.service.js';
import { CurrentTarget, Permission } from '../../auth/permission.guard.js';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiBearer, ApiErrors } from '../../openapi/error-bodies.js';
import { InstallationDto, InstallDto, UpdateInstallationDto } from './dto/installation.dto.js';
import { serializeInstallation } from './installation-view.js';
import { InstallationsService } from './installations.service.js';

@ApiTags('installations')
@ApiBearer()
@ApiParam({ name: 'organizationSlug', description: "The organization's slug." })
@Controller('organizations/:organizationSlug/sentry-app-installations')
export class OrganizationInstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Post()
  @HttpCode(200)
  @Permission('installation.create')
  @ApiOperation({ summary: 'Install a sentry app; creates a grant (a single-use code). An existing installation is returned as it is.' })
  @ApiOkResponse({ type: InstallationDto })
  @ApiErrors(400)
  async install(@CurrentPrincipal() principal: Principal, @CurrentTarget() { organization }: Authorized, @Body() body: InstallDto) {
    return serializeInstallation(await this.installations.install(principal, organization, body.slug));
  }

  @Get()
  @Permission('installation.list')
  @ApiOperation({ summary: "The organization's installations (`code` only for owners and managers; never for an app token)" })
  @ApiOkResponse({ type: [InstallationDto] })
  async list(@CurrentPrincipal() principal: Principal, @CurrentTarget() target: Authorized) {
    return (await this.installations.list(principal, target)).map(serializeInstallation);
  }
}

@ApiTags('installations')
@ApiBearer()
@ApiParam({ name: 'uuid', format: 'uuid' })
@Controller('sentry-app-installations')
export class InstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Put(':uuid')
  @Permission('installation.update')
  @ApiOperation({ summary: "Mark a pending installation installed (that installation's own token)" })
  @ApiOkResponse({ type: InstallationDto })
  @ApiErrors(400)
  async update(@CurrentTarget() target: Authorized, @Body() _body: UpdateInstallationDto) {
    return serializeInstallation(await this.installations.markInstalled(target));
  }

  @Delete(':uuid')
  @HttpCode(204)
  @Permission('installation.delete')
  @ApiOperation({ summary: 'Uninstall: deletes the grant and revokes every token issued to it (owners, managers)' })
  @ApiNoContentResponse({ description: 'Uninstalled.' })
  async uninstall(@CurrentPrincipal() principal: Principal, @CurrentTarget() target: Authorized): Promise<void> {
    await this.installations.uninstall(principal, target);
  }
}
