import { describe, expect, it } from '@jest/globals';
import { ROLES } from '../organizations/entities/organization-member.entity.js';
import { decide, mayGrant, PERMISSIONS, type Action } from './permissions.js';
import type { AppPrincipal, Principal } from './principal.js';

const person = (isSuperuser = false): Principal => ({ kind: 'user', userId: '1', isSuperuser });
const app = (scopes: string[], organizationId = '10', installationId = '100'): AppPrincipal => ({
  kind: 'app', userId: '2', tokenId: '3', installationId, organizationId, sentryAppId: '4', scopes: new Set(scopes),
  organization: { id: organizationId, slug: 'o', name: 'O', dateCreated: new Date(0) },
});
const inOrganization = { organizationId: '10', role: null };
const status = (principal: Principal | undefined, action: Action, target: Parameters<typeof decide>[2] = inOrganization) => {
  const decision = decide(principal, action, target);
  return decision.allowed ? 'allowed' : decision.status;
};

describe('the permission model', () => {
  it('lets nobody grant a role above their own, and superusers grant any', () => {
    const granted = ROLES.map((own) => ROLES.filter((role) => mayGrant(person(), own, role)));
    expect(Object.fromEntries(ROLES.map((own, index) => [own, granted[index]]))).toEqual({
      owner: ['owner', 'manager', 'member'],
      manager: ['manager', 'member'],
      member: ['member'],
    });
    expect(ROLES.every((role) => mayGrant(person(true), null, role))).toBe(true);
    expect(mayGrant(person(), null, 'member')).toBe(false);
    expect(mayGrant(app(['member:admin']), 'owner', 'member')).toBe(false);
  });

  it('answers in order: no token, kind of caller, existence, standing, role or scope', () => {
    expect(status(undefined, 'member.add', null)).toBe(401);
    expect(status(app(['member:admin', 'org:admin']), 'member.add', null)).toBe(403);
    expect(status(person(), 'member.add', null)).toBe(404);
    expect(status(person(), 'member.add')).toBe(403);
    expect(status(person(), 'member.add', { ...inOrganization, role: 'member' })).toBe(403);
    expect(status(person(), 'member.add', { ...inOrganization, role: 'manager', grantedRole: 'owner' })).toBe(403);
    expect(status(person(), 'member.add', { ...inOrganization, role: 'manager', grantedRole: 'manager' })).toBe('allowed');
  });

  it("keeps an app token to its own installation's organization, and to its own installation where the rule says so", () => {
    expect(status(app(['org:read']), 'organization.read')).toBe('allowed');
    expect(status(app(['org:read'], '11'), 'organization.read')).toBe(403);
    expect(status(app(['org:integrations']), 'organization.read')).toBe(403);
    expect(status(app([]), 'installation.update', { ...inOrganization, installationId: '100' })).toBe('allowed');
    expect(status(app([], '10', '101'), 'installation.update', { ...inOrganization, installationId: '100' })).toBe(403);
  });

  it('hides an installation from people with no standing in its organization', () => {
    expect(status(person(), 'installation.delete', { ...inOrganization, installationId: '100' })).toBe(404);
    expect(status(person(), 'installation.delete', { ...inOrganization, role: 'member', installationId: '100' })).toBe(403);
  });

  it('never lets an app token manage people, codes or apps, whatever its scopes', () => {
    const everything = app(['org:admin', 'org:integrations', 'member:admin', 'org:write', 'org:read']);
    const peopleOnly = (Object.keys(PERMISSIONS) as Action[]).filter((action) => status(everything, action) === 403);
    expect(peopleOnly).toEqual(expect.arrayContaining([
      'member.add', 'audit-log.read', 'installation.see-code', 'installation.create', 'installation.delete',
      'sentry-app.create', 'sentry-app.read', 'sentry-app.rotate-secret', 'sentry-app.requests', 'sentry-app.publish',
    ]));
  });
});
