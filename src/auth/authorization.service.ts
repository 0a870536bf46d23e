import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, IsNull, type FindOptionsWhere } from 'typeorm';
import { BearerAuthError } from '../common/http-errors.js';
import { extend } from '../common/objects.js';
import { isValidSlug } from '../common/slug.js';
import { OrganizationMember, type Role } from '../organizations/entities/organization-member.entity.js';
import { Organization } from '../organizations/entities/organization.entity.js';
import { SentryApp } from '../sentry-apps/apps/entities/sentry-app.entity.js';
import { Installation } from '../sentry-apps/installations/entities/installation.entity.js';
import { admits, decide, ruleOf, type Action, type Decision, type Target, type TargetKind } from './permissions.js';
import type { Principal } from './principal.js';

/** How a request names its target: whichever of these the action's target kind needs. */
export interface TargetRef {
  organizationSlug?: string;
  appSlug?: string;
  installationUuid?: string;
  /**
   * The role a member add would grant. Read from the body only once the caller has shown
   * standing and a role to add members at all: until then a body's faults are not theirs to learn.
   */
  grantedRole?: Role | (() => Promise<Role>);
  /**
   * The installation `installationUuid` names even once uninstalled: the uninstall page's
   * form, sent twice, finds the one its first sending uninstalled.
   */
  orUninstalled?: true;
}

/** The target an action was allowed on, with the rows the route goes on to use. */
export interface Authorized {
  /** The slug's organization, the app's owner organization, or the installation's organization. */
  organization: Organization;
  app?: SentryApp;
  /** A live installation, with its app and organization. */
  installation?: Installation;
  target: Target;
}

type Found = Omit<Authorized, 'target'>;

/**
 * Finds what an action is done to and asks the permission model (permissions.ts) whether the
 * principal may: the HTTP guard calls it for every route, and anything else that serves
 * people can ask it the same question.
 */
@Injectable()
export class AuthorizationService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The action's target when the principal may act on it; otherwise the model's 401, 403 or
   * 404. A `ref` given as a function is read only once the principal's kind is admitted.
   */
  async authorize(principal: Principal | undefined, action: Action, ref: TargetRef | (() => TargetRef | Promise<TargetRef>) = {}): Promise<Authorized | undefined> {
    const { decision, authorized } = await this.evaluate(principal, action, ref);
    if (!decision.allowed) throw httpError(decision);
    return authorized;
  }

  /** The same question, answered yes or no. */
  async can(principal: Principal | undefined, action: Action, ref: TargetRef = {}): Promise<boolean> {
    return (await this.evaluate(principal, action, ref)).decision.allowed;
  }

  /** For an action on a target already authorized for another (who sees an installation's code, say). */
  allows(principal: Principal, action: Action, on: Authorized): boolean {
    return decide(principal, action, on.target).allowed;
  }

  private async evaluate(principal: Principal | undefined, action: Action, given: TargetRef | (() => TargetRef | Promise<TargetRef>)): Promise<{ decision: Decision; authorized?: Authorized }> {
    const kind = ruleOf(action).target;
    const admitted = admits(principal, action);
    if (!admitted.allowed || !kind) return { decision: admitted };
    const ref = typeof given === 'function' ? await given() : given;
    const found = await this.find(kind, ref, principal);
    if (!found) return { decision: decide(principal, action, null) };
    const target: Target = {
      organizationId: found.organization.id,
      role: await this.roleOf(principal!, found.organization.id),
      installationId: found.installation?.id,
    };
    if (ref.grantedRole !== undefined) {
      const standing = decide(principal, action, target);
      if (!standing.allowed) return { decision: standing };
      target.grantedRole = typeof ref.grantedRole === 'function' ? await ref.grantedRole() : ref.grantedRole;
    }
    return { decision: decide(principal, action, target), authorized: extend(found, { target }) };
  }

  private async find(kind: TargetKind, ref: TargetRef, principal: Principal | undefined): Promise<Found | null> {
    if (kind === 'organization') {
      const slug = ref.organizationSlug ?? '';
      // An app token's own organization was read (or cached, kept fresh by triggers) with the token.
      if (principal?.kind === 'app' && principal.organization.slug === slug) return { organization: principal.organization };
      const organization = isValidSlug(slug) ? await this.dataSource.getRepository(Organization).findOneBy({ slug }) : null;
      return organization && { organization };
    }
    if (kind === 'sentry-app') {
      const slug = ref.appSlug ?? '';
      const app = isValidSlug(slug) ? await this.dataSource.getRepository(SentryApp).findOne({ where: { slug }, relations: { ownerOrganization: true } }) : null;
      return app && { organization: app.ownerOrganization!, app };
    }
    const where = installationWhere(ref);
    const installation = where && await this.dataSource.getRepository(Installation).findOne({
      where: ref.orUninstalled && ref.installationUuid ? where : { ...where, dateDeleted: IsNull() },
      relations: { sentryApp: true, organization: true },
    });
    return installation && { organization: installation.organization!, app: installation.sentryApp!, installation };
  }

  private async roleOf(principal: Principal, organizationId: string): Promise<Role | null> {
    if (principal.kind !== 'user') return null;
    const member = await this.dataSource.getRepository(OrganizationMember).findOne({ select: { role: true }, where: { organizationId, userId: principal.userId } });
    return member?.role ?? null;
  }
}

/** The API names an installation by its uuid, Sentry's settings pages by its organization and app; null for a name that cannot be valid. */
function installationWhere({ installationUuid, organizationSlug, appSlug }: TargetRef): FindOptionsWhere<Installation> | null {
  if (installationUuid === undefined && organizationSlug !== undefined) {
    return isValidSlug(organizationSlug) && isValidSlug(appSlug ?? '') ? { organization: { slug: organizationSlug }, sentryApp: { slug: appSlug } } : null;
  }
  return installationUuid && isUUID(installationUuid) ? { uuid: installationUuid.toLowerCase() } : null;
}

function httpError(decision: Extract<Decision, { allowed: false }>): Error {
  if (decision.status === 401) return new BearerAuthError(decision.detail);
  if (decision.status === 404) return new NotFoundException(decision.detail);
  return new ForbiddenException(decision.detail);
}
