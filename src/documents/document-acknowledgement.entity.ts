import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DocumentVersion } from './document-version.entity';

/** `cancelled`: still pending when its document was retired; final, like an acknowledgement. */
export const ACKNOWLEDGEMENT_STATUSES = ['pending', 'acknowledged', 'cancelled'] as const;
export type AcknowledgementStatus = (typeof ACKNOWLEDGEMENT_STATUSES)[number];

/**
 * One person's task to read and acknowledge one published version of a document (issue 17): created when a
 * material version is published, or for someone who joins the audience later. The acknowledgement records
 * who (user_id), which content (version_sha256, the version's hash copied at creation) and when.
 */
@Entity('document_acknowledgements')
@Index('UQ_document_acknowledgements_version_user', ['versionId', 'userId'], { unique: true })
@Index('IDX_document_acknowledgements_user', ['userId', 'status'])
@Index('IDX_document_acknowledgements_document', ['documentId'])
export class DocumentAcknowledgement {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_document_acknowledgements' })
  id: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId: string;

  @ManyToOne(() => DocumentVersion, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'FK_document_acknowledgements_version' })
  version?: DocumentVersion;

  /** The version's number, kept beside its id for lists and rosters. */
  @Column({ name: 'version_number', type: 'integer' })
  versionNumber: number;

  /** SHA-256 of the version's content: what the person acknowledges having read. */
  @Column({ name: 'version_sha256', type: 'char', length: 64 })
  versionSha256: string;

  /** The person (identity module's user id). */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** 23:59 Asia/Bangkok on the last day. */
  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({
    type: 'enum',
    enum: ACKNOWLEDGEMENT_STATUSES,
    enumName: 'document_acknowledgement_status',
    default: 'pending',
  })
  status: AcknowledgementStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;
}
