import { Injectable } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { isPlainObject } from '../../common/body-parsing.js';
import { InvalidClientError, InvalidRequestError } from '../../common/oauth-errors.js';
import { ApiApplicationsService, type VerifiedClient } from '../../sentry-apps/api-applications.service.js';

export const CLIENT_ID_SECRET = 'client-id-secret';

/**
 * Authenticates a sentry app by the `client_id` and `client_secret` of the token request.
 * Every credential failure gets one identical answer, so none tells which part was wrong.
 */
@Injectable()
export class ClientIdSecretStrategy extends PassportStrategy(Strategy, CLIENT_ID_SECRET) {
  constructor(private readonly applications: ApiApplicationsService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<VerifiedClient> {
    const body = request.body;
    if (!isPlainObject(body)) throw new InvalidRequestError('Invalid request', 401);
    const { client_id: clientId, client_secret: clientSecret } = body;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') throw new InvalidClientError();
    const client = await this.applications.verify(clientId, clientSecret);
    if (!client?.sentryAppId) throw new InvalidClientError();
    return client;
  }
}

@Injectable()
export class ClientIdSecretGuard extends AuthGuard(CLIENT_ID_SECRET) {}
