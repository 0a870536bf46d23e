import { ConflictException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '../../common/database-errors.js';
import { isValidSlug, slugify } from '../../common/slug.js';
import { ValidationFailed } from '../../common/validation.js';
import { Organization } from '../../organizations/entities/organization.entity.js';
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
    private readonly applications: ApiApplicationsService,
  ) {}

  /** Creates the app with its proxy user and its API application (whose secret is shown this once). */
  async create(owner: Organization, input: CreateSentryAppDto): Promise<SentryAppView> {
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

  async setStatus(app: SentryApp, status: SentryAppStatus): Promise<SentryAppView> {
    await this.dataSource.getRepository(SentryApp).update({ id: app.id }, { status });
    return this.view({ ...app, status });
  }

  async rotateSecret(app: SentryApp): Promise<{ clientSecret: string }> {
    const clientSecret = await this.dataSource.transaction((em) => this.applications.rotateSecret(em, app.applicationId));
    return { clientSecret };
  }

  /** The app as its owner organization sees it: no secret. */
  async view(app: SentryApp): Promise<SentryAppView> {
    const [owner, application] = await Promise.all([
      app.ownerOrganization ?? this.dataSource.getRepository(Organization).findOneByOrFail({ id: app.ownerOrganizationId }),
      this.dataSource.getRepository(ApiApplication).findOneByOrFail({ id: app.applicationId }),
    ]);
    return { app, owner, clientId: application.clientId };
  }
}
