import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type ValueTransformer,
} from 'typeorm';

/** bigint comes back from pg as a string; file sizes stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** Where a blob's bytes are: `blob_chunks` in PostgreSQL, or a file under BLOB_DIR named by the hash. */
export type BlobStoreKind = 'postgres' | 'filesystem';

/**
 * Content-addressed bytes: the same bytes are stored once, whatever uploads them. The bytes are in
 * blob_chunks (`chunk_size` each, the last shorter) or, for `store` = filesystem, in the file
 * BLOB_DIR/ab/cd/<sha256> (read `chunk_size` at a time). Append-only (trigger).
 */
@Entity('blobs')
@Check('CHK_blobs_sha256', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Check('CHK_blobs_store', `"store" IN ('postgres', 'filesystem')`)
export class Blob {
  /** Hex SHA-256 of the bytes. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_blobs' })
  sha256: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  size: number;

  /** As sniffed from the bytes when first stored. */
  @Column({ name: 'media_type', type: 'text' })
  mediaType: string;

  @Column({ name: 'chunk_size', type: 'integer' })
  chunkSize: number;

  /** Which store holds the bytes (the one configured when they were first stored). */
  @Column({ type: 'text', default: 'postgres' })
  store: BlobStoreKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** The `n`th chunk (from 0) of a blob's bytes. */
@Entity('blob_chunks')
export class BlobChunk {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_blob_chunks' })
  sha256: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_blob_chunks' })
  n: number;

  @Column('bytea')
  data: Buffer;

  @ManyToOne(() => Blob, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sha256', foreignKeyConstraintName: 'FK_blob_chunks_blob' })
  blob?: Blob;
}
