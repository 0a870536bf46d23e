import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { UsersOnly } from '../auth/principal-rule.guard.js';
import { AddMemberDto, CreateOrganizationDto, UpdateOrganizationDto } from './dto/organization.dto.js';
import type { OrganizationAccess } from './organization-access.service.js';
import { CurrentOrganization, OrganizationRoute } from './organization.guard.js';
import { OrganizationsService, serializeOrganization } from './organizations.service.js';

@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @UsersOnly()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateOrganizationDto) {
    return serializeOrganization(await this.organizations.create(principal.userId, body));
  }

  @Get(':organizationSlug')
  @OrganizationRoute()
  show(@CurrentOrganization() { organization }: OrganizationAccess) {
    return serializeOrganization(organization);
  }

  @Put(':organizationSlug')
  @OrganizationRoute()
  async update(@CurrentOrganization() { organization }: OrganizationAccess, @Body() body: UpdateOrganizationDto) {
    return serializeOrganization(await this.organizations.rename(organization, body.name));
  }

  @Post(':organizationSlug/members')
  @OrganizationRoute()
  addMember(@CurrentOrganization() { organization }: OrganizationAccess, @Body() body: AddMemberDto) {
    return this.organizations.addMember(organization, body.email, body.role);
  }
}
