import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Installation } from '../../installations/entities/installation.entity.js';

/**
 * An access/refresh pair issued to an installation. Only SHA-256 digests are stored.
 * Pairs form a family: the chain that starts at one code exchange (or one manual refresh);
 * `parent_id` is the pair whose refresh minted this one. Rotated pairs are kept, revoked,
 * until their whole family has expired, so that a replay can still be detected.
 */
@Entity({ name: 'api_tokens' })
@Index('api_tokens_sealed_answer_date_created_idx', ['dateCreated'], { where: 'sealed_answer IS NOT NULL' })
export class ApiToken {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Index('api_tokens_installation_id_idx')
  @Column({ name: 'installation_id', type: 'bigint' })
  installationId: string;

  @ManyToOne(() => Installation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'installation_id' })
  installation?: Relation<Installation>;

  @Index('api_tokens_family_id_idx')
  @Column({ name: 'family_id', type: 'uuid' })
  familyId: string;

  @Index('api_tokens_parent_id_idx')
  @Column({ name: 'parent_id', type: 'bigint', nullable: true })
  parentId: string | null;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash: string;

  @Column({ name: 'refresh_token_hash', type: 'char', length: 64, unique: true })
  refreshTokenHash: string;

  @Column({ name: 'token_last_characters', type: 'varchar', length: 4 })
  tokenLastCharacters: string;

  @Column({ type: 'text', array: true })
  scopes: string[];

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'date_created', type: 'timestamptz' })
  dateCreated: Date;

  /** Set when this pair's refresh token was exchanged for the next pair. */
  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /**
   * This pair's plaintexts, sealed under the refresh token that minted it (its parent's), so
   * a retry of that refresh inside REFRESH_GRACE_SECONDS gets this same pair; erased once the
   * window has closed. Only that refresh token opens it (common/crypto.ts sealUnder).
   */
  @Column({ name: 'sealed_answer', type: 'bytea', nullable: true, select: false })
  sealedAnswer: Buffer | null;
}
