import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Authorized } from '../auth/authorization.service.js';
import { CurrentTarget, grantingFromBody, Permission } from '../auth/permission.guard.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiBearer, ApiErrors } from '../openapi/error-bodies.js';
import { AddMemberDto, CreateOrganizationDto, MemberDto, OrganizationDto, UpdateOrganizationDto } from './dto/organization.dto.js';
import { OrganizationsService, serializeOrganization } from './organizations.service.js';

const SLUG_PARAM = ApiParam({ name: 'organizationSlug', description: "The organization's slug." });

@ApiTags('organizations')
@ApiBearer()
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @Permission('organization.create')
  @ApiOperation({ summary: 'Create an organization; the caller becomes its owner' })
  @ApiCreatedResponse({ type: OrganizationDto })
  @ApiErrors(400, 409)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateOrganizationDto) {
    return serializeOrganization(await this.organizations.create(principal.userId, body));
  }

  @Get(':organizationSlug')
  @Permission('organization.read')
  @SLUG_PARAM
  @ApiOperation({ summary: 'An organization (members; app tokens with org:read, org:write or org:admin)' })
  @ApiOkResponse({ type: OrganizationDto })
  show(@CurrentTarget() { organization }: Authorized) {
    return serializeOrganization(organization);
  }

  @Put(':organizationSlug')
  @Permission('organization.update')
  @SLUG_PARAM
  @ApiOperation({ summary: 'Rename an organization (owners, managers; app tokens with org:write or org:admin)' })
  @ApiOkResponse({ type: OrganizationDto })
  @ApiErrors(400)
  async update(@CurrentTarget() { organization }: Authorized, @Body() body: UpdateOrganizationDto) {
    return serializeOrganization(await this.organizations.rename(organization, body.name));
  }

  @Post(':organizationSlug/members')
  @Permission('member.add', grantingFromBody(AddMemberDto, (body) => body.role))
  @SLUG_PARAM
  @ApiOperation({ summary: 'Add an existing user as a member (owners, managers; people only; no role above their own)' })
  @ApiCreatedResponse({ type: MemberDto })
  @ApiErrors(400, 409)
  addMember(@CurrentPrincipal() principal: Principal, @CurrentTarget() { organization }: Authorized, @Body() body: AddMemberDto) {
    return this.organizations.addMember(principal, organization, body.email, body.role);
  }
}
