import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { EVIDENCE_KINDS, SOURCE_CHECK, type EvidenceKind } from './domain/evidence-model';

/**
 * One evidence item (immutable: a trigger refuses UPDATE and DELETE). A correction is a new item whose
 * `supersedes` names the old one; the old row is never touched. Files live in evidence_files, the
 * controls it serves in evidence_controls.
 */
@Entity('evidence')
@Check('CHK_evidence_source', SOURCE_CHECK)
@Check('CHK_evidence_period', '"period_end" >= "period_start"')
export class Evidence {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_evidence' })
  id: string;

  @Column({ type: 'enum', enum: EVIDENCE_KINDS, enumName: 'evidence_kind' })
  kind: EvidenceKind;

  @Column('text')
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** `upload`, `api`, `attestation` or `collector:<name>`. */
  @Column('text')
  source: string;

  /** The user who submitted it (identity module's user id); null for the system (collectors). */
  @Index('IDX_evidence_submitted_by')
  @Column({ name: 'submitted_by', type: 'uuid', nullable: true })
  submittedBy: string | null;

  /** When it was received. */
  @Index('IDX_evidence_collected_at')
  @Column({ name: 'collected_at', type: 'timestamptz' })
  collectedAt: Date;

  /** The moment the evidence is of (a day is stored as 00:00 Asia/Bangkok). */
  @Column({ name: 'evidence_date', type: 'timestamptz' })
  evidenceDate: Date;

  /** First and last Asia/Bangkok day of the period it covers (YYYY-MM-DD). */
  @Column({ name: 'period_start', type: 'date' })
  periodStart: string;

  @Column({ name: 'period_end', type: 'date' })
  periodEnd: string;

  /** The item this one corrects; an item is superseded at most once (unique). */
  @Index('UQ_evidence_supersedes', { unique: true })
  @Column({ type: 'uuid', nullable: true })
  supersedes: string | null;

  @ManyToOne(() => Evidence, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'supersedes', foreignKeyConstraintName: 'FK_evidence_supersedes' })
  superseded?: Evidence;

  /** kind `link`: where the evidence is. */
  @Column({ type: 'text', nullable: true })
  url: string | null;

  /** kind `attestation`: what the person stated, and their checklist answers (also in its JSON file). */
  @Column({ type: 'text', nullable: true })
  statement: string | null;

  @Column({ type: 'jsonb', nullable: true })
  checklist: { question: string; answer: boolean }[] | null;
}
