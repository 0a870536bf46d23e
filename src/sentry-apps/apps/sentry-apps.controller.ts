import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import type { Authorized } from '../../auth/authorization.service.js';
import { CurrentTarget, organizationFromBody, Permission } from '../../auth/permission.guard.js';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiApplicationsService } from './api-applications.service.js';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiBearer, ApiErrors } from '../../openapi/error-bodies.js';
import {
  ApiApplicationDto,
  ClientSecretDto,
  CreateApiApplicationDto,
  CreatedSentryAppDto,
  CreateSentryAppDto,
  SentryAppDto,
  UpdateSentryAppDto,
} from './dto/sentry-app.dto.js';
import { SentryAppsService, serializeSentryApp } from './sentry-apps.service.js';

@ApiTags('sentry-apps')
@ApiBearer()
@Controller('sentry-apps')
export class SentryAppsController {
  constructor(private readonly sentryApps: SentryAppsService) {}

  @Post()
  @Permission('sentry-app.create', organizationFromBody(CreateSentryAppDto, 'organization'))
  @ApiOperation({ summary: 'Create a sentry app, its proxy user and its API application (owners, managers of `organization`)' })
  @ApiCreatedResponse({ type: CreatedSentryAppDto })
  @ApiErrors(400, 409)
  async create(@CurrentPrincipal() principal: Principal, @CurrentTarget() { organization }: Authorized, @Body() body: CreateSentryAppDto) {
    return serializeSentryApp(await this.sentryApps.create(principal, organization, body));
  }

  @Get(':slug')
  @Permission('sentry-app.read')
  @ApiParam({ name: 'slug' })
  @ApiOperation({ summary: 'A sentry app, without its secret (members of the owner organization; never an app token)' })
  @ApiOkResponse({ type: SentryAppDto })
  async show(@CurrentTarget() { app }: Authorized) {
    return serializeSentryApp(await this.sentryApps.view(app!));
  }

  @Put(':slug')
  @Permission('sentry-app.publish')
  @ApiParam({ name: 'slug' })
  @ApiOperation({ summary: 'Publish or unpublish a sentry app, and set its descriptive fields (superusers only)' })
  @ApiOkResponse({ type: SentryAppDto })
  @ApiErrors(400)
  async update(@CurrentPrincipal() principal: Principal, @CurrentTarget() { app }: Authorized, @Body() body: UpdateSentryAppDto) {
    return serializeSentryApp(await this.sentryApps.update(principal, app!, body));
  }

  @Post(':slug/rotate-secret')
  @HttpCode(200)
  @Permission('sentry-app.rotate-secret')
  @ApiParam({ name: 'slug' })
  @ApiOperation({ summary: 'Replace the client secret (owners, managers of the owner organization)' })
  @ApiOkResponse({ type: ClientSecretDto })
  rotateSecret(@CurrentPrincipal() principal: Principal, @CurrentTarget() { app }: Authorized) {
    return this.sentryApps.rotateSecret(principal, app!);
  }
}

/** Plain OAuth applications, owned by a person and not sentry apps. */
@ApiTags('sentry-apps')
@ApiBearer()
@Controller('api-applications')
export class ApiApplicationsController {
  constructor(private readonly applications: ApiApplicationsService) {}

  @Post()
  @Permission('api-application.create')
  @ApiOperation({ summary: "A plain OAuth application owned by the caller (not a sentry app)" })
  @ApiCreatedResponse({ type: ApiApplicationDto })
  @ApiErrors(400)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiApplicationDto): Promise<ApiApplicationDto> {
    const { application, clientSecret } = await this.applications.create(principal.userId, body.name ?? '');
    return { id: application.id, name: application.name, clientId: application.clientId, clientSecret };
  }
}
