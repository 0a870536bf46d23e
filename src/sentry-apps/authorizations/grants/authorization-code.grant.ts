import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidGrantError } from '../../../common/oauth-errors.js';
import { GrantService } from '../grant.service.js';
import { TokenService, type IssuedPair } from '../token.service.js';
import { requiredString, type DirectRequest, type GrantHandler, type GrantRequest } from './grant-handler.js';

@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code';

  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: GrantService,
    private readonly tokens: TokenService,
  ) {}

  direct({ client, installationUuid, body }: DirectRequest): Promise<IssuedPair | undefined> {
    if (typeof body.code !== 'string' || !client.sentryAppId) return Promise.resolve(undefined);
    return this.tokens.issueConsuming(this.dataSource.manager, this.grants.consuming(installationUuid, client.sentryAppId, body.code));
  }

  /**
   * The code could not be consumed: unknown, expired, or used already. RFC 6749 §4.1.2: a
   * second use is denied, and revokes every token the code led to, unless it comes inside the
   * grace window: only the client itself gets here (its secret was checked, and the code is
   * its installation's), so that is a double submit or two racing workers, whose first
   * exchange's tokens must keep working.
   */
  async handle({ client, installation, body }: GrantRequest): Promise<IssuedPair> {
    const code = requiredString(body, 'code');
    const exchanged = await this.grants.exchanged(this.dataSource.manager, installation.id, code);
    if (exchanged && !this.tokens.withinGrace(exchanged.exchangedAt)) {
      await this.tokens.revokeFamily(this.dataSource.manager, installation.id, exchanged.familyId, 'code-replay', client);
    }
    throw new InvalidGrantError();
  }
}
