import { Body, Controller, createParamDecorator, ExecutionContext, Header, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission } from '../../auth/permission.guard.js';
import { markCachesCurrent, WritesOnlyTokens } from '../../auth/token-cache.interceptor.js';
import { ClientIdSecretGuard, type AuthenticatedClient } from './strategies/client-id-secret.strategy.js';
import { isFormRequest } from '../../common/body-parsing.js';
import { Clock } from '../../common/clock.js';
import { UuidParamPipe } from '../../common/uuid-param.pipe.js';
import { AuthorizationsService } from './authorizations.service.js';
import { ApiRevocationEndpoint, ApiTokenEndpoint } from './dto/token.dto.js';
import { rfc6749TokenBody, sentryTokenBody } from './token-response.js';

const Client = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedClient => context.switchToHttp().getRequest().user);

@Controller('sentry-app-installations/:uuid/authorizations')
@WritesOnlyTokens()
@UseGuards(ClientIdSecretGuard)
export class AuthorizationsController {
  constructor(
    private readonly authorizations: AuthorizationsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Sentry's token endpoint: a code, a refresh token or a manual-refresh JWT for an 8-hour
   * Bearer token and a refresh token. Form-encoded (RFC 6749) clients get RFC 6749's 200.
   */
  @Post()
  @Permission('token.exchange')
  // Cache-Control: no-store is every answer's (app.setup.ts); RFC 6749 §5.1 adds Pragma.
  @Header('Pragma', 'no-cache')
  @ApiTokenEndpoint()
  async token(
    @Client() client: AuthenticatedClient,
    @Param('uuid', UuidParamPipe) uuid: string,
    @Body() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { pair, cachesCurrent } = await this.authorizations.token(client, uuid, body);
    if (cachesCurrent) markCachesCurrent(request);
    if (!isFormRequest(request)) return sentryTokenBody(pair, body.state);
    void reply.status(200);
    return rfc6749TokenBody(pair, this.clock.now());
  }

  /** RFC 7009 token revocation. */
  @Post('revoke')
  @Permission('token.revoke')
  @HttpCode(200)
  @ApiRevocationEndpoint()
  async revoke(@Client() client: AuthenticatedClient, @Param('uuid', UuidParamPipe) uuid: string, @Body() body: Record<string, unknown>): Promise<void> {
    await this.authorizations.revoke(client, uuid, body);
  }
}
