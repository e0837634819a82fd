import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum JobRunStatus {
  Running = 'running',
  Succeeded = 'succeeded',
  Failed = 'failed',
}

/**
 * One execution of a scheduled or background job. `key` is unique per unit of work
 * (e.g. `weekly-sweep:2026-W48`), which makes a job run at most once across app instances;
 * progress and heartbeat let a crashed run be detected and resumed.
 */
@Entity('job_runs')
@Index('UQ_job_runs_key', ['key'], { unique: true })
@Check('CHK_job_runs_progress', '"progress" BETWEEN 0 AND 100')
export class JobRun {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_job_runs' })
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  key: string;

  @Column({ type: 'enum', enum: JobRunStatus, enumName: 'job_run_status', default: JobRunStatus.Running })
  status: JobRunStatus;

  @Column({ type: 'smallint', default: 0 })
  progress: number;

  @Column({ type: 'text', nullable: true })
  stage: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', default: () => 'now()' })
  heartbeatAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
