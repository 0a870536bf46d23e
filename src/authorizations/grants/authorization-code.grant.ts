import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidGrantError } from '../../common/oauth-errors.js';
import { GrantService } from '../grant.service.js';
import { TokenService, type IssuedPair } from '../token.service.js';
import { requiredString, type GrantHandler, type GrantRequest } from './grant-handler.js';

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
    const pair = await this.tokens.issueConsuming(this.dataSource.manager, this.grants.consuming(installation.id, code), installation.id, installation.scopes);
    if (pair) return pair;
    // RFC 6749 §4.1.2: a second use of a code revokes every token it led to.
    const familyId = await this.grants.exchangedFamily(this.dataSource.manager, installation.id, code);
    if (familyId) await this.tokens.revokeFamily(this.dataSource.manager, familyId);
    throw new InvalidGrantError();
  }
}
