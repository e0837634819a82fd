import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DsrActionSummary } from './domain/action-summary';

/**
 * One step of a request against one data system: export, erase, rectify, restrict, or a manual task. A
 * step that failed keeps its error and is retried when the request is executed again; done steps are kept.
 */
@Entity('dsr_actions')
@Index('UQ_dsr_actions_request_system_kind', ['requestId', 'systemKey', 'kind'], { unique: true })
export class DsrAction {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dsr_actions' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column({ name: 'system_key', type: 'text' })
  systemKey: string;

  /** export | erase | rectify | restrict | manual */
  @Column('text')
  kind: string;

  /** pending | done | failed | awaiting_manual | skipped */
  @Column('text')
  status: string;

  /** What was done, without personal data: tables, rules, row counts, bases. */
  @Column({ type: 'jsonb', nullable: true })
  summary: DsrActionSummary | null;

  /** An export's rows, encrypted, kept until the package is built (then cleared). */
  @Column({ name: 'result_enc', type: 'text', nullable: true })
  resultEnc: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Manual tasks: who must act, and the checklist from the data map. */
  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId: string | null;

  @Column({ name: 'owner_department', type: 'text', nullable: true })
  ownerDepartment: string | null;

  @Column({ type: 'jsonb', nullable: true })
  checklist: { item: string; done: boolean }[] | null;

  @Column({ name: 'outcome_note', type: 'text', nullable: true })
  outcomeNote: string | null;

  @Column({ name: 'completed_by_user_id', type: 'uuid', nullable: true })
  completedByUserId: string | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
