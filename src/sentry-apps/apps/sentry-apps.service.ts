import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { DataSource, Not, type EntityManager } from 'typeorm';
import { AuditLog } from '../../audit/audit-log.service.js';
import type { Principal } from '../../auth/principal.js';
import { Clock } from '../../common/clock.js';
import { isUniqueViolation } from '../../common/database-errors.js';
import { isValidSlug, slugify } from '../../common/slug.js';
import { ValidationFailed } from '../../common/validation.js';
import { Organization } from '../../organizations/entities/organization.entity.js';
import { User } from '../../users/entities/user.entity.js';
import { ApiApplicationsService } from './api-applications.service.js';
import type { CreateSentryAppDto, SentryAppFieldsDto, UpdateSentryAppDto } from './dto/sentry-app.dto.js';
import { ApiApplication } from './entities/api-application.entity.js';
import { SentryApp } from './entities/sentry-app.entity.js';

/** The console's "New integration" page, /settings/{org}/developer-settings/new-public/ (Sentry's path). */
export const NEW_APP_PAGE = 'new-public';

/** Slugs the console's own pages take under /settings/{org}/developer-settings/: an app there could never be opened. */
const CONSOLE_PAGE_SLUGS = new Set([NEW_APP_PAGE]);

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
    author: app.author,
    overview: app.overview,
    schema: app.schema,
    isAlertable: app.isAlertable,
    allowedOrigins: app.allowedOrigins,
    owner: { id: owner.id, slug: owner.slug },
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
  };
}

/** What registering an app from `input` stores (with its defaults), or what `app` was registered with: equal for the same form. */
function registrationOf(source: CreateSentryAppDto | SentryApp) {
  return {
    name: source.name,
    scopes: source.scopes,
    events: source.events ?? [],
    webhookUrl: source.webhookUrl ?? null,
    redirectUrl: source.redirectUrl ?? null,
    verifyInstall: source.verifyInstall ?? true,
    author: source.author ?? null,
    overview: source.overview ?? null,
    isAlertable: source.isAlertable ?? false,
    allowedOrigins: source.allowedOrigins ?? [],
  };
}

type DescriptiveFields = Pick<SentryApp, 'author' | 'overview' | 'schema' | 'isAlertable' | 'allowedOrigins'>;

/** The descriptive fields the request sets (absent: unchanged; null: cleared to the default). */
function descriptiveFields(input: SentryAppFieldsDto): Partial<DescriptiveFields> {
  const fields: Partial<DescriptiveFields> = {};
  if (input.author !== undefined) fields.author = input.author;
  if (input.overview !== undefined) fields.overview = input.overview;
  if (input.schema !== undefined) fields.schema = input.schema ?? {};
  if (input.isAlertable !== undefined) fields.isAlertable = input.isAlertable ?? false;
  if (input.allowedOrigins !== undefined) fields.allowedOrigins = input.allowedOrigins ?? [];
  return fields;
}

const NO_DESCRIPTION: DescriptiveFields = { author: null, overview: null, schema: {}, isAlertable: false, allowedOrigins: [] };

@Injectable()
export class SentryAppsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly applications: ApiApplicationsService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /**
   * The app `principal` registered in `owner` less than `withinSeconds` ago from this very
   * input (its sentry-app.add entry is written with it), if any: what a form sent twice finds.
   * An input that differs in any field is another app, whose name is taken.
   */
  async justRegistered(principal: Principal, owner: Organization, input: CreateSentryAppDto, withinSeconds: number): Promise<SentryApp | null> {
    if (principal.kind !== 'user') return null;
    const since = new Date(this.clock.now().getTime() - withinSeconds * 1000);
    const [found] = await this.dataSource.query<{ id: string }[]>(
      `SELECT a.id FROM sentry_apps a JOIN audit_log_entries e ON e.organization_id = a.owner_organization_id AND e.target_object = a.uuid::text
        WHERE a.slug = $1 AND a.owner_organization_id = $2
          AND e.event = 'sentry-app.add' AND e.actor_type = 'user' AND e.actor_id = $3 AND e.date_created > $4`,
      [slugify(input.name), owner.id, principal.userId, since],
    );
    const app = found ? await this.dataSource.getRepository(SentryApp).findOneBy({ id: found.id }) : null;
    return app && isDeepStrictEqual(registrationOf(app), registrationOf(input)) ? app : null;
  }

  /**
   * Creates the app with its proxy user and its API application (whose secret is shown this
   * once). `alsoInTransaction` commits with it (the console's notice that shows the secret).
   */
  async create(principal: Principal, owner: Organization, input: CreateSentryAppDto, alsoInTransaction?: (em: EntityManager, created: SentryAppView) => Promise<void>): Promise<SentryAppView> {
    const slug = slugify(input.name);
    if (!isValidSlug(slug)) throw new ValidationFailed({ name: ['The name must contain letters or digits.'] });
    if (CONSOLE_PAGE_SLUGS.has(slug)) throw new ValidationFailed({ name: [`"${slug}" names a page of the console; choose another name.`] });
    try {
      return await this.dataSource.transaction(async (em) => {
        const proxyUser = await em.save(User, em.create(User, { email: `${slug}@proxy-user.invalid`, name: slug, isSentryApp: true }));
        const { application, clientSecret } = await this.applications.create(proxyUser.id, input.name, em);
        const app = await em.save(SentryApp, em.create(SentryApp, {
          uuid: randomUUID(),
          slug,
          ownerOrganizationId: owner.id,
          proxyUserId: proxyUser.id,
          applicationId: application.id,
          status: 'unpublished',
          ...NO_DESCRIPTION,
          ...descriptiveFields(input),
          ...registrationOf(input),
        }));
        await this.audit.record(em, principal, { organizationId: owner.id, event: 'sentry-app.add', targetObject: app.uuid, data: { sentryApp: slug, scopes: app.scopes } });
        const created = { app, owner, clientId: application.clientId, clientSecret };
        await alsoInTransaction?.(em, created);
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('A sentry app with this slug already exists.');
      throw error;
    }
  }

  /** The organization's own apps, by name. */
  ownedBy(organization: Organization): Promise<SentryApp[]> {
    return this.dataSource.getRepository(SentryApp).createQueryBuilder('app')
      .where('app.owner_organization_id = :id', { id: organization.id })
      .orderBy('lower(app.name)')
      .getMany();
  }

  /** Every app with its owner organization, for the superusers who publish them. */
  all(): Promise<SentryApp[]> {
    return this.dataSource.getRepository(SentryApp).find({ relations: { ownerOrganization: true }, order: { id: 'DESC' } });
  }

  /** An app with its owner organization, or 404; what the consent page shows before anything is installed. */
  async withOwner(slug: string): Promise<SentryApp & { ownerOrganization: Organization }> {
    const app = isValidSlug(slug) ? await this.dataSource.getRepository(SentryApp).findOne({ where: { slug }, relations: { ownerOrganization: true } }) : null;
    if (!app) throw new NotFoundException('Sentry app not found');
    return app as SentryApp & { ownerOrganization: Organization };
  }

  /**
   * Publishes or unpublishes, and sets the descriptive fields (what the body leaves out stays);
   * a change of status is audited in its owner organization.
   */
  async update(principal: Principal, app: SentryApp, input: UpdateSentryAppDto): Promise<SentryAppView> {
    const fields = descriptiveFields(input);
    const status = input.status;
    await this.dataSource.transaction(async (em) => {
      if (Object.keys(fields).length > 0) await em.update(SentryApp, { id: app.id }, fields);
      if (!status) return;
      const changed = await em.update(SentryApp, { id: app.id, status: Not(status) }, { status });
      if (changed.affected) await this.audit.record(em, principal, { organizationId: app.ownerOrganizationId, event: 'sentry-app.edit', targetObject: app.uuid, data: { sentryApp: app.slug, status } });
    });
    return this.view({ ...app, ...fields, status: status ?? app.status });
  }

  async rotateSecret(principal: Principal, app: SentryApp): Promise<{ clientSecret: string }> {
    const clientSecret = await this.dataSource.transaction(async (em) => {
      const secret = await this.applications.rotateSecret(em, app.applicationId);
      await this.audit.record(em, principal, { organizationId: app.ownerOrganizationId, event: 'sentry-app.rotate-secret', targetObject: app.uuid, data: { sentryApp: app.slug } });
      return secret;
    });
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
