import { Injectable } from '@nestjs/common';
import { AuthorizationService, type Authorized } from '../auth/authorization.service.js';
import { mayGrant, type Action } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { ROLES, type Role } from '../organizations/entities/organization-member.entity.js';
import { OrganizationsService } from '../organizations/organizations.service.js';

/** The controls a page may offer in one organization. */
export type OrganizationPermissions = Record<keyof typeof CONTROLS, boolean>;

/** Each control and the action of the permission model that the form behind it is declared with. */
const CONTROLS = {
  install: 'installation.create',
  uninstall: 'installation.delete',
  addMembers: 'member.add',
  readAuditLog: 'audit-log.read',
  manageApps: 'sentry-app.create',
  rotateSecret: 'sentry-app.rotate-secret',
  readRequests: 'sentry-app.requests',
} as const satisfies Record<string, Action>;

/**
 * What a page offers a person: the permission model's answers (AuthorizationService, decide,
 * mayGrant), never a rule of the console's own. The forms behind the controls are declared
 * with the same actions, so a control a page leaves out is refused when posted anyway.
 */
@Injectable()
export class ConsoleAccess {
  constructor(
    private readonly authorization: AuthorizationService,
    private readonly organizations: OrganizationsService,
  ) {}

  /** The controls allowed in the organization a page was authorized on. */
  may(principal: Principal, on: Authorized): OrganizationPermissions {
    return Object.fromEntries(Object.entries(CONTROLS).map(([control, action]) => [control, this.authorization.allows(principal, action, on)])) as OrganizationPermissions;
  }

  /** The person's organizations where `installation.create` is allowed: the consent page's picker. */
  async installTargets(principal: Principal & { kind: 'user' }): Promise<{ id: string; slug: string; name: string }[]> {
    const memberships = await this.organizations.listForUser(principal.userId);
    const allowed = await Promise.all(memberships.map((membership) => this.authorization.can(principal, 'installation.create', { organizationSlug: membership.slug })));
    return memberships.filter((_, index) => allowed[index]);
  }

  /** The roles the person may give a new member there: none above their own. */
  grantableRoles(principal: Principal, on: Authorized): Role[] {
    return ROLES.filter((role) => mayGrant(principal, on.target.role, role));
  }
}
