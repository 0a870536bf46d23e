import type { EntityManager } from 'typeorm';
import { InvalidRequestError } from '../../common/oauth-errors.js';
import type { AuthenticatedClient } from '../../auth/strategies/client-id-secret.strategy.js';
import type { IssuedPair } from '../token.service.js';

/** The installation a token request is for, with its app's current scopes. */
export interface TokenInstallation {
  id: string;
  uuid: string;
  sentryAppId: string;
  applicationId: string;
  organizationId: string;
  scopes: string[];
}

export interface GrantRequest {
  client: AuthenticatedClient;
  installation: TokenInstallation;
  body: Record<string, unknown>;
}

/** One handler per grant type (node-oidc-provider's shape). */
export interface GrantHandler {
  readonly grantType: string;
  handle(request: GrantRequest): Promise<IssuedPair>;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new InvalidRequestError(`Missing or invalid ${field}`);
  return value;
}

/**
 * A sub-select of the installation (id in the given parameter) while it is live, holding it
 * against a concurrent uninstall for the rest of the transaction (the uninstall's UPDATE
 * waits for this share lock), so no token outlives its installation. Statements that
 * consume a code or a refresh token join it, so taking the lock costs no round trip.
 */
export function liveInstallationLock(parameter: string): string {
  return `(SELECT id FROM sentry_app_installations WHERE id = ${parameter} AND date_deleted IS NULL FOR SHARE)`;
}

export async function lockLiveInstallation(em: EntityManager, installationId: string): Promise<boolean> {
  const rows = await em.query(`SELECT id FROM ${liveInstallationLock('$1')} live`, [installationId]);
  return rows.length === 1;
}
