import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { SecretBox, sha256Hex } from '../../common/crypto.js';
import { AppConfig } from '../../config/app-config.js';
import { Grant } from '../installations/entities/grant.entity.js';
import { installationOfApp } from './grants/grant-handler.js';
import type { ConsumingStatement } from './token.service.js';

/** Authorization codes: created at install, consumed exactly once. */
@Injectable()
export class GrantService {
  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly secrets: SecretBox,
  ) {}

  /** A new grant; its expiry is fixed now, GRANT_TTL_SECONDS ahead. */
  async create(em: EntityManager, installationId: string): Promise<{ grantId: string; code: string }> {
    const id = randomUUID();
    const code = this.secrets.grantCode(id);
    const now = this.clock.now();
    await em.insert(Grant, {
      id,
      installationId,
      codeHash: sha256Hex(code),
      expiresAt: new Date(now.getTime() + this.config.GRANT_TTL_SECONDS * 1000),
      dateCreated: now,
    });
    return { grantId: id, code };
  }

  /** The codes of the installations whose grant is still unexchanged and unexpired. */
  async liveCodes(em: EntityManager, installationIds: string[]): Promise<Map<string, string>> {
    if (installationIds.length === 0) return new Map();
    const grants = await em.find(Grant, { where: { installationId: In(installationIds), exchangedAt: IsNull() } });
    const now = this.clock.now().getTime();
    return new Map(grants.filter((grant) => grant.expiresAt.getTime() > now).map((grant) => [grant.installationId, this.secrets.grantCode(grant.id)]));
  }

  /**
   * Marks the code used in one conditional UPDATE, so that of any number of concurrent
   * exchanges exactly one wins; the row lock makes the others re-read it as used. The same
   * statement share-locks the live installation (see liveInstallation). Raw SQL on purpose:
   * it is the first half of the exchange's one round trip (TokenService.issueConsuming).
   */
  consuming(installationUuid: string, sentryAppId: string, code: string): ConsumingStatement {
    return {
      sql: `UPDATE api_grants g SET exchanged_at = $3, family_id = $4 FROM ${installationOfApp('$2', '$5')} live
             WHERE g.code_hash = $1 AND g.installation_id = live.id AND g.exchanged_at IS NULL AND g.expires_at > $3
            RETURNING live.id AS installation_id, live.scopes, g.family_id, NULL::bigint AS parent_id, NULL::text AS replaced_token_hash`,
      params: [sha256Hex(code), installationUuid, this.clock.now(), randomUUID(), sentryAppId],
    };
  }

  /** When a code was exchanged and the family it started, if it was (so this is a replay). */
  async exchanged(em: EntityManager, installationId: string, code: string): Promise<{ familyId: string; exchangedAt: Date } | undefined> {
    const used = await em.findOne(Grant, { select: { familyId: true, exchangedAt: true }, where: { codeHash: sha256Hex(code), installationId, exchangedAt: Not(IsNull()) } });
    return used?.familyId && used.exchangedAt ? { familyId: used.familyId, exchangedAt: used.exchangedAt } : undefined;
  }

  async deleteForInstallation(em: EntityManager, installationId: string): Promise<void> {
    await em.delete(Grant, { installationId });
  }
}
