import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ATTACHMENT_KINDS, type AttachmentKind } from './domain/release-model';
import { Release } from './release.entity';

/**
 * A file CI attached to a release (test report, SBOM, scan, changelog): stored as a content-addressed
 * evidence item of the mapped controls, with what the parser read out of it. The newest of each kind
 * counts; the same file sent again is the same attachment.
 */
@Entity('release_attachments')
@Index('UQ_release_attachments_release_kind_sha256', ['releaseId', 'kind', 'sha256'], { unique: true })
export class ReleaseAttachment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_release_attachments' })
  id: string;

  @Column({ name: 'release_id', type: 'uuid' })
  releaseId: string;

  @ManyToOne(() => Release, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'release_id', foreignKeyConstraintName: 'FK_release_attachments_release' })
  release?: Release;

  @Column({ type: 'enum', enum: ATTACHMENT_KINDS, enumName: 'release_attachment_kind' })
  kind: AttachmentKind;

  @Column('text')
  filename: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column('integer')
  size: number;

  /** The evidence item holding the file and the parsed summary. */
  @Column({ name: 'evidence_id', type: 'uuid' })
  evidenceId: string;

  /** What the parser read (TestReportSummary, SbomSummary, ScanFinding[], or { lines } for a changelog). */
  @Column({ type: 'jsonb' })
  summary: unknown;

  @Column({ name: 'created_by_user_id', type: 'uuid' })
  createdByUserId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/**
 * A signed gate (QA, safety review, clinical sign-off, the ISO 14971 clause 9 review): the signer entered
 * their password again; the record binds signer, time, the gate's meaning and the release record's SHA-256
 * (its commit, build time, anomalies and attachments' hashes), and for the clause 9 review the risk
 * management report's SHA-256. Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE).
 */
@Entity('release_signatures')
@Index('IDX_release_signatures_release', ['releaseId', 'signedAt'])
export class ReleaseSignature {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_release_signatures' })
  id: string;

  @Column({ name: 'release_id', type: 'uuid' })
  releaseId: string;

  @ManyToOne(() => Release, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'release_id', foreignKeyConstraintName: 'FK_release_signatures_release' })
  release?: Release;

  @Column({ name: 'gate_key', type: 'text' })
  gateKey: string;

  /** The gate's meaning as the signer read it when signing. */
  @Column('text')
  meaning: string;

  @Column({ name: 'signer_user_id', type: 'uuid' })
  signerUserId: string;

  @Column({ name: 'signer_role', type: 'text' })
  signerRole: string;

  @Column({ name: 'signer_department', type: 'text', nullable: true })
  signerDepartment: string | null;

  /** SHA-256 of the release record signed (domain/release-signature). */
  @Column({ name: 'release_sha256', type: 'char', length: 64 })
  releaseSha256: string;

  /** The clause 9 review: SHA-256 of the risk management report PDF signed; null for other gates. */
  @Column({ name: 'report_sha256', type: 'char', length: 64, nullable: true })
  reportSha256: string | null;

  /** The evidence item holding that report. */
  @Column({ name: 'report_evidence_id', type: 'uuid', nullable: true })
  reportEvidenceId: string | null;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt: Date;

  @Column({ name: 'record_sha256', type: 'char', length: 64 })
  recordSha256: string;
}
