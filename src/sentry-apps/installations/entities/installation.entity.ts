import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Organization } from '../../../organizations/entities/organization.entity.js';
import { SentryApp } from '../../apps/entities/sentry-app.entity.js';

export type InstallationStatus = 'pending' | 'installed';

/** Uninstalling sets date_deleted; the row stays so that its tokens' history does. */
@Entity({ name: 'sentry_app_installations' })
@Index('sentry_app_installations_active_key', ['sentryAppId', 'organizationId'], { unique: true, where: '"date_deleted" IS NULL' })
export class Installation {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid', unique: true })
  uuid: string;

  @Column({ name: 'sentry_app_id', type: 'bigint' })
  sentryAppId: string;

  @ManyToOne(() => SentryApp, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sentry_app_id' })
  sentryApp?: Relation<SentryApp>;

  @Index('sentry_app_installations_organization_id_idx')
  @Column({ name: 'organization_id', type: 'bigint' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;

  @Column({ type: 'varchar', length: 16 })
  status: InstallationStatus;

  @Column({ name: 'date_created', type: 'timestamptz', default: () => 'now()' })
  dateCreated: Date;

  @Column({ name: 'date_deleted', type: 'timestamptz', nullable: true })
  dateDeleted: Date | null;
}
