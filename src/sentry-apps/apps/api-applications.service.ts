import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TokenEndpointCache } from '../../auth/token-cache.service.js';
import { randomHex, SecretBox, safeEqual } from '../../common/crypto.js';
import { ApiApplication } from './entities/api-application.entity.js';

export interface VerifiedClient {
  applicationId: string;
  /** Null for a plain OAuth application, which cannot use the sentry-app token endpoint. */
  sentryAppId: string | null;
  clientId: string;
  clientSecret: string;
}

interface ClientRow {
  id: string;
  client_secret_encrypted: string;
  sentry_app_id: string | null;
}

// Compared against when the client id is unknown, so that answer takes as long as a wrong secret.
const DECOY_SECRET = randomHex(32);

/** OAuth clients: their credentials are made, rotated and checked only here. */
@Injectable()
export class ApiApplicationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly cache: TokenEndpointCache,
  ) {}

  async create(ownerId: string, name: string, em: EntityManager = this.dataSource.manager): Promise<{ application: ApiApplication; clientSecret: string }> {
    const clientSecret = randomHex(32);
    const application = await em.save(ApiApplication, em.create(ApiApplication, {
      clientId: randomHex(32),
      clientSecretEncrypted: this.secrets.encrypt(clientSecret),
      name,
      ownerId,
    }));
    return { application, clientSecret };
  }

  /** A new secret; the old one stops working at once. */
  async rotateSecret(em: EntityManager, applicationId: string): Promise<string> {
    const clientSecret = randomHex(32);
    await em.update(ApiApplication, { id: applicationId }, { clientSecretEncrypted: this.secrets.encrypt(clientSecret) });
    return clientSecret;
  }

  /** The client when id and secret match; null otherwise, after the same amount of work. */
  async verify(clientId: string, clientSecret: string): Promise<VerifiedClient | null> {
    const client = await this.findClient(clientId);
    if (!safeEqual(client?.clientSecret ?? DECOY_SECRET, clientSecret) || !client) return null;
    return client;
  }

  /** The client with its decrypted secret, for verifying a secret or a JWT signed with it. */
  async findClient(clientId: string): Promise<VerifiedClient | null> {
    // Cached still encrypted; a rotated or deleted secret evicts it (TokenCacheInvalidation triggers).
    const row = await this.cache.through(`client:${clientId}`, async () => {
      const [found] = await this.dataSource.query<ClientRow[]>(
        `SELECT a.id, a.client_secret_encrypted, sa.id AS sentry_app_id
           FROM api_applications a LEFT JOIN sentry_apps sa ON sa.application_id = a.id
          WHERE a.client_id = $1`,
        [clientId],
      );
      return found && { value: found, dependsOn: { applicationId: found.id, sentryAppId: found.sentry_app_id } };
    });
    if (!row) return null;
    return { applicationId: row.id, sentryAppId: row.sentry_app_id, clientId, clientSecret: this.secrets.decrypt(row.client_secret_encrypted) };
  }

  /** The current client secret of a sentry app, for signing (webhooks, manual-refresh JWTs). */
  async currentSecret(applicationId: string): Promise<string> {
    const application = await this.dataSource.getRepository(ApiApplication).findOneByOrFail({ id: applicationId });
    return this.secrets.decrypt(application.clientSecretEncrypted);
  }
}
