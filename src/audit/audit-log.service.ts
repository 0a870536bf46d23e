import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { Clock } from '../common/clock.js';
import { extend } from '../common/objects.js';
import { ValidationFailed } from '../common/validation.js';
import { SentryApp } from '../sentry-apps/apps/entities/sentry-app.entity.js';
import { Installation } from '../sentry-apps/installations/entities/installation.entity.js';
import { displayName } from '../users/display-name.js';
import { User } from '../users/entities/user.entity.js';
import { AuditLogEntry, type AuditActorType, type AuditData, type AuditEvent } from './entities/audit-log-entry.entity.js';

/** Why a token family was revoked: a replayed code, a reused refresh token, a manual refresh, or RFC 7009. */
export type RevocationReason = 'code-replay' | 'refresh-reuse' | 'manual-refresh' | 'revocation';

export interface AuditChange {
  organizationId: string;
  event: Exclude<AuditEvent, 'token.family-revoke'>;
  targetObject: string;
  data?: AuditData;
}

interface Actor {
  type: AuditActorType;
  id: string;
  name: string;
}

export const AUDIT_PAGE_SIZE = 100;
const CURSOR = /^[A-Za-z0-9_-]{1,40}$/;
const CURSOR_BODY = /^id:([1-9]\d{0,18})$/;
const MAX_ID = 2n ** 63n - 1n;

/**
 * The organization's audit log: who changed who may do what, from where, and when. Rows are
 * written only through `em`, inside the transaction of the change they record, so a change
 * that rolls back leaves no row and one that commits cannot lack its row. Nothing deletes them.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(em: EntityManager, principal: Principal, change: AuditChange): Promise<void> {
    await this.insert(em, extend(change, { data: change.data ?? {} }), await this.actorOf(em, principal), principal.address);
  }

  /** token.family-revoke, on behalf of the installation's app: its credentials were presented. */
  async recordRevocation(em: EntityManager, installationId: string, reason: RevocationReason, tokens: number, address?: string): Promise<void> {
    const installation = await em.findOneOrFail(Installation, { where: { id: installationId }, relations: { sentryApp: true } });
    const app = installation.sentryApp!;
    await this.insert(
      em,
      { organizationId: installation.organizationId, event: 'token.family-revoke', targetObject: installation.uuid, data: { reason, sentryApp: app.slug, tokens } },
      { type: 'sentry_app', id: app.uuid, name: app.name },
      address,
    );
  }

  /** Newest first, AUDIT_PAGE_SIZE at a time; `cursor` (opaque, from the previous page, as the query string gave it) pages back. */
  async page(organizationId: string, cursor?: unknown): Promise<{ rows: AuditLogEntry[]; next: string | null }> {
    if (cursor !== undefined && typeof cursor !== 'string') throw new ValidationFailed({ cursor: ['Send one cursor.'] });
    const before = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.dataSource.getRepository(AuditLogEntry).find({
      where: { organizationId, ...(before ? { id: LessThan(before) } : {}) },
      order: { id: 'DESC' },
      take: AUDIT_PAGE_SIZE + 1,
    });
    const page = rows.slice(0, AUDIT_PAGE_SIZE);
    return { rows: page, next: rows.length > AUDIT_PAGE_SIZE ? encodeCursor(page.at(-1)!.id) : null };
  }

  private async actorOf(em: EntityManager, principal: Principal): Promise<Actor> {
    if (principal.kind === 'app') {
      const app = await em.findOneByOrFail(SentryApp, { id: principal.sentryAppId });
      return { type: 'sentry_app', id: app.uuid, name: app.name };
    }
    const user = await em.findOneByOrFail(User, { id: principal.userId });
    return { type: 'user', id: user.id, name: displayName(user) };
  }

  private async insert(em: EntityManager, change: Omit<AuditChange, 'event'> & { event: AuditEvent; data: AuditData }, actor: Actor, address: string | undefined): Promise<void> {
    await em.insert(AuditLogEntry, {
      ...change,
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name.slice(0, 254),
      ipAddress: auditAddress(address),
      dateCreated: this.clock.now(),
    });
  }
}

/** The caller's address without an IPv6 zone; null when there is none, or it is not an IP address. */
function auditAddress(address: string | undefined): string | null {
  const ip = address?.split('%')[0];
  return ip && isIP(ip) ? ip : null;
}

function encodeCursor(id: string): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

/** The id a cursor pages back from; anything this server did not hand out is a 400. */
function decodeCursor(cursor: string): string {
  const id = CURSOR.test(cursor) ? CURSOR_BODY.exec(Buffer.from(cursor, 'base64url').toString('latin1'))?.[1] : undefined;
  if (!id || BigInt(id) > MAX_ID) throw new ValidationFailed({ cursor: ['Invalid cursor.'] });
  return id;
}
