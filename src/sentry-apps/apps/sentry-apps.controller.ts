import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { SuperuserOnly, UsersOnly } from '../../auth/principal-rule.guard.js';
import { ApiApplicationsService } from './api-applications.service.js';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @UsersOnly()
  @ApiOperation({ summary: 'Create a sentry app, its proxy user and its API application (owners, managers of `organization`)' })
  @ApiCreatedResponse({ type: CreatedSentryAppDto })
  @ApiErrors(400, 409)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateSentryAppDto) {
    return serializeSentryApp(await this.sentryApps.create(principal, body));
  }

  @Get(':slug')
  @ApiOperation({ summary: 'A sentry app, without its secret (members of the owner organization)' })
  @ApiOkResponse({ type: SentryAppDto })
  @ApiErrors(403, 404)
  async show(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return serializeSentryApp(await this.sentryApps.forOwner(principal, slug));
  }

  @Put(':slug')
  @SuperuserOnly()
  @ApiOperation({ summary: 'Publish or unpublish a sentry app (superusers only)' })
  @ApiOkResponse({ type: SentryAppDto })
  @ApiErrors(400, 404)
  async update(@Param('slug') slug: string, @Body() body: UpdateSentryAppDto) {
    return serializeSentryApp(await this.sentryApps.setStatus(slug, body.status));
  }

  @Post(':slug/rotate-secret')
  @HttpCode(200)
  @UsersOnly()
  @ApiOperation({ summary: 'Replace the client secret (owners, managers of the owner organization)' })
  @ApiOkResponse({ type: ClientSecretDto })
  @ApiErrors(404)
  rotateSecret(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.sentryApps.rotateSecret(principal, slug);
  }
}

/** Plain OAuth applications, owned by a person and not sentry apps. */
@ApiTags('sentry-apps')
@ApiBearer()
@Controller('api-applications')
export class ApiApplicationsController {
  constructor(private readonly applications: ApiApplicationsService) {}

  @Post()
  @UsersOnly()
  @ApiOperation({ summary: "A plain OAuth application owned by the caller (not a sentry app)" })
  @ApiCreatedResponse({ type: ApiApplicationDto })
  @ApiErrors(400)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiApplicationDto): Promise<ApiApplicationDto> {
    const { application, clientSecret } = await this.applications.create(principal.userId, body.name ?? '');
    return { id: application.id, name: application.name, clientId: application.clientId, clientSecret };
  }
}
