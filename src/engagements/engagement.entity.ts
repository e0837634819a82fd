import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ENGAGEMENT_REQUEST_STATUSES, type EngagementRequestStatus } from './domain/engagement-rules';

/**
 * An auditor's engagement: which frameworks and which audit period (Asia/Bangkok days) they may read,
 * until when. Opened by a compliance manager; revoking sets `revoked_at` (rows are never deleted).
 */
@Entity('engagements')
@Index('IDX_engagements_auditor', ['auditorUserId'])
@Check('CHK_engagements_period', '"period_to" >= "period_from"')
export class Engagement {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_engagements' })
  id: string;

  /** The auditor (identity module's user id). */
  @Column({ name: 'auditor_user_id', type: 'uuid' })
  auditorUserId: string;

  /** Framework keys in scope. */
  @Column({ type: 'text', array: true })
  frameworks: string[];

  @Column({ name: 'period_from', type: 'date' })
  periodFrom: string;

  @Column({ name: 'period_to', type: 'date' })
  periodTo: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Who opened it (user id); null when the system did (demo data). */
  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}

/** A request or comment an auditor leaves on a requirement within an engagement; a compliance manager answers it. */
@Entity('engagement_requests')
@Index('IDX_engagement_requests_engagement', ['engagementId'])
export class EngagementRequest {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_engagement_requests' })
  id: string;

  @Column({ name: 'engagement_id', type: 'uuid' })
  engagementId: string;

  @ManyToOne(() => Engagement, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'engagement_id', foreignKeyConstraintName: 'FK_engagement_requests_engagement' })
  engagement?: Engagement;

  /** Framework key and requirement ref (the catalog's, by value). */
  @Column('text')
  framework: string;

  @Column({ name: 'requirement_ref', type: 'text' })
  requirementRef: string;

  @Column('text')
  body: string;

  /** The auditor who raised it (user id). */
  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'text', nullable: true })
  answer: string | null;

  @Column({ name: 'answered_by', type: 'uuid', nullable: true })
  answeredBy: string | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'enum', enum: ENGAGEMENT_REQUEST_STATUSES, enumName: 'engagement_request_status', default: 'open' })
  status: EngagementRequestStatus;
}
