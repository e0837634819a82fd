import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Sweep } from './sweep.entity';

export const TASK_STATUSES = ['open', 'completed', 'attested', 'exception'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * One control due in a sweep, for its owner: the person assigned to the control, else every member of
 * its department. Completed by attaching evidence, attesting, or raising an exception with a reason.
 */
@Entity('sweep_tasks')
@Index('UQ_sweep_tasks_sweep_control', ['sweepId', 'controlId'], { unique: true })
export class SweepTask {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_sweep_tasks' })
  id: string;

  @Column({ name: 'sweep_id', type: 'uuid' })
  sweepId: string;

  @ManyToOne(() => Sweep, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sweep_id', foreignKeyConstraintName: 'FK_sweep_tasks_sweep' })
  sweep?: Sweep;

  /** Catalog control (by id; the key is kept for display). */
  @Column({ name: 'control_id', type: 'uuid' })
  controlId: string;

  @Column({ name: 'control_key', type: 'text' })
  controlKey: string;

  @Column({ name: 'control_title', type: 'text' })
  controlTitle: string;

  @Index('IDX_sweep_tasks_owner_user')
  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId: string | null;

  @Index('IDX_sweep_tasks_owner_department')
  @Column({ name: 'owner_department', type: 'text' })
  ownerDepartment: string;

  @Column({ type: 'enum', enum: TASK_STATUSES, enumName: 'sweep_task_status', default: 'open' })
  status: TaskStatus;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'completed_by', type: 'uuid', nullable: true })
  completedBy: string | null;

  /** The exception's reason, or a note with the evidence. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ name: 'evidence_ids', type: 'uuid', array: true, default: () => `'{}'` })
  evidenceIds: string[];
}
