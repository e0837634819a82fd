import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Blob, bigintAsNumber } from './blob.entity';
import { Evidence } from './evidence.entity';

/** The `n`th file (from 1) of an evidence item: a name and a blob. */
@Entity('evidence_files')
export class EvidenceFile {
  @PrimaryColumn({ name: 'evidence_id', type: 'uuid', primaryKeyConstraintName: 'PK_evidence_files' })
  evidenceId: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_evidence_files' })
  n: number;

  @Index('IDX_evidence_files_sha256')
  @Column('text')
  sha256: string;

  /** The uploader's file name, cleaned (a label only, never a path). */
  @Column('text')
  filename: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  size: number;

  /** Sniffed from the bytes, never the client's content type. */
  @Column({ name: 'media_type', type: 'text' })
  mediaType: string;

  @ManyToOne(() => Evidence, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'evidence_id', foreignKeyConstraintName: 'FK_evidence_files_evidence' })
  evidence?: Evidence;

  @ManyToOne(() => Blob, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sha256', foreignKeyConstraintName: 'FK_evidence_files_blob' })
  blob?: Blob;
}
