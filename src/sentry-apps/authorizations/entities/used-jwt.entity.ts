import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { ApiApplication } from '../../apps/entities/api-application.entity.js';

/** The `jti` of every accepted manual-refresh JWT, kept until the JWT itself expires: each is accepted once. */
@Entity({ name: 'used_jwt_ids' })
export class UsedJwt {
  @PrimaryColumn({ name: 'application_id', type: 'bigint' })
  applicationId: string;

  @ManyToOne(() => ApiApplication, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id' })
  application?: Relation<ApiApplication>;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  jti: string;

  @Index('used_jwt_ids_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
