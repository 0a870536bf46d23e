import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { BearerAuthError } from '../common/http-errors.js';
import { BearerTokenService } from './bearer-token.service.js';
import type { AuthenticatedRequest } from './principal.js';
import { IS_PUBLIC } from './public.decorator.js';

/** Global: every route needs a Bearer token unless it is marked @Public(). */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: BearerTokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    request.principal = await this.tokens.authenticate(bearerToken(request.headers.authorization));
    return true;
  }
}

/** DRF's messages: no header at all, versus a Bearer header without a token. */
function bearerToken(header: string | undefined): string {
  if (!header) throw new BearerAuthError('Authentication credentials were not provided.');
  const [scheme, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer') throw new BearerAuthError('Authentication credentials were not provided.');
  if (rest.length !== 1 || !rest[0]) throw new BearerAuthError('Invalid token header. No credentials provided.');
  return rest[0];
}
