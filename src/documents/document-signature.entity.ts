import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { SIGNATURE_KINDS, type SignatureKind } from './domain/document-model';
import { DocumentVersion } from './document-version.entity';

/**
 * A signature on a document version (reviewed / approved, after the signer re-entered their password) or a
 * rejection (with a reason). Append-only: a trigger refuses UPDATE and DELETE. `record_sha256` covers the
 * signer, time, meaning, reason and the version's id, number and content hash (domain/document-signature).
 */
@Entity('document_signatures')
@Index('IDX_document_signatures_version', ['versionId', 'signedAt'])
export class DocumentSignature {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_document_signatures' })
  id: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId: string;

  @ManyToOne(() => DocumentVersion, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'FK_document_signatures_version' })
  version?: DocumentVersion;

  @Column({ name: 'document_key', type: 'text' })
  documentKey: string;

  @Column({ name: 'version_number', type: 'integer' })
  versionNumber: number;

  /** The review round of the version the signature belongs to. */
  @Column({ type: 'integer' })
  round: number;

  @Column({ name: 'signer_user_id', type: 'uuid' })
  signerUserId: string;

  /** The signer's role and department when signing (which approval it filled). */
  @Column({ name: 'signer_role', type: 'text' })
  signerRole: string;

  @Column({ name: 'signer_department', type: 'text', nullable: true })
  signerDepartment: string | null;

  @Column({ type: 'enum', enum: SIGNATURE_KINDS, enumName: 'document_signature_meaning' })
  meaning: SignatureKind;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** SHA-256 of the signed version's content. */
  @Column({ name: 'version_sha256', type: 'char', length: 64 })
  versionSha256: string;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt: Date;

  @Column({ name: 'record_sha256', type: 'char', length: 64 })
  recordSha256: string;
}
