import type { Scope } from '../auth/scopes.js';

interface Resource {
  resource: string;
  /** Sentry's own description of what the resource covers (its SENTRY_APP_PERMISSIONS). */
  help: string;
  scopes: { scope: Scope; level: string }[];
}

/** The scopes an app may request, grouped by resource as Sentry's developer settings show them. */
export const SCOPE_RESOURCES: Resource[] = [
  { resource: 'Project', help: 'Projects, Tags, Debug Files, and Feedback', scopes: [{ scope: 'project:read', level: 'Read' }, { scope: 'project:write', level: 'Write' }, { scope: 'project:admin', level: 'Admin' }] },
  { resource: 'Team', help: 'Teams of members', scopes: [{ scope: 'team:read', level: 'Read' }, { scope: 'team:write', level: 'Write' }, { scope: 'team:admin', level: 'Admin' }] },
  { resource: 'Release', help: 'Releases, Commits, and related Files', scopes: [{ scope: 'project:releases', level: 'Admin' }] },
  { resource: 'Issue & Event', help: 'Issues, Events, and workflow statuses', scopes: [{ scope: 'event:read', level: 'Read' }, { scope: 'event:write', level: 'Write' }, { scope: 'event:admin', level: 'Admin' }] },
  { resource: 'Organization', help: 'Manage Organizations, resolve IDs, retrieve Repositories and Commits', scopes: [{ scope: 'org:read', level: 'Read' }, { scope: 'org:write', level: 'Write' }, { scope: 'org:admin', level: 'Admin' }] },
  { resource: 'Integrations', help: "The organization's integrations, never their grant codes", scopes: [{ scope: 'org:integrations', level: 'Admin' }] },
  { resource: 'Member', help: 'Manage Members within Teams', scopes: [{ scope: 'member:read', level: 'Read' }, { scope: 'member:write', level: 'Write' }, { scope: 'member:admin', level: 'Admin' }] },
];

const VERBS: Record<string, string> = { Read: 'read', Write: 'read and write', Admin: 'read, write and administer' };

/** An app's scopes in plain words, one line per resource at the highest level it asks for. */
export function describeScopes(scopes: readonly string[]): { resource: string; access: string; help: string }[] {
  return SCOPE_RESOURCES.flatMap(({ resource, help, scopes: levels }) => {
    const granted = levels.filter(({ scope }) => scopes.includes(scope));
    if (!granted.length) return [];
    const highest = granted[granted.length - 1]!.level;
    return [{ resource, access: `${VERBS[highest]!.replace(/^./, (c) => c.toUpperCase())} access`, help }];
  });
}
