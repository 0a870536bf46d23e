import type { EntityManager } from 'typeorm';
import { InvalidRequestError } from '../../../common/oauth-errors.js';
import type { AuthenticatedClient } from '../strategies/client-id-secret.strategy.js';
import type { IssuedPair } from '../token.service.js';

/** The installation a token request is for, with its app's current scopes. */
export interface TokenInstallation {
  id: string;
  uuid: string;
  sentryAppId: string;
  scopes: string[];
}

export interface GrantRequest {
  client: AuthenticatedClient;
  installation: TokenInstallation;
  body: Record<string, unknown>;
}

/** A token request before the ordered checks: only the client is known to be genuine. */
export interface DirectRequest {
  client: AuthenticatedClient;
  installationUuid: string;
  body: Record<string, unknown>;
}

/** One handler per grant type (node-oidc-provider's shape). */
export interface GrantHandler {
  readonly grantType: string;
  /**
   * The common case in one statement, tried before the installation is looked up: a pair
   * when everything is valid, undefined otherwise (never an error, so that failures keep
   * Sentry's order of checks, which run before `handle`). A success leaves this instance's
   * caches current: what it changed, it has evicted here (TokenService.issueConsuming).
   */
  direct?(request: DirectRequest): Promise<IssuedPair | undefined>;
  /** After the ordered checks; where `direct` exists it has already failed, and is not repeated. */
  handle(request: GrantRequest): Promise<IssuedPair>;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new InvalidRequestError(`Missing or invalid ${field}`);
  return value;
}

/**
 * A sub-select of an installation (`id`, and its app's `scopes`) while it is live, holding
 * it against a concurrent uninstall for the rest of the transaction (the uninstall's UPDATE
 * waits for this share lock), so no token outlives its installation. Statements that
 * consume a code or a refresh token join it, so taking the lock costs no round trip.
 */
export function liveInstallation(condition: string, lock: InstallationLock = 'SHARE'): string {
  return `(SELECT i.id, sa.scopes FROM sentry_app_installations i JOIN sentry_apps sa ON sa.id = i.sentry_app_id
            WHERE ${condition} AND i.date_deleted IS NULL FOR ${lock} OF i)`;
}

/**
 * SHARE holds the installation against an uninstall; NO KEY UPDATE also makes every other
 * holder wait, for a change to all of the installation's tokens at once (manual refresh).
 */
export type InstallationLock = 'SHARE' | 'NO KEY UPDATE';

/** The installation of this uuid that belongs to this app (parameter names as given). */
export const installationOfApp = (uuid: string, sentryAppId: string) => liveInstallation(`i.uuid = ${uuid} AND i.sentry_app_id = ${sentryAppId}`);

export async function lockLiveInstallation(em: EntityManager, installationId: string, lock: InstallationLock = 'SHARE'): Promise<boolean> {
  const rows = await em.query(`SELECT id FROM ${liveInstallation('i.id = $1', lock)} live`, [installationId]);
  return rows.length === 1;
}
