import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Authorized } from './authorization.service.js';

/** The organization an app token is installed in, as read together with the token. */
export interface PrincipalOrganization {
  id: string;
  slug: string;
  name: string;
  dateCreated: Date;
}

export interface AppPrincipal {
  kind: 'app';
  userId: string;
  tokenId: string;
  installationId: string;
  organizationId: string;
  organization: PrincipalOrganization;
  sentryAppId: string;
  scopes: ReadonlySet<string>;
}

/** Who a Bearer token or a console session speaks for: a person, or a sentry app's proxy user within one installation. */
export type Principal = ({ kind: 'user'; userId: string; isSuperuser: boolean } | AppPrincipal) & CallerAddress;

export interface CallerAddress {
  /**
   * Where this request came from, for the audit log: Fastify's `request.ip` (the peer, or with
   * TRUST_PROXY the client X-Forwarded-For names). Set per request by the guard that
   * authenticated it, never cached with the principal.
   */
  address?: string;
}

export interface AuthenticatedRequest {
  principal?: Principal;
  /** What the permission guard allowed the route's action on. */
  authorized?: Authorized;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().principal!;
});
