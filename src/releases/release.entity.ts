import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A known residual anomaly shipped with a release, and why it is acceptable (IEC 62304 5.8.2-5.8.3). */
export interface ReleaseAnomaly {
  ref: string;
  title: string;
  evaluation: string;
}

/**
 * A version of a product that CI built (issue 18): what was built (commit, time), the known residual
 * anomalies it ships with, and, through its attachments and signatures, the gates it passed. Created from
 * CI with an API token; created again with the same product and version it is the same release.
 */
@Entity('releases')
@Index('UQ_releases_product_version', ['product', 'version'], { unique: true })
export class Release {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_releases' })
  id: string;

  /** A product key of controls/release-gates.yaml. */
  @Column('text')
  product: string;

  @Column('text')
  version: string;

  /** The commit built (hex, 7-64 characters). */
  @Column('text')
  commit: string;

  @Column({ name: 'built_at', type: 'timestamptz' })
  builtAt: Date;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  anomalies: ReleaseAnomaly[];

  /**
   * The newest ISO 14971 clause 9 risk management report generated for this release: the evidence item
   * holding the PDF, the PDF's SHA-256 (what the clinical lead signs) and when it was generated.
   */
  @Column({ name: 'risk_report_evidence_id', type: 'uuid', nullable: true })
  riskReportEvidenceId: string | null;

  @Column({ name: 'risk_report_sha256', type: 'char', length: 64, nullable: true })
  riskReportSha256: string | null;

  @Column({ name: 'risk_report_at', type: 'timestamptz', nullable: true })
  riskReportAt: Date | null;

  @Column({ name: 'created_by_user_id', type: 'uuid' })
  createdByUserId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
