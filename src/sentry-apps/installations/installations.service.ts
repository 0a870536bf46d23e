import { Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditLog } from '../../audit/audit-log.service.js';
import { AuthorizationService, type Authorized } from '../../auth/authorization.service.js';
import type { Principal } from '../../auth/principal.js';
import { GrantService } from '../authorizations/grant.service.js';
import { TokenService } from '../authorizations/token.service.js';
import { Clock } from '../../common/clock.js';
import { Organization } from '../../organizations/entities/organization.entity.js';
import { SentryApp } from '../apps/entities/sentry-app.entity.js';
import { WebhookOutbox, type WebhookSubject } from '../webhooks/webhook-outbox.service.js';
import { Installation } from './entities/installation.entity.js';
import type { InstallationView } from './installation-view.js';
import { installRedirectUrl } from './install-redirect.js';

/** An app can be installed into its owner organization, into any once published, and by a superuser anywhere. */
export function isInstallable(app: Pick<SentryApp, 'ownerOrganizationId' | 'status'>, organizationId: string, principal: Principal): boolean {
  return app.ownerOrganizationId === organizationId || app.status === 'published' || (principal.kind === 'user' && principal.isSuperuser);
}

@Injectable()
export class InstallationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly authorization: AuthorizationService,
    private readonly grants: GrantService,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly webhooks: WebhookOutbox,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Installs the app, or returns the live installation as it is. The partial unique index
   * makes concurrent installs of one app into one organization yield one installation.
   */
  async install(principal: Principal, organization: Organization, appSlug: string): Promise<InstallationView> {
    const app = await this.dataSource.getRepository(SentryApp).findOneBy({ slug: appSlug });
    if (!app || !isInstallable(app, organization.id, principal)) throw new NotFoundException('Sentry app not found');
    return this.dataSource.transaction(async (em) => {
      const uuid = randomUUID();
      await em.createQueryBuilder().insert().into(Installation)
        .values({ uuid, sentryAppId: app.id, organizationId: organization.id, status: app.verifyInstall ? 'pending' : 'installed', dateCreated: this.clock.now() })
        .orIgnore()
        .execute();
      const installation = await em.findOneByOrFail(Installation, { sentryAppId: app.id, organizationId: organization.id, dateDeleted: IsNull() });
      const code = installation.uuid === uuid
        ? await this.grantAndAnnounce(em, { installation, app, organization }, principal)
        : ((await this.grants.liveCodes(em, [installation.id])).get(installation.id) ?? null);
      return { installation, app, organization, code, redirectUrl: installRedirectUrl(app.redirectUrl, code, installation.uuid, organization.slug) };
    });
  }

  /** A new installation's grant, the webhook that announces it and its audit row, in the same transaction. Returns the code. */
  private async grantAndAnnounce(em: EntityManager, subject: WebhookSubject, principal: Principal): Promise<string> {
    const { grantId, code } = await this.grants.create(em, subject.installation.id);
    await this.webhooks.enqueue(em, 'installation.created', subject, principal.userId, grantId);
    await this.audit.record(em, principal, { organizationId: subject.organization.id, event: 'sentry-app.install', targetObject: subject.installation.uuid, data: { sentryApp: subject.app.slug } });
    return code;
  }

  /** The organization's live installations; their codes only to those the permission model lets see them. */
  async list(principal: Principal, target: Authorized): Promise<InstallationView[]> {
    const { organization } = target;
    const installations = await this.dataSource.getRepository(Installation).find({
      where: { organizationId: organization.id, dateDeleted: IsNull() },
      relations: { sentryApp: true },
      order: { id: 'ASC' },
    });
    const codes = this.authorization.allows(principal, 'installation.see-code', target)
      ? await this.grants.liveCodes(this.dataSource.manager, installations.map((installation) => installation.id))
      : new Map<string, string>();
    return installations.map((installation) => ({ installation, app: installation.sentryApp!, organization, code: codes.get(installation.id) ?? null }));
  }

  /** The apps the principal could install into the organization and that are not installed there yet. */
  async installable(principal: Principal, organization: Organization): Promise<SentryApp[]> {
    const apps = await this.dataSource.getRepository(SentryApp).createQueryBuilder('app')
      .where('NOT EXISTS (SELECT 1 FROM sentry_app_installations i WHERE i.sentry_app_id = app.id AND i.organization_id = :organizationId AND i.date_deleted IS NULL)', { organizationId: organization.id })
      .orderBy('lower(app.name)')
      .getMany();
    return apps.filter((app) => isInstallable(app, organization.id, principal));
  }

  /** The app's live installation in the organization, or null. */
  async findLive(organization: Organization, appSlug: string): Promise<(InstallationView & { app: SentryApp }) | null> {
    const installation = await this.dataSource.getRepository(Installation).findOne({
      where: { organizationId: organization.id, dateDeleted: IsNull(), sentryApp: { slug: appSlug } },
      relations: { sentryApp: true },
    });
    return installation && { installation, app: installation.sentryApp!, organization, code: null };
  }

  /** Where the app is installed: its live installations with their organizations, newest first. */
  async ofApp(app: SentryApp): Promise<Installation[]> {
    return this.dataSource.getRepository(Installation).find({
      where: { sentryAppId: app.id, dateDeleted: IsNull() },
      relations: { organization: true },
      order: { id: 'DESC' },
    });
  }

  /** The app confirms its install (verifyInstall). */
  async markInstalled({ installation, app, organization }: Authorized): Promise<InstallationView> {
    await this.dataSource.getRepository(Installation).update({ id: installation!.id }, { status: 'installed' });
    return { installation: { ...installation!, status: 'installed' }, app: app!, organization, code: null };
  }

  /** Uninstalls: the grant is deleted and every token issued to the installation is revoked at once. */
  async uninstall(principal: Principal, target: Authorized): Promise<void> {
    const subject = { installation: target.installation!, app: target.app!, organization: target.organization };
    await this.dataSource.transaction(async (em: EntityManager) => {
      const result = await em.update(Installation, { id: subject.installation.id, dateDeleted: IsNull() }, { dateDeleted: this.clock.now() });
      if (!result.affected) throw new NotFoundException('Installation not found');
      await this.webhooks.enqueue(em, 'installation.deleted', subject, principal.userId);
      await this.grants.deleteForInstallation(em, subject.installation.id);
      await this.tokens.revokeInstallation(em, subject.installation.id);
      await this.audit.record(em, principal, { organizationId: subject.organization.id, event: 'sentry-app.uninstall', targetObject: subject.installation.uuid, data: { sentryApp: subject.app.slug } });
    });
  }
}
