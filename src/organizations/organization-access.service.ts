import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { isValidSlug } from '../common/slug.js';
import { holdsAny, ROLE_SCOPES, SUPERUSER_SCOPES } from '../auth/scopes.js';
import { OrganizationMember } from './entities/organization-member.entity.js';
import { Organization } from './entities/organization.entity.js';

export interface OrganizationAccess {
  organization: Organization;
  scopes: ReadonlySet<string>;
}

/**
 * The one place that decides what a principal may do in an organization: people through
 * their role's scopes (superusers hold all), app tokens through their installation's scopes.
 */
@Injectable()
export class OrganizationAccessService {
  constructor(private readonly dataSource: DataSource) {}

  /** The principal's scopes in the organization; null when it has no standing there at all. */
  async scopesIn(principal: Principal, organizationId: string): Promise<ReadonlySet<string> | null> {
    if (principal.kind === 'app') return principal.organizationId === organizationId ? principal.scopes : null;
    if (principal.isSuperuser) return SUPERUSER_SCOPES;
    const member = await this.dataSource.getRepository(OrganizationMember).findOne({
      select: { role: true },
      where: { organizationId, userId: principal.userId },
    });
    return member ? ROLE_SCOPES[member.role] : null;
  }

  /** 404 for an unknown slug, 403 without standing or without one of `anyOf`. */
  async authorize(principal: Principal, slug: string, anyOf: readonly string[]): Promise<OrganizationAccess> {
    // An app token's own organization was read (or cached, kept fresh by triggers) with the token.
    const own = principal.kind === 'app' && principal.organization.slug === slug ? principal.organization : null;
    const organization = own ?? (isValidSlug(slug) ? await this.dataSource.getRepository(Organization).findOneBy({ slug }) : null);
    if (!organization) throw new NotFoundException('Organization not found');
    const scopes = await this.scopesIn(principal, organization.id);
    if (!scopes) throw new ForbiddenException('You do not have access to this organization.');
    if (!holdsAny(scopes, anyOf)) throw new ForbiddenException('You do not have permission to perform this action.');
    return { organization, scopes };
  }
}
