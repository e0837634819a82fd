import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { VERSION_STATUSES, type VersionStatus } from './domain/document-model';
import { Document } from './document.entity';

/**
 * One version of a document: Markdown content identified by its SHA-256. The content changes only while
 * the version is a draft (a trigger refuses any other change of content or hash).
 */
@Entity('document_versions')
@Index('UQ_document_versions_document_number', ['documentId', 'number'], { unique: true })
export class DocumentVersion {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_document_versions' })
  id: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId: string;

  @ManyToOne(() => Document, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id', foreignKeyConstraintName: 'FK_document_versions_document' })
  document?: Document;

  /** 1, 2, … per document. */
  @Column({ type: 'integer' })
  number: number;

  @Column('text')
  content: string;

  /** SHA-256 (hex) of `content` as UTF-8. */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'change_summary', type: 'text' })
  changeSummary: string;

  /** Only a material change asks the audience for new acknowledgements. */
  @Column({ type: 'boolean' })
  material: boolean;

  /** The day it takes effect (Asia/Bangkok); set at publication when not given before. */
  @Column({ name: 'effective_on', type: 'date', nullable: true })
  effectiveOn: string | null;

  @Column({ type: 'enum', enum: VERSION_STATUSES, enumName: 'document_version_status', default: 'draft' })
  status: VersionStatus;

  /** Review rounds: 1 at the first submission, +1 at each resubmission after a rejection. */
  @Column({ type: 'integer', default: 0 })
  round: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;

  /** When the document was retired while this version was in force (or approved, waiting to be). */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
