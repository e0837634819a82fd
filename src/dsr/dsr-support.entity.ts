import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DrillReport } from './domain/drill-report';

/** A legal hold on a request: while one is active, erasure does not run (and the block is logged). */
@Entity('dsr_legal_holds')
@Index('IDX_dsr_legal_holds_request', ['requestId'])
export class DsrLegalHold {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dsr_legal_holds' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column('text')
  reason: string;

  @Column({ name: 'placed_by_user_id', type: 'uuid' })
  placedByUserId: string;

  @Column({ name: 'placed_at', type: 'timestamptz', default: () => 'now()' })
  placedAt: Date;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ name: 'released_by_user_id', type: 'uuid', nullable: true })
  releasedByUserId: string | null;
}

/** A download link for an export package: only the SHA-256 of its token is kept; it expires. */
@Entity('dsr_export_links')
@Index('UQ_dsr_export_links_token', ['tokenSha256'], { unique: true })
export class DsrExportLink {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dsr_export_links' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column({ name: 'token_sha256', type: 'text' })
  tokenSha256: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'int', default: 0 })
  downloads: number;
}

/** Refusals recorded in the record of processing (PDPA s. 39(7)): access, portability, objection, rectification. */
@Entity('dsr_ropa_entries')
export class DsrRopaEntry {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dsr_ropa_entries' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column('text')
  right: string;

  @Column('text')
  reason: string;

  @Column({ name: 'recorded_by_user_id', type: 'uuid', nullable: true })
  recordedByUserId: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}

/** A drill: a synthetic subject exported and erased everywhere, with the report that became evidence. */
@Entity('dsr_drills')
@Index('IDX_dsr_drills_started_at', ['startedAt'])
export class DsrDrill {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dsr_drills' })
  id: string;

  /** schedule | cli | api */
  @Column('text')
  trigger: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Null while the drill runs. */
  @Column({ type: 'boolean', nullable: true })
  passed: boolean | null;

  @Column({ type: 'jsonb', nullable: true })
  report: DrillReport | null;

  @Column({ name: 'evidence_id', type: 'uuid', nullable: true })
  evidenceId: string | null;

  @Column({ name: 'request_id', type: 'uuid', nullable: true })
  requestId: string | null;

  @Column({ name: 'started_by_user_id', type: 'uuid', nullable: true })
  startedByUserId: string | null;
}
