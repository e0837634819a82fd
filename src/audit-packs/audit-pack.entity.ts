import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, type ValueTransformer } from 'typeorm';

export const PACK_STATUSES = ['queued', 'building', 'done', 'failed'] as const;
export type PackStatus = (typeof PACK_STATUSES)[number];

/** bigint comes back from pg as a string; pack sizes stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * One audit pack: a framework over a period, built in the background into a signed PDF and a ZIP, stored
 * as blobs named by their SHA-256 (readable from every instance). At most one pack per scope is queued or building at a time (partial unique index):
 * asking again for that scope joins it. `build_token` names the build that holds it, so a build presumed
 * dead (stale heartbeat) and restarted elsewhere cannot write over its successor.
 */
@Entity('audit_packs')
@Index('UQ_audit_packs_active_scope', ['framework', 'periodFrom', 'periodTo'], {
  unique: true,
  where: `"status" IN ('queued', 'building')`,
})
@Index('IDX_audit_packs_created_at', ['createdAt'])
@Check('CHK_audit_packs_status', `"status" IN ('queued', 'building', 'done', 'failed')`)
@Check('CHK_audit_packs_progress', '"progress" BETWEEN 0 AND 100')
@Check('CHK_audit_packs_period', '"period_to" >= "period_from"')
export class AuditPack {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_audit_packs' })
  id: string;

  /** Catalog framework key (catalog module; by key, the catalog's own identifier). */
  @Column('text')
  framework: string;

  /** First and last Asia/Bangkok day of the audit period (YYYY-MM-DD). */
  @Column({ name: 'period_from', type: 'date' })
  periodFrom: string;

  @Column({ name: 'period_to', type: 'date' })
  periodTo: string;

  @Column({ type: 'text', default: 'queued' })
  status: PackStatus;

  @Column({ type: 'smallint', default: 0 })
  progress: number;

  /** collecting | rendering | signing | zipping | done (null while queued). */
  @Column({ type: 'text', nullable: true })
  stage: string | null;

  /** Who asked first (identity module's user id); null for the CLI and jobs. */
  @Column({ name: 'requested_by_user_id', type: 'uuid', nullable: true })
  requestedByUserId: string | null;

  /** Pseudonymous actor reference of the first request (`user:<id>`, `system:cli`). */
  @Column({ name: 'requested_by', type: 'text' })
  requestedBy: string;

  /** The auditor engagement it was asked for, if any (engagements; by id). */
  @Column({ name: 'engagement_id', type: 'uuid', nullable: true })
  engagementId: string | null;

  /** SHA-256 of the signed PDF: it names the blob that holds it (evidence blob store). */
  @Column({ name: 'pdf_sha256', type: 'text', nullable: true })
  pdfSha256: string | null;

  @Column({ name: 'pdf_bytes', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  pdfBytes: number | null;

  /** SHA-256 of the ZIP: it names the blob that holds it. */
  @Column({ name: 'zip_sha256', type: 'text', nullable: true })
  zipSha256: string | null;

  @Column({ name: 'zip_bytes', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  zipBytes: number | null;

  /** SHA-256 of the signing certificate (DER), hex. */
  @Column({ name: 'signer_fingerprint', type: 'text', nullable: true })
  signerFingerprint: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Builds started (a restart after a crash is another attempt). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'build_token', type: 'uuid', nullable: true })
  buildToken: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Touched while building; a building pack whose heartbeat is stale is restarted by the next run. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;
}
