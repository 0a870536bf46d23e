import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

/** What the next page shows once, then forgets: a notice, or a client secret just made. */
/**
 * A notice shown once, on the next page. A secret's notice names its app and the SHA-256 of
 * the secret it announces: the app's page shows the secret only while it is still that one.
 */
export type Flash = { notice: string } | { secretOf: string; secretSha256: string; notice: string };

/**
 * A person signed in to the console. The cookie holds a 256-bit random id; only its SHA-256
 * is stored, so a copy of this table opens no session.
 */
@Entity({ name: 'console_sessions' })
export class ConsoleSession {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'session_hash', type: 'char', length: 64, unique: true })
  sessionHash: string;

  @Index('console_sessions_user_id_idx')
  @Column({ name: 'user_id', type: 'bigint' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ name: 'date_created', type: 'timestamptz' })
  dateCreated: Date;

  /** Moves with use; the session ends SESSION_IDLE_SECONDS after it. */
  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  /** Fixed at sign-in: SESSION_MAX_AGE_SECONDS later, however active the session is. */
  @Index('console_sessions_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'jsonb', nullable: true })
  flash: Flash | null;
}
