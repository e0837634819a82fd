import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { Blob } from './blob.entity';
import { BLOB_CHUNK_BYTES } from './domain/evidence-model';
import { BlobCorruptError } from './evidence.errors';

export interface BlobInfo {
  sha256: string;
  size: number;
  mediaType: string;
}

/**
 * The blob store: content-addressed bytes in PostgreSQL, in 1 MiB chunks, written and read as streams (a
 * blob is never whole in memory). The only place with blob query code. A blob row is inserted first with
 * ON CONFLICT DO NOTHING, so the same bytes are stored once even when two uploads race: the second waits
 * for the first's transaction and then only links.
 */
@Injectable()
export class BlobRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private async claim(blob: BlobInfo, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO blobs (sha256, size, media_type, chunk_size) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
      [blob.sha256, blob.size, blob.mediaType, BLOB_CHUNK_BYTES],
    );
    return rows.length === 1;
  }

  /**
   * Stores a staged file's bytes as the blob `blob.sha256` unless it exists. The file is read back in
   * chunks and hashed again: what is stored is exactly what was hashed. Returns whether it was new.
   */
  async storeFile(blob: BlobInfo, path: string, m: EntityManager): Promise<boolean> {
    if (!(await this.claim(blob, m))) return false;
    const file = await open(path, 'r');
    const hash = createHash('sha256');
    let total = 0;
    try {
      for (let n = 0; ; n++) {
        const data = Buffer.allocUnsafe(BLOB_CHUNK_BYTES);
        let filled = 0;
        while (filled < data.length) {
          const { bytesRead } = await file.read(data, filled, data.length - filled, null);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        if (filled === 0) break;
        const chunk = data.subarray(0, filled);
        hash.update(chunk);
        total += filled;
        await m.query(`INSERT INTO blob_chunks (sha256, n, data) VALUES ($1, $2, $3)`, [blob.sha256, n, chunk]);
        if (filled < data.length) break;
      }
    } finally {
      await file.close();
    }
    if (total !== blob.size || hash.digest('hex') !== blob.sha256) throw new BlobCorruptError(blob.sha256, 'the staged file changed before it was stored');
    return true;
  }

  /** Stores bytes already in memory (a snapshot's or an attestation's JSON). */
  async storeBuffer(bytes: Buffer, mediaType: string, m: EntityManager): Promise<BlobInfo> {
    const blob = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mediaType };
    if (await this.claim(blob, m)) {
      for (let n = 0; n * BLOB_CHUNK_BYTES < bytes.length; n++) {
        await m.query(`INSERT INTO blob_chunks (sha256, n, data) VALUES ($1, $2, $3)`, [blob.sha256, n, bytes.subarray(n * BLOB_CHUNK_BYTES, (n + 1) * BLOB_CHUNK_BYTES)]);
      }
    }
    return blob;
  }

  find(sha256: string): Promise<Blob | null> {
    return this.ds.manager.findOne(Blob, { where: { sha256 } });
  }

  /**
   * The bytes of a blob as a stream, one chunk per query. The hash is checked as the chunks go by and
   * the last chunk is withheld when it does not match, so a client never receives altered bytes whole
   * (its Content-Length is not met).
   */
  open(blob: Pick<Blob, 'sha256' | 'size' | 'chunkSize'>): Readable {
    const ds = this.ds;
    const count = Math.ceil(blob.size / blob.chunkSize);
    async function* chunks(): AsyncGenerator<Buffer> {
      const hash = createHash('sha256');
      let total = 0;
      for (let n = 0; n < count; n++) {
        const rows: { data: Buffer }[] = await ds.query(`SELECT data FROM blob_chunks WHERE sha256 = $1 AND n = $2`, [blob.sha256, n]);
        if (rows.length !== 1) throw new BlobCorruptError(blob.sha256, `chunk ${n} is missing`);
        const data = rows[0].data;
        hash.update(data);
        total += data.length;
        if (n === count - 1 && (total !== blob.size || hash.digest('hex') !== blob.sha256)) {
          throw new BlobCorruptError(blob.sha256, 'the stored bytes do not match the hash');
        }
        yield data;
      }
    }
    return Readable.from(chunks(), { objectMode: false, highWaterMark: blob.chunkSize });
  }
}
