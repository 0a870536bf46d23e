/** The scopes an app may request; anything else is rejected. */
export const ALL_SCOPES = [
  'org:read', 'org:write', 'org:admin', 'org:integrations',
  'member:read', 'member:write', 'member:admin',
  'team:read', 'team:write', 'team:admin',
  'project:read', 'project:write', 'project:admin', 'project:releases',
  'event:read', 'event:write', 'event:admin',
] as const;
export type Scope = (typeof ALL_SCOPES)[number];
