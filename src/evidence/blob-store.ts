import type { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import type { Blob } from './blob.entity';

export interface BlobInfo {
  sha256: string;
  size: number;
  mediaType: string;
}

/**
 * Content-addressed bytes, as the evidence service uses them. The `blobs` row (hash, size, media type,
 * which store holds the bytes) is always in PostgreSQL, inserted in the caller's transaction; the bytes
 * are in `blob_chunks` (BlobRepository) or in a file named by the hash (FilesystemBlobStore), by
 * BLOB_STORE. Chosen in EvidenceModule.
 */
export interface BlobStore {
  /**
   * Stores a file's bytes as the blob `blob.sha256` unless it exists, hashing them again as they are
   * stored (what is stored is exactly what was hashed). Returns whether it was new. `hashedOnWrite`: this
   * process wrote the file and hashed the bytes as it wrote them, in one pass (an upload staged by
   * UploadStaging), so a store may keep that very file without reading it again (the filesystem store
   * links it into place when BLOB_DIR is on the same filesystem; PostgreSQL reads it once, into blob_chunks).
   */
  storeFile(blob: BlobInfo, path: string, m: EntityManager, hashedOnWrite?: boolean): Promise<boolean>;
  /** Stores bytes already in memory (a snapshot's or an attestation's JSON). */
  storeBuffer(bytes: Buffer, mediaType: string, m: EntityManager): Promise<BlobInfo>;
  /**
   * The bytes of a blob as a stream, hashed as they go by: when they no longer match (or are missing),
   * the stream fails before its last chunk, so a client never receives altered bytes whole.
   */
  open(blob: Pick<Blob, 'sha256' | 'size' | 'chunkSize' | 'store'>): Readable;
}

/** Injection token of the configured BlobStore. */
export const BLOB_STORE = Symbol('BLOB_STORE');
