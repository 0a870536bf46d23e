import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { sha256Hex } from '../../common/crypto.js';
import { InvalidGrantError } from '../../common/oauth-errors.js';
import { AppConfig } from '../../config/app-config.js';
import { TokenService, type IssuedPair } from '../token.service.js';
import { lockLiveInstallation, requiredString, type GrantHandler, type GrantRequest } from './grant-handler.js';

interface PresentedPair {
  id: string;
  family_id: string;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

type Outcome = { outcome: 'issued'; pair: IssuedPair } | { outcome: 'invalid' };

/**
 * Rotation with reuse detection (RFC 9700 §4.14) and a grace window for lost responses
 * (Sentry #94190): the presented pair is locked, so concurrent refreshes of one token
 * run one after another and leave exactly one live pair in the family.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async handle({ installation, body }: GrantRequest): Promise<IssuedPair> {
    const refreshToken = requiredString(body, 'refresh_token');
    const result = await this.dataSource.transaction(async (em): Promise<Outcome> => {
      if (!(await lockLiveInstallation(em, installation.id))) return { outcome: 'invalid' };
      const [presented] = await em.query<PresentedPair[]>(
        'SELECT id, family_id, rotated_at, revoked_at FROM api_tokens WHERE refresh_token_hash = $1 AND installation_id = $2 FOR UPDATE',
        [sha256Hex(refreshToken), installation.id],
      );
      if (!presented) return { outcome: 'invalid' };
      if (presented.rotated_at) {
        if (!(await this.withinGrace(em, presented))) {
          await this.tokens.revokeFamily(em, presented.family_id);
          return { outcome: 'invalid' };
        }
        // A retry after a lost response: only the newest pair minted from this token stays alive.
        await em.query('UPDATE api_tokens SET revoked_at = $2 WHERE parent_id = $1 AND revoked_at IS NULL', [presented.id, this.clock.now()]);
      } else if (presented.revoked_at) {
        return { outcome: 'invalid' };
      } else {
        const now = this.clock.now();
        await em.query('UPDATE api_tokens SET rotated_at = $2, revoked_at = $2 WHERE id = $1', [presented.id, now]);
      }
      const pair = await this.tokens.issue(em, { installationId: installation.id, familyId: presented.family_id, parentId: presented.id, scopes: installation.scopes });
      return { outcome: 'issued', pair };
    });
    if (result.outcome !== 'issued') throw new InvalidGrantError();
    return result.pair;
  }

  /** Inside REFRESH_GRACE_SECONDS of its rotation, and the pair minted from it is still live and unrotated. */
  private async withinGrace(em: EntityManager, presented: PresentedPair): Promise<boolean> {
    const graceMs = this.config.REFRESH_GRACE_SECONDS * 1000;
    if (graceMs === 0 || this.clock.now().getTime() - presented.rotated_at!.getTime() >= graceMs) return false;
    const [newest] = await em.query<{ live: boolean }[]>(
      'SELECT (rotated_at IS NULL AND revoked_at IS NULL) AS live FROM api_tokens WHERE parent_id = $1 ORDER BY id DESC LIMIT 1',
      [presented.id],
    );
    return newest?.live === true;
  }
}
