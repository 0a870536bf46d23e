import type { Organization } from '../../organizations/entities/organization.entity.js';
import type { SentryApp } from '../apps/entities/sentry-app.entity.js';
import type { Installation } from './entities/installation.entity.js';

export interface InstallationView {
  installation: Installation;
  app: Pick<SentryApp, 'uuid' | 'slug'>;
  organization: Pick<Organization, 'id' | 'slug'>;
  code: string | null;
  redirectUrl?: string;
}

export function serializeInstallation({ installation, app, organization, code, redirectUrl }: InstallationView) {
  return {
    uuid: installation.uuid,
    app: { uuid: app.uuid, slug: app.slug },
    organization: { id: organization.id, slug: organization.slug },
    status: installation.status,
    code,
    ...(redirectUrl ? { redirectUrl } : {}),
  };
}
