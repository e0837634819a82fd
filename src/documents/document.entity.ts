import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { DOCUMENT_TYPES, type DocumentType } from './domain/document-model';

/**
 * A controlled document (policy, procedure, plan, standard, work instruction): who owns it, whom it
 * applies to, how often it is reviewed. Its text lives in its versions (document_versions).
 */
@Entity('documents')
@Index('UQ_documents_key', ['key'], { unique: true })
export class Document {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_documents' })
  id: string;

  /** e.g. POL-ISMS, unique. */
  @Column('text')
  key: string;

  @Column('text')
  title: string;

  @Column({ type: 'enum', enum: DOCUMENT_TYPES, enumName: 'document_type' })
  type: DocumentType;

  /** Department key (controls/departments.yaml). */
  @Index('IDX_documents_owner_department')
  @Column({ name: 'owner_department', type: 'text' })
  ownerDepartment: string;

  /** The person answerable for it (identity module's user id). */
  @Column({ name: 'owner_user_id', type: 'uuid' })
  ownerUserId: string;

  /** It applies to everyone; otherwise to the roles and departments below. */
  @Column({ name: 'audience_everyone', type: 'boolean', default: false })
  audienceEveryone: boolean;

  @Column({ name: 'audience_roles', type: 'text', array: true, default: () => "'{}'" })
  audienceRoles: string[];

  @Column({ name: 'audience_departments', type: 'text', array: true, default: () => "'{}'" })
  audienceDepartments: string[];

  @Column({ name: 'review_cadence_months', type: 'integer', default: 12 })
  reviewCadenceMonths: number;

  /** The version in force; null before the first publication. */
  @Column({ name: 'published_version', type: 'integer', nullable: true })
  publishedVersion: number | null;

  /** When a version was first published (an auditor reads a document published before their period ends). */
  @Column({ name: 'first_published_at', type: 'timestamptz', nullable: true })
  firstPublishedAt: Date | null;

  /** A calendar day (Asia/Bangkok): the published version's effective day plus the review cadence. */
  @Column({ name: 'next_review_on', type: 'date', nullable: true })
  nextReviewOn: string | null;

  /** When it was retired (no version in force since); cleared by a later publication. */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @Column({ name: 'retired_reason', type: 'text', nullable: true })
  retiredReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The controls a document supports (by control key: the catalog owns controls). */
@Entity('document_controls')
export class DocumentControl {
  @PrimaryColumn({ name: 'document_id', type: 'uuid', primaryKeyConstraintName: 'PK_document_controls' })
  documentId: string;

  @PrimaryColumn({ name: 'control_key', type: 'text', primaryKeyConstraintName: 'PK_document_controls' })
  controlKey: string;

  @ManyToOne(() => Document, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id', foreignKeyConstraintName: 'FK_document_controls_document' })
  document?: Document;
}
