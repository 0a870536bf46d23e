import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiParam } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { METHOD_SCOPES, type Scope } from '../auth/scopes.js';
import { ApiErrors } from '../openapi/error-bodies.js';
import { OrganizationAccessService, type OrganizationAccess } from './organization-access.service.js';

const REQUIRED_SCOPES = 'organization:required-scopes';

type OrganizationRequest = FastifyRequest<{ Params: { organizationSlug: string } }> & AuthenticatedRequest & { organizationAccess?: OrganizationAccess };

/** Guards routes under /organizations/:organizationSlug/ with the method's scopes, or the route's own. */
@Injectable()
export class OrganizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: OrganizationAccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<OrganizationRequest>();
    const required = this.reflector.get<Scope[]>(REQUIRED_SCOPES, context.getHandler()) ?? METHOD_SCOPES[request.method] ?? METHOD_SCOPES.DELETE;
    request.organizationAccess = await this.access.authorize(request.principal!, request.params.organizationSlug, required);
    return true;
  }
}

/** An organization route; `anyOf` replaces the method's default scopes. */
export const OrganizationRoute = (...anyOf: Scope[]) =>
  applyDecorators(
    ...(anyOf.length ? [SetMetadata(REQUIRED_SCOPES, anyOf)] : []),
    UseGuards(OrganizationGuard),
    ApiParam({ name: 'organizationSlug', description: "The organization's slug." }),
    ApiErrors(403, 404),
  );

export const CurrentOrganization = createParamDecorator((_data: unknown, context: ExecutionContext): OrganizationAccess => {
  return context.switchToHttp().getRequest<OrganizationRequest>().organizationAccess!;
});
