import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { holdsAny } from '../../auth/scopes.js';
import { isUniqueViolation } from '../../common/database-errors.js';
import { isValidSlug, slugify } from '../../common/slug.js';
import { ValidationFailed } from '../../common/validation.js';
import { Organization } from '../../organizations/entities/organization.entity.js';
import { OrganizationAccessService } from '../../organizations/organization-access.service.js';
import { User } from '../../users/entities/user.entity.js';
import { ApiApplicationsService } from './api-applications.service.js';
import type { CreateSentryAppDto } from './dto/sentry-app.dto.js';
import { ApiApplication } from './entities/api-application.entity.js';
import { SentryApp, type SentryAppStatus } from './entities/sentry-app.entity.js';

export interface SentryAppView {
  app: SentryApp;
  owner: Organization;
  clientId: string;
  clientSecret?: string;
}

export function serializeSentryApp({ app, owner, clientId, clientSecret }: SentryAppView) {
  return {
    uuid: app.uuid,
    slug: app.slug,
    name: app.name,
    scopes: app.scopes,
    events: app.events,
    status: app.status,
    webhookUrl: app.webhookUrl,
    redirectUrl: app.redirectUrl,
    verifyInstall: app.verifyInstall,
    owner: { id: owner.id, slug: owner.slug },
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
  };
}

@Injectable()
export class SentryAppsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: OrganizationAccessService,
    private readonly applications: ApiApplicationsService,
  ) {}

  /** Creates the app with its proxy user and its API application (whose secret is shown this once). */
  async create(principal: Principal, input: CreateSentryAppDto): Promise<SentryAppView> {
    const { organization: owner } = await this.access.authorize(principal, input.organization, ['org:integrations']);
    const slug = slugify(input.name);
    if (!isValidSlug(slug)) throw new ValidationFailed({ name: ['The name must contain letters or digits.'] });
    try {
      return await this.dataSource.transaction(async (em) => {
        const proxyUser = await em.save(User, em.create(User, { email: `${slug}@proxy-user.invalid`, name: slug, isSentryApp: true }));
        const { application, clientSecret } = await this.applications.create(proxyUser.id, input.name, em);
        const app = await em.save(SentryApp, em.create(SentryApp, {
          uuid: randomUUID(),
          slug,
          name: input.name,
          ownerOrganizationId: owner.id,
          proxyUserId: proxyUser.id,
          applicationId: application.id,
          scopes: input.scopes,
          events: input.events ?? [],
          webhookUrl: input.webhookUrl ?? null,
          redirectUrl: input.redirectUrl ?? null,
          verifyInstall: input.verifyInstall ?? true,
          status: 'unpublished',
        }));
        return { app, owner, clientId: application.clientId, clientSecret };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('A sentry app with this slug already exists.');
      throw error;
    }
  }

  /** The app as its owner organization sees it: 404 unknown, 403 without `anyOf` in the owner organization. */
  async forOwner(principal: Principal, slug: string, anyOf: readonly string[] = ['org:read']): Promise<SentryAppView> {
    const app = await this.findBySlug(slug);
    const scopes = await this.access.scopesIn(principal, app.ownerOrganizationId);
    if (!scopes || !holdsAny(scopes, anyOf)) throw new ForbiddenException('You do not have permission to manage this sentry app.');
    return this.view(app);
  }

  async setStatus(slug: string, status: SentryAppStatus): Promise<SentryAppView> {
    const app = await this.findBySlug(slug);
    await this.dataSource.getRepository(SentryApp).update({ id: app.id }, { status });
    return this.view({ ...app, status });
  }

  async rotateSecret(principal: Principal, slug: string): Promise<{ clientSecret: string }> {
    const { app } = await this.forOwner(principal, slug, ['org:integrations']);
    const clientSecret = await this.dataSource.transaction((em) => this.applications.rotateSecret(em, app.applicationId));
    return { clientSecret };
  }

  private async findBySlug(slug: string): Promise<SentryApp> {
    const app = isValidSlug(slug) ? await this.dataSource.getRepository(SentryApp).findOneBy({ slug }) : null;
    if (!app) throw new NotFoundException('Sentry app not found');
    return app;
  }

  private async view(app: SentryApp): Promise<SentryAppView> {
    const [owner, application] = await Promise.all([
      this.dataSource.getRepository(Organization).findOneByOrFail({ id: app.ownerOrganizationId }),
      this.dataSource.getRepository(ApiApplication).findOneByOrFail({ id: app.applicationId }),
    ]);
    return { app, owner, clientId: application.clientId };
  }
}
