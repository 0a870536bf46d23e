import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, ForbiddenException, Injectable, SetMetadata, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { isPlainObject } from '../common/body-parsing.js';
import { BodyValidationPipe } from '../common/body-validation.pipe.js';
import { BearerAuthError } from '../common/http-errors.js';
import { extend } from '../common/objects.js';
import { ApiErrors } from '../openapi/error-bodies.js';
import { AuthorizationService, type Authorized, type TargetRef } from './authorization.service.js';
import { BearerTokenService } from './bearer-token.service.js';
import { ConsoleSessionsService, SESSION_COOKIE, type ActiveSession } from './console-sessions.service.js';
import { ruleOf, type Action } from './permissions.js';
import type { Role } from '../organizations/entities/organization-member.entity.js';
import type { AuthenticatedRequest, Principal } from './principal.js';

export type PermissionRequest = FastifyRequest<{ Params: Record<string, string | undefined> }> & AuthenticatedRequest & {
  /** A console page's session, when its cookie names a live one. */
  consoleSession?: ActiveSession | null;
};

/** Reads a route's target from its request; by default from the path's organizationSlug, slug (or appSlug) and uuid. */
export type TargetLocator = (request: PermissionRequest) => TargetRef | Promise<TargetRef>;

export interface PermissionDeclaration {
  action: Action;
  locate?: TargetLocator;
  /** A console page: the caller is the person its session cookie names, never a Bearer token's. */
  session?: true;
}

export const PERMISSION = 'auth:permission';

const fromPath: TargetLocator = ({ params }) => ({ organizationSlug: params.organizationSlug, appSlug: params.slug ?? params.appSlug, installationUuid: params.uuid });

const bodies = new BodyValidationPipe();

/** The body as the route's pipe validates it, so an invalid body gets that pipe's 400. */
function validated<T extends object>(dto: Type<T>, body: unknown): Promise<T> {
  return bodies.transform(body, { type: 'body', metatype: dto }) as Promise<T>;
}

/**
 * The organization a body names in `field` (an app's owner organization). Only a body that
 * names none gets its 400 here; any other fault is the route's pipe's to answer, after the
 * model has, so that only a caller who may create there learns what is wrong with the rest.
 */
export function organizationFromBody<T extends object>(dto: Type<T>, field: keyof T & string): TargetLocator {
  return async ({ body }) => {
    const slug = isPlainObject(body) ? body[field] : undefined;
    if (typeof slug === 'string' && slug !== '') return { organizationSlug: slug };
    await validated(dto, body);
    // Unreachable while the DTO requires the field: a body the pipe accepts names one.
    return { organizationSlug: undefined };
  };
}

/**
 * The path's organization, and the role the body grants: the body is read (and its 400
 * given) only after the caller has shown standing there and a role that may add members.
 */
export function grantingFromBody<T extends object>(dto: Type<T>, role: (body: T) => Role): TargetLocator {
  return ({ params, body }) => ({
    organizationSlug: params.organizationSlug,
    grantedRole: async () => role(await validated(dto, body)),
  });
}

/**
 * Who may call this route: one action of the permission model (permissions.ts), enforced by
 * the global PermissionGuard. The OpenAPI document's 403 and 404 follow from the rule.
 */
export function Permission(action: Action, locate?: TargetLocator) {
  const rule = ruleOf(action);
  const refuses = !rule.public && !(rule.people === 'any' && rule.apps === 'any');
  return applyDecorators(
    SetMetadata(PERMISSION, { action, locate } satisfies PermissionDeclaration),
    ApiErrors(...(refuses ? [403] : []), ...(rule.target ? [404] : [])),
  );
}

/**
 * A console page's permission: the same actions as the API's routes, asked of the person the
 * session cookie names. A Bearer token opens no page (an app's above all), and a page without
 * a session is answered as the model answers no principal: 401, which the console turns into
 * a redirect to sign in.
 */
export function SessionPermission(action: Action, locate?: TargetLocator) {
  return SetMetadata(PERMISSION, { action, locate, session: true } satisfies PermissionDeclaration);
}

/**
 * Global: authenticates the caller (the Bearer token, unless the route's action is public; the
 * session cookie on a console page) and asks the permission model whether its principal may
 * do the route's action on the route's target. A route that declares no action is refused, so
 * a forgotten declaration fails closed.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: BearerTokenService,
    private readonly authorization: AuthorizationService,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const declared = this.reflector.getAllAndOverride<PermissionDeclaration | undefined>(PERMISSION, [context.getHandler(), context.getClass()]);
    if (!declared) throw new ForbiddenException('This route declares no permission.');
    const request = context.switchToHttp().getRequest<PermissionRequest>();
    if (declared.session) {
      const session = await this.sessions.resolve(request.cookies?.[SESSION_COOKIE]);
      request.consoleSession = session && extend(session, { principal: extend(session.principal, { address: request.ip }) });
      request.principal = request.consoleSession?.principal;
    } else {
      if (ruleOf(declared.action).public) return true;
      request.principal = fromAddress(await this.tokens.authenticate(bearerToken(request.headers.authorization)), request.ip);
    }
    request.authorized = await this.authorization.authorize(request.principal, declared.action, () => (declared.locate ?? fromPath)(request));
    return true;
  }
}

/** This request's own copy of a (possibly cached) principal, with the address it came from. */
function fromAddress(principal: Principal | undefined, address: string): Principal | undefined {
  return principal && extend(principal, { address });
}

/** DRF's messages: no header at all, versus a Bearer header without a token. */
function bearerToken(header: string | undefined): string {
  if (!header) throw new BearerAuthError('Authentication credentials were not provided.');
  const [scheme, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer') throw new BearerAuthError('Authentication credentials were not provided.');
  if (rest.length !== 1 || !rest[0]) throw new BearerAuthError('Invalid token header. No credentials provided.');
  return rest[0];
}

/** The target the guard authorized (its organization, app, installation). */
export const CurrentTarget = createParamDecorator((_data: unknown, context: ExecutionContext): Authorized => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().authorized!;
});
