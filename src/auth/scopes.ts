import type { Role } from '../organizations/entities/organization-member.entity.js';

/** The scopes an app may request; anything else is rejected. */
export const ALL_SCOPES = [
  'org:read', 'org:write', 'org:admin', 'org:integrations',
  'member:read', 'member:write', 'member:admin',
  'team:read', 'team:write', 'team:admin',
  'project:read', 'project:write', 'project:admin', 'project:releases',
  'event:read', 'event:write', 'event:admin',
] as const;
export type Scope = (typeof ALL_SCOPES)[number];

const MEMBER_SCOPES: Scope[] = ['org:read', 'member:read', 'team:read', 'project:read', 'project:releases', 'event:read', 'event:write'];
const MANAGER_SCOPES: Scope[] = [
  ...MEMBER_SCOPES, 'org:write', 'org:integrations', 'member:write', 'member:admin',
  'team:write', 'team:admin', 'project:write', 'project:admin', 'event:admin',
];

/** What each organization role holds (Sentry's roles, trimmed to the three this service has). */
export const ROLE_SCOPES: Record<Role, ReadonlySet<Scope>> = {
  member: new Set(MEMBER_SCOPES),
  manager: new Set(MANAGER_SCOPES),
  owner: new Set<Scope>([...MANAGER_SCOPES, 'org:admin']),
};

export const SUPERUSER_SCOPES: ReadonlySet<Scope> = new Set(ALL_SCOPES);

/** Any one of these scopes lets a request with this method through an organization route. */
export const METHOD_SCOPES: Record<string, readonly Scope[]> = {
  GET: ['org:read', 'org:write', 'org:admin'],
  HEAD: ['org:read', 'org:write', 'org:admin'],
  PUT: ['org:write', 'org:admin'],
  POST: ['org:write', 'org:admin'],
  DELETE: ['org:admin'],
};

export function holdsAny(held: ReadonlySet<string>, wanted: readonly string[]): boolean {
  return wanted.some((scope) => held.has(scope));
}
