import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidGrantError } from '../../common/oauth-errors.js';
import { GrantService } from '../grant.service.js';
import { TokenService, type IssuedPair } from '../token.service.js';
import { lockLiveInstallation, requiredString, type GrantHandler, type GrantRequest } from './grant-handler.js';

@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code';

  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: GrantService,
    private readonly tokens: TokenService,
  ) {}

  async handle({ installation, body }: GrantRequest): Promise<IssuedPair> {
    const code = requiredString(body, 'code');
    // The transaction commits a replay's revocation too; the error is raised after it.
    const result = await this.dataSource.transaction(async (em) => {
      if (!(await lockLiveInstallation(em, installation.id))) return { outcome: 'invalid' as const };
      const consumption = await this.grants.consume(em, installation.id, code);
      if (consumption.outcome === 'replayed') await this.tokens.revokeFamily(em, consumption.familyId);
      if (consumption.outcome !== 'consumed') return consumption;
      const pair = await this.tokens.issue(em, { installationId: installation.id, familyId: consumption.familyId, parentId: null, scopes: installation.scopes });
      return { outcome: 'issued' as const, pair };
    });
    if (result.outcome !== 'issued') throw new InvalidGrantError();
    return result.pair;
  }
}
