import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service.js';
import type { Principal } from '../auth/principal.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { isValidSlug, slugify } from '../common/slug.js';
import { ValidationFailed } from '../common/validation.js';
import { User } from '../users/entities/user.entity.js';
import { OrganizationMember, type Role } from './entities/organization-member.entity.js';
import { Organization } from './entities/organization.entity.js';

export function serializeOrganization(organization: Organization) {
  return { id: organization.id, slug: organization.slug, name: organization.name, dateCreated: organization.dateCreated };
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** Creates the organization with its creator as owner. */
  async create(ownerId: string, input: { name: string; slug?: string }): Promise<Organization> {
    const slug = input.slug ?? slugify(input.name);
    if (!isValidSlug(slug)) throw new ValidationFailed({ slug: ['Could not derive a valid slug from the name; send one.'] });
    try {
      return await this.dataSource.transaction(async (em) => {
        const organization = await em.save(Organization, em.create(Organization, { slug, name: input.name }));
        await em.insert(OrganizationMember, { organizationId: organization.id, userId: ownerId, role: 'owner' });
        return organization;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('An organization with this slug already exists.');
      throw error;
    }
  }

  /** The organizations the person belongs to, with their role, by name. */
  listForUser(userId: string): Promise<{ id: string; slug: string; name: string; role: Role }[]> {
    return this.dataSource.query(
      `SELECT o.id, o.slug, o.name, m.role FROM organization_members m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1 ORDER BY lower(o.name), o.slug`,
      [userId],
    );
  }

  /** The organization's members, oldest first. */
  listMembers(organization: Organization): Promise<{ id: string; email: string; name: string; role: Role; dateCreated: Date }[]> {
    return this.dataSource.query(
      `SELECT m.id, u.email, u.name, m.role, m.date_created AS "dateCreated" FROM organization_members m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 ORDER BY m.id`,
      [organization.id],
    );
  }

  async rename(organization: Organization, name: string): Promise<Organization> {
    await this.dataSource.getRepository(Organization).update({ id: organization.id }, { name });
    return { ...organization, name };
  }

  /** Adds the member and its audit row in one transaction (who may add whom is the permission model's). */
  async addMember(principal: Principal, organization: Organization, email: string, role: Role) {
    const user = await this.dataSource.getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
    if (!user || user.isSentryApp) throw new NotFoundException('No user with this email.');
    try {
      return await this.dataSource.transaction(async (em) => {
        const member = await em.save(OrganizationMember, em.create(OrganizationMember, { organizationId: organization.id, userId: user.id, role }));
        await this.audit.record(em, principal, { organizationId: organization.id, event: 'member.add', targetObject: member.id, data: { email: user.email, role } });
        return { id: member.id, email: user.email, role: member.role };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('This user is already a member.');
      throw error;
    }
  }
}
