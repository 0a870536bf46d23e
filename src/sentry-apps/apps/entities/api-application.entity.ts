import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../../users/entities/user.entity.js';

/**
 * An OAuth client. A sentry app has one, owned by its proxy user. The secret is stored
 * encrypted (AES-256-GCM with SECRET_KEY), not hashed, because webhooks are signed with it.
 */
@Entity({ name: 'api_applications' })
@Check('api_applications_client_id_check', `"client_id" ~ '^[0-9a-f]{64}$'`)
export class ApiApplication {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** varchar, not char: char(64) ignores trailing blanks, so a padded id would match. */
  @Column({ name: 'client_id', type: 'varchar', length: 64, unique: true })
  clientId: string;

  @Column({ name: 'client_secret_encrypted', type: 'text' })
  clientSecretEncrypted: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  name: string;

  @Column({ name: 'owner_id', type: 'bigint' })
  ownerId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: Relation<User>;

  @Column({ name: 'date_created', type: 'timestamptz', default: () => 'now()' })
  dateCreated: Date;
}
