import type { Role } from '../organizations/entities/organization-member.entity.js';
import type { Principal } from './principal.js';
import type { Scope } from './scopes.js';

/**
 * Who may do what: the one permission model. Every route names one action here (the
 * `@Permission` decorator, `@SessionPermission` on a console page), the global guard enforces
 * it, and anything else that serves people (pages, forms) asks the same question through `decide`.
 */

/** What an action is done to. Its organization: the slug's, the app's owner, or the installation's. */
export type TargetKind = 'organization' | 'sentry-app' | 'installation';

export interface Rule {
  /** Needs no Bearer token or session: the route authenticates its caller another way (client credentials, METRICS_TOKEN, a password), or not at all. */
  public?: true;
  target?: TargetKind;
  /**
   * The people who may: any person, superusers only, or members of the target's organization
   * with at least this role. Superusers always may. Absent: no person may.
   */
  people?: 'any' | 'superuser' | Role;
  /**
   * The app tokens that may: any, those that hold one of these scopes (in their own
   * installation's organization), or only the token of the target installation itself.
   * Absent: people only.
   */
  apps?: 'any' | readonly Scope[] | 'own-installation';
  /** To a caller without standing in the target's organization the target does not exist (404, not 403). */
  hiddenWithoutStanding?: true;
}

const ORG_READ: readonly Scope[] = ['org:read', 'org:write', 'org:admin'];
const ORG_WRITE: readonly Scope[] = ['org:write', 'org:admin'];

export const PERMISSIONS = {
  'health.check': { public: true },
  'metrics.scrape': { public: true },
  'token.exchange': { public: true },
  'token.revoke': { public: true },
  'session.sign-in': { public: true },
  'user.create': { people: 'superuser' },
  'user.read-self': { people: 'any', apps: 'any' },
  'account.manage': { people: 'any' },
  'api-application.create': { people: 'any' },
  'organization.create': { people: 'any' },
  'organization.read': { target: 'organization', people: 'member', apps: ORG_READ },
  'organization.update': { target: 'organization', people: 'manager', apps: ORG_WRITE },
  'member.add': { target: 'organization', people: 'manager' },
  'audit-log.read': { target: 'organization', people: 'manager' },
  'sentry-app.create': { target: 'organization', people: 'manager' },
  'sentry-app.read': { target: 'sentry-app', people: 'member' },
  'sentry-app.list-all': { people: 'superuser' },
  'sentry-app.publish': { target: 'sentry-app', people: 'superuser' },
  'sentry-app.rotate-secret': { target: 'sentry-app', people: 'manager' },
  'sentry-app.requests': { target: 'sentry-app', people: 'member' },
  'installation.consent': { people: 'any' },
  'installation.create': { target: 'organization', people: 'manager' },
  'installation.list': { target: 'organization', people: 'member', apps: ORG_READ },
  'installation.see-code': { target: 'organization', people: 'manager' },
  'installation.update': { target: 'installation', apps: 'own-installation' },
  'installation.delete': { target: 'installation', people: 'manager', hiddenWithoutStanding: true },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof PERMISSIONS;

export function ruleOf(action: Action): Rule {
  return PERMISSIONS[action];
}

/** The target as found, seen from one principal. */
export interface Target {
  organizationId: string;
  /** The principal's role in that organization, when it is a person who is a member. */
  role: Role | null;
  installationId?: string;
  /** The role a member add would grant. */
  grantedRole?: Role;
}

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403 | 404; detail: string };

const ALLOW: Decision = { allowed: true };
const deny = (status: 401 | 403 | 404, detail: string): Decision => ({ allowed: false, status, detail });

const NOT_FOUND: Record<TargetKind, string> = {
  organization: 'Organization not found',
  'sentry-app': 'Sentry app not found',
  installation: 'Installation not found',
};

export const ROLE_RANK: Record<Role, number> = { member: 1, manager: 2, owner: 3 };

/** Nobody grants a role above their own (owner > manager > member); superusers may grant any. */
export function mayGrant(principal: Principal, ownRole: Role | null, granted: Role): boolean {
  if (principal.kind !== 'user') return false;
  return principal.isSuperuser || (ownRole !== null && ROLE_RANK[granted] <= ROLE_RANK[ownRole]);
}

/** The part of the answer that needs no target: a token at all, a person or an app, a superuser. */
export function admits(principal: Principal | undefined, action: Action): Decision {
  const rule = ruleOf(action);
  if (rule.public) return ALLOW;
  if (!principal) return deny(401, 'Authentication credentials were not provided.');
  // People only: members, codes, app management, request logs and the audit log are never an integration's.
  if (principal.kind === 'app') return rule.apps ? ALLOW : deny(403, 'Only a person can do this, not an integration.');
  if (!rule.people) return deny(403, 'Only the integration itself can do this.');
  if (rule.people === 'superuser' && !principal.isSuperuser) return deny(403, 'Only a superuser can do this.');
  return ALLOW;
}

/**
 * The whole answer for an action on a target; `target` is null when the route names one that
 * does not exist. Order: authentication (401), principal kind (403), existence (404), standing
 * in the organization (403, or 404 where the rule hides the target), role or scope (403).
 */
export function decide(principal: Principal | undefined, action: Action, target: Target | null): Decision {
  const rule = ruleOf(action);
  const admitted = admits(principal, action);
  if (!admitted.allowed || !rule.target) return admitted;
  if (!target) return deny(404, NOT_FOUND[rule.target]);
  if (!hasStanding(principal!, rule, target)) {
    return rule.hiddenWithoutStanding ? deny(404, NOT_FOUND[rule.target]) : deny(403, 'You do not have access to this organization.');
  }
  if (!holdsEnough(principal!, rule, target)) return deny(403, 'You do not have permission to perform this action.');
  if (target.grantedRole && !mayGrant(principal!, target.role, target.grantedRole)) return deny(403, 'You cannot grant a role above your own.');
  return ALLOW;
}

/**
 * A person stands in an organization as a superuser or a member. An app token stands only in
 * its own installation's organization, and where the rule says so only on that installation.
 */
function hasStanding(principal: Principal, rule: Rule, target: Target): boolean {
  if (principal.kind === 'user') return principal.isSuperuser || target.role !== null;
  if (rule.apps === 'own-installation') return principal.installationId === target.installationId;
  return principal.organizationId === target.organizationId;
}

function holdsEnough(principal: Principal, rule: Rule, target: Target): boolean {
  if (principal.kind === 'app') return !Array.isArray(rule.apps) || rule.apps.some((scope) => principal.scopes.has(scope));
  if (principal.isSuperuser || rule.people === 'any') return true;
  return target.role !== null && ROLE_RANK[target.role] >= ROLE_RANK[rule.people as Role];
}

/** A rule in words, for the README's "Who may do what" (which a test keeps equal to this model). */
export function describeRule(rule: Rule): { people: string; apps: string } {
  if (rule.public) return { people: 'anyone, no token needed', apps: 'anyone, no token needed' };
  const people = !rule.people ? 'none'
    : rule.people === 'any' ? 'any person'
    : rule.people === 'superuser' ? 'superusers'
    : `${{ member: 'members (any role)', manager: 'owners, managers', owner: 'owners' }[rule.people]}, superusers`;
  const apps = !rule.apps ? 'never'
    : rule.apps === 'any' ? 'any'
    : rule.apps === 'own-installation' ? 'only the token of that installation'
    : `with ${rule.apps.length > 1 ? `${rule.apps.slice(0, -1).join(', ')} or ${rule.apps.at(-1)}` : rule.apps[0]}, in their own installation's organization`;
  return { people, apps };
}
