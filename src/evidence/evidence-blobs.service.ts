import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { EntityManager } from 'typeorm';
import { NotFoundError } from '../common/errors/app-error';
import { BLOB_STORE, type BlobInfo, type BlobStore } from './blob-store';
import { EvidenceRepository } from './evidence.repository';

/** Blobs for audit packs: storing a finished pack's files and reading stored bytes back, verified. */
@Injectable()
export class EvidenceBlobsService {
  constructor(
    private readonly repo: EvidenceRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /**
   * A reader of stored blobs (looked up at once): `open(sha256)` streams a blob's bytes, verified as they go
   * by (the stream fails before its end when they no longer match their hash). For audit packs; not audited
   * here (the pack's download is).
   */
  async blobReader(sha256s: string[]): Promise<{ open: (sha256: string) => Readable }> {
    const rows = new Map((await this.repo.findBlobs(sha256s)).map((b) => [b.sha256, b]));
    return {
      open: (sha256) => {
        const blob = rows.get(sha256);
        if (!blob) throw new NotFoundError('blob', sha256);
        return this.blobs.open(blob);
      },
    };
  }

  /**
   * Stores a finished file's bytes as a blob in the configured store (audit packs: their ZIP and signed PDF),
   * in the caller's transaction, streamed in chunks and hashed again as stored — unless `hashedOnWrite`:
   * the caller wrote the file and hashed its bytes as it wrote them, in one pass, so the filesystem store
   * may link that very file into place (see BlobStore.storeFile). Not evidence: no item links it. Every
   * instance then reads it through blobReader().
   */
  async storeBlobFile(blob: BlobInfo, path: string, m: EntityManager, hashedOnWrite = false): Promise<void> {
    await this.blobs.storeFile(blob, path, m, hashedOnWrite);
  }
}
