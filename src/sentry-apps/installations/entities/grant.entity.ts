import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Installation } from './installation.entity.js';

/**
 * The single-use authorization code of an installation. The code itself is never stored:
 * only its SHA-256, and it is an HMAC of the grant's id under SECRET_KEY, so an owner can be
 * shown it again while it is unexchanged. `family_id` names the token family it started.
 */
@Entity({ name: 'api_grants' })
export class Grant {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'api_grants_pkey' })
  id: string;

  @Column({ name: 'installation_id', type: 'bigint', unique: true })
  installationId: string;

  @ManyToOne(() => Installation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'installation_id' })
  installation?: Relation<Installation>;

  @Column({ name: 'code_hash', type: 'char', length: 64, unique: true })
  codeHash: string;

  @Index('api_grants_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'exchanged_at', type: 'timestamptz', nullable: true })
  exchangedAt: Date | null;

  @Column({ name: 'family_id', type: 'uuid', nullable: true })
  familyId: string | null;

  @Column({ name: 'date_created', type: 'timestamptz', default: () => 'now()' })
  dateCreated: Date;
}
