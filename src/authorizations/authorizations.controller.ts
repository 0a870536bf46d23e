import { Body, Controller, createParamDecorator, ExecutionContext, Header, Param, Post, UseGuards } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { ClientIdSecretGuard } from '../auth/strategies/client-id-secret.strategy.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import type { VerifiedClient } from '../sentry-apps/api-applications.service.js';
import { AuthorizationsService } from './authorizations.service.js';
import { ApiTokenEndpoint } from './dto/token.dto.js';
import { serializeToken } from './token.service.js';

const Client = createParamDecorator((_data: unknown, context: ExecutionContext): VerifiedClient => context.switchToHttp().getRequest().user);

@Controller('sentry-app-installations/:uuid/authorizations')
export class AuthorizationsController {
  constructor(private readonly authorizations: AuthorizationsService) {}

  /** Sentry's token endpoint: a code or a refresh token for an 8-hour Bearer token and a refresh token. */
  @Post()
  @Public()
  @UseGuards(ClientIdSecretGuard)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiTokenEndpoint()
  async token(@Client() client: VerifiedClient, @Param('uuid', UuidParamPipe) uuid: string, @Body() body: Record<string, unknown>) {
    return serializeToken(await this.authorizations.token(client, uuid, body), body.state);
  }
}
