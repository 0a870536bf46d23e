import { applyDecorators, CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiErrors } from '../openapi/error-bodies.js';
import type { AuthenticatedRequest } from './principal.js';

type PrincipalRule = 'user' | 'superuser';
const PRINCIPAL_RULE = 'auth:principal-rule';

@Injectable()
export class PrincipalRuleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.reflector.get<PrincipalRule>(PRINCIPAL_RULE, context.getHandler());
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (principal?.kind !== 'user' || (rule === 'superuser' && !principal.isSuperuser)) {
      throw new ForbiddenException(rule === 'superuser' ? 'Only a superuser can do this.' : 'Only a user token can do this.');
    }
    return true;
  }
}

/** A person's token, not an app token. */
export const UsersOnly = () => applyDecorators(SetMetadata(PRINCIPAL_RULE, 'user'), UseGuards(PrincipalRuleGuard), ApiErrors(403));

/** A superuser's personal token. */
export const SuperuserOnly = () => applyDecorators(SetMetadata(PRINCIPAL_RULE, 'superuser'), UseGuards(PrincipalRuleGuard), ApiErrors(403));
