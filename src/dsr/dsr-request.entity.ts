import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ErasureReceipt } from './domain/erasure-receipt';

/**
 * A data subject request. Who it is about (and who asked, and rectification values) is one encrypted
 * token in `protected_enc`; everything else is the register: reference, right, clocks and outcome.
 */
@Entity('dsr_requests')
@Index('UQ_dsr_requests_reference', ['reference'], { unique: true })
@Index('IDX_dsr_requests_status_due_at', ['status', 'dueAt'])
export class DsrRequest {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dsr_requests' })
  id: string;

  @Column('text')
  reference: string;

  @Column('text')
  right: string;

  @Column('text')
  channel: string;

  /** Objection: the s. 32 para 1 ground; erasure: the s. 33 para 1 ground (domain/dsr-grounds.ts). */
  @Column({ type: 'text', nullable: true })
  ground: string | null;

  @Column('text')
  status: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'protected_enc', type: 'text' })
  protectedEnc: string;

  @Column({ name: 'is_representative', type: 'boolean', default: false })
  isRepresentative: boolean;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  /** Statutory deadline; for an objection, when separation becomes overdue (null while not owed yet). */
  @Column({ name: 'statutory_due_at', type: 'timestamptz', nullable: true })
  statutoryDueAt: Date | null;

  /** Objection: when the data was separated in every system (PDPA s. 32 para 2). */
  @Column({ name: 'separated_at', type: 'timestamptz', nullable: true })
  separatedAt: Date | null;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  @Column({ name: 'verification_method', type: 'text', nullable: true })
  verificationMethod: string | null;

  /** The verification reference (e.g. a document number) may identify the person: encrypted too. */
  @Column({ name: 'verification_reference_enc', type: 'text', nullable: true })
  verificationReferenceEnc: string | null;

  @Column({ name: 'verified_by_user_id', type: 'uuid', nullable: true })
  verifiedByUserId: string | null;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason: string | null;

  @Column({ name: 'closing_note', type: 'text', nullable: true })
  closingNote: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'is_drill', type: 'boolean', default: false })
  isDrill: boolean;

  /** The last execution failure, shown until a retry succeeds. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'erasure_scheduled_for', type: 'timestamptz', nullable: true })
  erasureScheduledFor: Date | null;

  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @Column({ name: 'backups_expire_at', type: 'timestamptz', nullable: true })
  backupsExpireAt: Date | null;

  /**
   * How many pieces of the encrypted export ZIP are stored in dsr_export_chunks; null when there is no
   * package (never made, or removed by retention or erasure). Its plaintext SHA-256 and size follow.
   */
  @Column({ name: 'export_chunks', type: 'integer', nullable: true })
  exportChunks: number | null;

  @Column({ name: 'export_sha256', type: 'text', nullable: true })
  exportSha256: string | null;

  @Column({
    name: 'export_bytes',
    type: 'bigint',
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  exportBytes: number | null;

  @Column({ name: 'exported_at', type: 'timestamptz', nullable: true })
  exportedAt: Date | null;

  @Column({ name: 'receipt_evidence_id', type: 'uuid', nullable: true })
  receiptEvidenceId: string | null;

  /** The erasure receipt (no identity): what was deleted, anonymised, retained and why. */
  @Column({ type: 'jsonb', nullable: true })
  receipt: ErasureReceipt | null;

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
