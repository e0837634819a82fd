import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RiskView } from './dto/risk.dto';

/** A review's frozen register (older reviews may lack either part: readers default them). */
export interface RiskReviewSnapshot {
  register: string;
  risks?: RiskView[];
  summary?: { status: string; level: string; residualLevel: string | null; count: number }[];
}

/** A quarterly review of a register: who reviewed it, when, their notes, and the register frozen as it stood. */
@Entity('risk_reviews')
@Index('IDX_risk_reviews_register_reviewed_at', ['register', 'reviewedAt'])
export class RiskReview {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_risk_reviews' })
  id: string;

  @Column('text')
  register: string;

  /** The reviewer (a user id; identity rows are referred to by id, not by relation). */
  @Column({ name: 'reviewer_user_id', type: 'uuid' })
  reviewerUserId: string;

  @Column({ name: 'reviewed_at', type: 'timestamptz', default: () => 'now()' })
  reviewedAt: Date;

  @Column('text')
  notes: string;

  /** The register at review time: every risk with its controls, and the summary (levels, heat map counts). */
  @Column({ type: 'jsonb' })
  snapshot: RiskReviewSnapshot;
}
