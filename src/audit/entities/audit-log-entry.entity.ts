import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Organization } from '../../organizations/entities/organization.entity.js';

export const AUDIT_EVENTS = [
  'member.add',
  'sentry-app.add',
  'sentry-app.edit',
  'sentry-app.rotate-secret',
  'sentry-app.install',
  'sentry-app.uninstall',
  'token.family-revoke',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export type AuditActorType = 'user' | 'sentry_app';

/** What the event changed, in a few plain values (a role, a reason, an app's slug). */
export type AuditData = Record<string, string | number | string[]>;

/**
 * One change to who may do what in an organization, written in the transaction that made it.
 * The actor is copied (type, id, name as they were), so the row reads the same later on.
 */
@Entity({ name: 'audit_log_entries' })
@Index('audit_log_entries_organization_id_idx', ['organizationId', 'id'])
@Check('audit_log_entries_actor_type_check', `"actor_type" IN ('user', 'sentry_app')`)
export class AuditLogEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'organization_id', type: 'bigint' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;

  @Column({ type: 'varchar', length: 64 })
  event: AuditEvent;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: AuditActorType;

  /** A user's id, or a sentry app's uuid. */
  @Column({ name: 'actor_id', type: 'varchar', length: 64 })
  actorId: string;

  @Column({ name: 'actor_name', type: 'varchar', length: 254 })
  actorName: string;

  @Column({ name: 'ip_address', type: 'inet', nullable: true })
  ipAddress: string | null;

  /** The public id of what changed: a membership's id, an app's or an installation's uuid. */
  @Column({ name: 'target_object', type: 'varchar', length: 64 })
  targetObject: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data: AuditData;

  @Column({ name: 'date_created', type: 'timestamptz' })
  dateCreated: Date;
}
