import { Column, Entity, JoinColumn, ManyToOne, OneToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Organization } from '../../../organizations/entities/organization.entity.js';
import { User } from '../../../users/entities/user.entity.js';
import { ApiApplication } from './api-application.entity.js';

export type SentryAppStatus = 'unpublished' | 'published';

@Entity({ name: 'sentry_apps' })
export class SentryApp {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid', unique: true })
  uuid: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  slug: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'owner_organization_id', type: 'bigint' })
  ownerOrganizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_organization_id' })
  ownerOrganization?: Relation<Organization>;

  @Column({ name: 'proxy_user_id', type: 'bigint' })
  proxyUserId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'proxy_user_id' })
  proxyUser?: Relation<User>;

  @Column({ name: 'application_id', type: 'bigint' })
  applicationId: string;

  @OneToOne(() => ApiApplication, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id' })
  application?: Relation<ApiApplication>;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  events: string[];

  @Column({ name: 'webhook_url', type: 'varchar', length: 2048, nullable: true })
  webhookUrl: string | null;

  @Column({ name: 'redirect_url', type: 'varchar', length: 2048, nullable: true })
  redirectUrl: string | null;

  @Column({ name: 'verify_install', type: 'boolean', default: true })
  verifyInstall: boolean;

  @Column({ type: 'varchar', length: 200, nullable: true })
  author: string | null;

  @Column({ type: 'text', nullable: true })
  overview: string | null;

  /** Sentry's UI-component schema, stored as given. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  schema: object;

  @Column({ name: 'is_alertable', type: 'boolean', default: false })
  isAlertable: boolean;

  @Column({ name: 'allowed_origins', type: 'text', array: true, default: () => "'{}'" })
  allowedOrigins: string[];

  @Column({ type: 'varchar', length: 16, default: 'unpublished' })
  status: SentryAppStatus;

  @Column({ name: 'date_created', type: 'timestamptz', default: () => 'now()' })
  dateCreated: Date;
}
