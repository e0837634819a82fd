import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { FINDING_SEVERITIES, type FindingSeverity } from '../releases/domain/release-model';
import {
  FINDING_SOURCES,
  FINDING_STATUSES,
  RETEST_RESULTS,
  type FindingSource,
  type FindingStatus,
  type RetestResult,
} from './domain/finding-model';

/** A penetration test: who ran it and when; its findings name it. */
@Entity('pen_tests')
export class PenTest {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_pen_tests' })
  id: string;

  @Column('text')
  vendor: string;

  @Column('text')
  title: string;

  @Column({ name: 'starts_on', type: 'date' })
  startsOn: string;

  @Column({ name: 'ends_on', type: 'date' })
  endsOn: string;

  @Column({ name: 'created_by_user_id', type: 'uuid' })
  createdByUserId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/**
 * A security finding (issue 18): from a pen-test engagement, a scanner import (npm audit, OSV-Scanner,
 * gitleaks) or entered by hand; its severity sets the fix SLA (controls/release-gates.yaml). A scanner
 * finding is one row per kind, product and fingerprint, so a re-import finds the same row.
 */
@Entity('findings')
@Index('UQ_findings_source_product_fingerprint', ['source', 'product', 'fingerprint'], { unique: true })
@Index('IDX_findings_status', ['status', 'openedAt'])
export class Finding {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_findings' })
  id: string;

  @Column({ type: 'enum', enum: FINDING_SOURCES, enumName: 'finding_source' })
  source: FindingSource;

  /** The pen-test engagement that reported it (source pen_test). */
  @Column({ name: 'pen_test_id', type: 'uuid', nullable: true })
  penTestId: string | null;

  @ManyToOne(() => PenTest, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pen_test_id', foreignKeyConstraintName: 'FK_findings_pen_test' })
  penTest?: PenTest;

  /** The scan import that first reported it (scanner sources). */
  @Column({ name: 'scan_import_id', type: 'uuid', nullable: true })
  scanImportId: string | null;

  /** The scanner's fingerprint (scanner sources): the same problem on every run. */
  @Column({ type: 'text', nullable: true })
  fingerprint: string | null;

  @Column({ type: 'enum', enum: FINDING_SEVERITIES, enumName: 'finding_severity' })
  severity: FindingSeverity;

  @Column('text')
  title: string;

  @Column({ type: 'text', default: '' })
  detail: string;

  /** The product (a key of controls/release-gates.yaml) or system it is in. */
  @Column('text')
  product: string;

  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId: string | null;

  /** The department that fixes it (a key of controls/departments.yaml): its control owners manage it. */
  @Column('text')
  department: string;

  @Column({ type: 'enum', enum: FINDING_STATUSES, enumName: 'finding_status', default: 'open' })
  status: FindingStatus;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  /** When the SLA clock stopped: fixed, resolved by a scan, or closed. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** The evidence item showing the fix (a later scan's report for resolved_by_scan). */
  @Column({ name: 'fix_evidence_id', type: 'uuid', nullable: true })
  fixEvidenceId: string | null;

  @Column({ name: 'fix_note', type: 'text', nullable: true })
  fixNote: string | null;

  @Column({
    name: 'retest_result',
    type: 'enum',
    enum: RETEST_RESULTS,
    enumName: 'finding_retest_result',
    nullable: true,
  })
  retestResult: RetestResult | null;

  @Column({ name: 'retested_at', type: 'timestamptz', nullable: true })
  retestedAt: Date | null;

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One scanner report imported for a product: the same report (kind, product, SHA-256) is imported once. */
@Entity('finding_scan_imports')
@Index('UQ_finding_scan_imports_kind_product_sha256', ['kind', 'product', 'sha256'], { unique: true })
export class FindingScanImport {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_finding_scan_imports' })
  id: string;

  @Column({ type: 'enum', enum: FINDING_SOURCES, enumName: 'finding_source' })
  kind: FindingSource;

  @Column('text')
  product: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  /** The evidence item holding the report. */
  @Column({ name: 'evidence_id', type: 'uuid' })
  evidenceId: string;

  /** Findings in the report. */
  @Column('integer')
  findings: number;

  @Column({ name: 'created_by_user_id', type: 'uuid' })
  createdByUserId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/**
 * A risk acceptance: an exception to fixing a finding, with a reason and an expiry, signed with the password
 * re-entered; the signature binds the SHA-256 of the acceptance. Append-only (a trigger refuses UPDATE,
 * DELETE and TRUNCATE).
 */
@Entity('finding_acceptances')
@Index('IDX_finding_acceptances_finding', ['findingId', 'signedAt'])
export class FindingAcceptance {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_finding_acceptances' })
  id: string;

  @Column({ name: 'finding_id', type: 'uuid' })
  findingId: string;

  @ManyToOne(() => Finding, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'finding_id', foreignKeyConstraintName: 'FK_finding_acceptances_finding' })
  finding?: Finding;

  @Column('text')
  reason: string;

  /** The last day the acceptance holds (compliance time zone). */
  @Column({ name: 'expires_on', type: 'date' })
  expiresOn: string;

  @Column('text')
  meaning: string;

  @Column({ name: 'signer_user_id', type: 'uuid' })
  signerUserId: string;

  @Column({ name: 'signer_role', type: 'text' })
  signerRole: string;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt: Date;

  @Column({ name: 'record_sha256', type: 'char', length: 64 })
  recordSha256: string;
}
