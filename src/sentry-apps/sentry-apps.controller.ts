import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { SuperuserOnly, UsersOnly } from '../auth/principal-rule.guard.js';
import { ApiApplicationsService } from './api-applications.service.js';
import { CreateApiApplicationDto, CreateSentryAppDto, UpdateSentryAppDto } from './dto/sentry-app.dto.js';
import { SentryAppsService, serializeSentryApp } from './sentry-apps.service.js';

@Controller('sentry-apps')
export class SentryAppsController {
  constructor(private readonly sentryApps: SentryAppsService) {}

  @Post()
  @UsersOnly()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateSentryAppDto) {
    return serializeSentryApp(await this.sentryApps.create(principal, body));
  }

  @Get(':slug')
  async show(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return serializeSentryApp(await this.sentryApps.forOwner(principal, slug));
  }

  @Put(':slug')
  @SuperuserOnly()
  async update(@Param('slug') slug: string, @Body() body: UpdateSentryAppDto) {
    return serializeSentryApp(await this.sentryApps.setStatus(slug, body.status));
  }

  @Post(':slug/rotate-secret')
  @HttpCode(200)
  @UsersOnly()
  rotateSecret(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.sentryApps.rotateSecret(principal, slug);
  }
}

/** Plain OAuth applications, owned by a person and not sentry apps. */
@Controller('api-applications')
export class ApiApplicationsController {
  constructor(private readonly applications: ApiApplicationsService) {}

  @Post()
  @UsersOnly()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiApplicationDto) {
    const { application, clientSecret } = await this.applications.create(principal.userId, body.name ?? '');
    return { id: application.id, name: application.name, clientId: application.clientId, clientSecret };
  }
}
