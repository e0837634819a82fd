import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const SWEEP_STATUSES = ['open', 'closed'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/** The evidence sweep of one ISO week. Unique per week: opening twice is a no-op. */
@Entity('sweeps')
export class Sweep {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_sweeps' })
  id: string;

  /** ISO week, e.g. 2026-W48. */
  @Index('UQ_sweeps_week', { unique: true })
  @Column('text')
  week: string;

  @Column({ type: 'enum', enum: SWEEP_STATUSES, enumName: 'sweep_status', default: 'open' })
  status: SweepStatus;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  /** Pseudonymous actor reference (`system:job:weekly-sweep`, `user:<id>`). */
  @Column({ name: 'opened_by', type: 'text' })
  openedBy: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** The snapshot evidence holding the closed week's summary (evidence module id). */
  @Column({ name: 'summary_evidence_id', type: 'uuid', nullable: true })
  summaryEvidenceId: string | null;
}
