import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A fixed-window counter per rate-limit key (login attempts per address and e-mail), shared by every
 * instance: one atomic UPSERT per attempt (PostgresThrottlerStorage). Expired rows are reset by the next
 * hit and deleted by the daily identity clean-up.
 */
@Entity('rate_limits')
export class RateLimit {
  /** The throttler's key (a hash naming the route, the limit and the client). */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_rate_limits' })
  key: string;

  @Column({ type: 'integer' })
  hits: number;

  /** When the window ends (the counter starts again after it). */
  @Index('IDX_rate_limits_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
