import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who a Bearer token speaks for: a person, or a sentry app's proxy user within one installation. */
export type Principal =
  | { kind: 'user'; userId: string; isSuperuser: boolean }
  | {
      kind: 'app';
      userId: string;
      tokenId: string;
      installationId: string;
      organizationId: string;
      sentryAppId: string;
      scopes: ReadonlySet<string>;
    };

export interface AuthenticatedRequest {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().principal!;
});
