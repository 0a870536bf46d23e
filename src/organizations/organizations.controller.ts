import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { UsersOnly } from '../auth/principal-rule.guard.js';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiBearer, ApiErrors } from '../openapi/error-bodies.js';
import { AddMemberDto, CreateOrganizationDto, MemberDto, OrganizationDto, UpdateOrganizationDto } from './dto/organization.dto.js';
import type { OrganizationAccess } from './organization-access.service.js';
import { CurrentOrganization, OrganizationRoute } from './organization.guard.js';
import { OrganizationsService, serializeOrganization } from './organizations.service.js';

@ApiTags('organizations')
@ApiBearer()
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @UsersOnly()
  @ApiOperation({ summary: 'Create an organization; the caller becomes its owner' })
  @ApiCreatedResponse({ type: OrganizationDto })
  @ApiErrors(400, 409)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateOrganizationDto) {
    return serializeOrganization(await this.organizations.create(principal.userId, body));
  }

  @Get(':organizationSlug')
  @OrganizationRoute()
  @ApiOperation({ summary: 'An organization (members; app tokens with org:read, org:write or org:admin)' })
  @ApiOkResponse({ type: OrganizationDto })
  show(@CurrentOrganization() { organization }: OrganizationAccess) {
    return serializeOrganization(organization);
  }

  @Put(':organizationSlug')
  @OrganizationRoute()
  @ApiOperation({ summary: 'Rename an organization (owners, managers; app tokens with org:write or org:admin)' })
  @ApiOkResponse({ type: OrganizationDto })
  @ApiErrors(400)
  async update(@CurrentOrganization() { organization }: OrganizationAccess, @Body() body: UpdateOrganizationDto) {
    return serializeOrganization(await this.organizations.rename(organization, body.name));
  }

  @Post(':organizationSlug/members')
  @OrganizationRoute()
  @ApiOperation({ summary: 'Add an existing user as a member (owners, managers)' })
  @ApiCreatedResponse({ type: MemberDto })
  @ApiErrors(400, 409)
  addMember(@CurrentOrganization() { organization }: OrganizationAccess, @Body() body: AddMemberDto) {
    return this.organizations.addMember(organization, body.email, body.role);
  }
}
