import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TokenEndpointCache } from '../../auth/token-cache.service.js';
import { timingSafeEqual } from 'node:crypto';
import { randomHex, SecretBox, sha256, sha256Hex } from '../../common/crypto.js';
import { ApiApplication } from './entities/api-application.entity.js';

export interface VerifiedClient {
  applicationId: string;
  /** Null for a plain OAuth application, which cannot use the sentry-app token endpoint. */
  sentryAppId: string | null;
  /** As stored: cache keys, rate-limit keys and the JWT issuer come from here, never from the request. */
  clientId: string;
}

export interface ClientLookup {
  client: VerifiedClient | null;
  /** The client's secret, or for an unknown id a decoy's: compare against it either way. */
  secret: string;
}

interface ClientRow {
  id: string;
  client_id: string;
  client_secret_encrypted: string;
  sentry_app_id: string | null;
}

/** What the cache holds: the row, its secret still encrypted, and that secret's SHA-256 to check presented secrets against. */
interface CachedClient extends ClientRow {
  secret_sha256: string;
}

/** OAuth clients: their credentials are made, rotated and checked only here. */
@Injectable()
export class ApiApplicationsService {
  // Used when the client id is unknown, so that answer costs what a wrong secret costs.
  private readonly decoy: string;
  private readonly decoySha256: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly cache: TokenEndpointCache,
  ) {
    const decoy = randomHex(32);
    this.decoy = secrets.encrypt(decoy);
    this.decoySha256 = sha256Hex(decoy);
  }

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

  /**
   * The client when id and secret match; null otherwise, after the same amount of work: one
   * cache read (a database read the first time) and one digest compared in constant time,
   * against a decoy's for an unknown id, so neither answers faster. Client secrets are 256
   * random bits we drew, so their SHA-256 is as safe a verifier as the stored token hashes,
   * and checking one costs no decryption.
   */
  async verify(clientId: string, clientSecret: string): Promise<VerifiedClient | null> {
    const row = await this.cached(clientId);
    const matches = timingSafeEqual(Buffer.from(row?.secret_sha256 ?? this.decoySha256, 'hex'), sha256(clientSecret));
    return matches && row ? clientOf(row) : null;
  }

  /**
   * The client of a well-formed id, with its decrypted secret, for checking a JWT signed with
   * it. Known and unknown ids take the same path: one cache read, one decryption (of a decoy
   * for an unknown id).
   */
  async lookup(clientId: string): Promise<ClientLookup> {
    const row = await this.cached(clientId);
    const secret = this.secrets.decrypt(row?.client_secret_encrypted ?? this.decoy);
    return { client: row ? clientOf(row) : null, secret };
  }

  /**
   * Cached with the secret still encrypted (and its digest); a rotated or deleted secret
   * evicts it (TokenCacheInvalidation triggers). Unknown ids are cached too, as null: client
   * ids are 256 random bits drawn at creation, so no later insert can make a cached null
   * wrong, and the per-IP failure budget limits how fast anyone can add them.
   */
  private cached(clientId: string): Promise<CachedClient | null | undefined> {
    return this.cache.through(`client:${clientId}`, async () => {
      const [found] = await this.dataSource.query<ClientRow[]>(
        `SELECT a.id, a.client_id, a.client_secret_encrypted, sa.id AS sentry_app_id
           FROM api_applications a LEFT JOIN sentry_apps sa ON sa.application_id = a.id
          WHERE a.client_id = $1`,
        [clientId],
      );
      if (!found) {
        // What a known id's first read costs, so that neither answers faster when cold either.
        sha256Hex(this.secrets.decrypt(this.decoy));
        return { value: null, dependsOn: {} };
      }
      const value: CachedClient = { ...found, secret_sha256: sha256Hex(this.secrets.decrypt(found.client_secret_encrypted)) };
      return { value, dependsOn: { applicationId: found.id, sentryAppId: found.sentry_app_id } };
    });
  }

  /** The current client secret of a sentry app, for signing (webhooks, manual-refresh JWTs). */
  async currentSecret(applicationId: string): Promise<string> {
    const application = await this.dataSource.getRepository(ApiApplication).findOneByOrFail({ id: applicationId });
    return this.secrets.decrypt(application.clientSecretEncrypted);
  }
}

function clientOf(row: ClientRow): VerifiedClient {
  return { applicationId: row.id, sentryAppId: row.sentry_app_id, clientId: row.client_id };
}
