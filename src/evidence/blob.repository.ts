import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { Blob } from './blob.entity';
import type { BlobInfo, BlobStore } from './blob-store';
import { BLOB_CHUNK_BYTES } from './domain/evidence-model';
import { BlobCorruptError } from './evidence.errors';

/** Chunks a download fetches ahead of the one it is sending. */
const OPEN_PREFETCH = 2;
/** Chunks written by one INSERT (a multi-row statement: fewer round trips, one parse and plan). */
const CHUNKS_PER_INSERT = 4;

/**
 * The blob store: content-addressed bytes in PostgreSQL, in 1 MiB chunks, written and read as streams (a
 * blob is never whole in memory). The only place with blob query code. A blob row is inserted first with
 * ON CONFLICT DO NOTHING, so the same bytes are stored once even when two uploads race: the second waits
 * for the first's transaction and then only links.
 */
@Injectable()
export class BlobRepository implements BlobStore {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Inserts the blob's row, naming the store that will hold its bytes, unless a row for the hash exists
   * (in either store: the bytes are then already stored and are only linked). Returns whether it was new.
   * Also used by the filesystem store: the row is always in PostgreSQL.
   */
  /** Of these hashes, the ones with a row stored on the filesystem. */
  async filesystemHashes(sha256s: string[]): Promise<Set<string>> {
    if (sha256s.length === 0) return new Set();
    const rows: { sha256: string }[] = await this.ds.query(
      `SELECT sha256 FROM blobs WHERE store = 'filesystem' AND sha256 = ANY($1::text[])`,
      [sha256s],
    );
    return new Set(rows.map((r) => r.sha256));
  }

  async claim(blob: BlobInfo, store: Blob['store'], m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO blobs (sha256, size, media_type, chunk_size, store) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
      [blob.sha256, blob.size, blob.mediaType, BLOB_CHUNK_BYTES, store],
    );
    return rows.length === 1;
  }

  /**
   * Stores a staged file's bytes as the blob `blob.sha256` unless it exists. The file is read back in
   * chunks and hashed again (what is stored is exactly what was hashed), CHUNKS_PER_INSERT chunks to a
   * statement; the next statement's chunks are read from disk while the current one is being inserted.
   * The two batches' memory is allocated once and reused (the driver has copied a batch into its message
   * once its INSERT has answered): a 200 MB upload otherwise churned 200 MB of buffers through the GC.
   * Returns whether it was new.
   */
  async storeFile(blob: BlobInfo, path: string, m: EntityManager): Promise<boolean> {
    if (!(await this.claim(blob, 'postgres', m))) return false;
    const file = await open(path, 'r');
    const batchBytes = Math.max(1, Math.min(blob.size, CHUNKS_PER_INSERT * BLOB_CHUNK_BYTES));
    const slabs = [Buffer.allocUnsafe(batchBytes), Buffer.allocUnsafe(batchBytes)];
    let ended = false;
    /** Reads up to CHUNKS_PER_INSERT chunks into `slab`, as views of it (none once the file has ended). */
    const readBatch = async (slab: Buffer): Promise<Buffer[]> => {
      const batch: Buffer[] = [];
      for (let at = 0; !ended && at < slab.length; at += BLOB_CHUNK_BYTES) {
        const data = slab.subarray(at, at + BLOB_CHUNK_BYTES);
        let filled = 0;
        while (filled < data.length) {
          const { bytesRead } = await file.read(data, filled, data.length - filled, null);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        if (filled < BLOB_CHUNK_BYTES) ended = true;
        if (filled > 0) batch.push(data.subarray(0, filled));
      }
      return batch;
    };
    const hash = createHash('sha256');
    let total = 0;
    try {
      let next = readBatch(slabs[0]);
      for (let n = 0, turn = 1; ; turn ^= 1) {
        const batch = await next;
        if (batch.length === 0) break;
        next = readBatch(slabs[turn]); // the other slab: its batch was inserted on the previous turn
        next.catch(() => undefined); // awaited on the next turn; an insert failing first must not leave it unhandled
        for (const chunk of batch) {
          hash.update(chunk);
          total += chunk.length;
        }
        await this.insertChunks(blob.sha256, n, batch, m);
        n += batch.length;
      }
    } finally {
      await file.close();
    }
    if (total !== blob.size || hash.digest('hex') !== blob.sha256)
      throw new BlobCorruptError(blob.sha256, 'the staged file changed before it was stored');
    return true;
  }

  /** Stores bytes already in memory (a snapshot's or an attestation's JSON). */
  async storeBuffer(bytes: Buffer, mediaType: string, m: EntityManager): Promise<BlobInfo> {
    const blob = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mediaType };
    if (await this.claim(blob, 'postgres', m)) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += BLOB_CHUNK_BYTES)
        chunks.push(bytes.subarray(at, at + BLOB_CHUNK_BYTES));
      for (let n = 0; n < chunks.length; n += CHUNKS_PER_INSERT)
        await this.insertChunks(blob.sha256, n, chunks.slice(n, n + CHUNKS_PER_INSERT), m);
    }
    return blob;
  }

  /** Inserts `chunks` as chunks `first`, `first + 1`, … of the blob, in one multi-row statement. */
  private async insertChunks(sha256: string, first: number, chunks: Buffer[], m: EntityManager): Promise<void> {
    const rows = chunks.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`);
    await m.query(`INSERT INTO blob_chunks (sha256, n, data) VALUES ${rows.join(', ')}`, [
      sha256,
      ...chunks.flatMap((data, i) => [first + i, data]),
    ]);
  }

  find(sha256: string): Promise<Blob | null> {
    return this.ds.manager.findOne(Blob, { where: { sha256 } });
  }

  /**
   * The bytes of a blob as a stream, one chunk per query, the next OPEN_PREFETCH chunks fetched ahead on
   * other pooled connections (PostgreSQL's hex encoding of bytea is the slow part; it runs in parallel).
   * The hash is checked as the chunks go by and the last chunk is withheld when it does not match, so a
   * client never receives altered bytes whole (its Content-Length is not met).
   */
  open(blob: Pick<Blob, 'sha256' | 'size' | 'chunkSize'>): Readable {
    const ds = this.ds;
    const count = Math.ceil(blob.size / blob.chunkSize);
    const fetchChunk = async (n: number): Promise<Buffer> => {
      const rows: { data: Buffer }[] = await ds.query(`SELECT data FROM blob_chunks WHERE sha256 = $1 AND n = $2`, [
        blob.sha256,
        n,
      ]);
      if (rows.length !== 1) throw new BlobCorruptError(blob.sha256, `chunk ${n} is missing`);
      return rows[0].data;
    };
    async function* chunks(): AsyncGenerator<Buffer> {
      const hash = createHash('sha256');
      const ahead: Promise<Buffer>[] = [];
      let requested = 0;
      let total = 0;
      for (let n = 0; n < count; n++) {
        while (ahead.length <= OPEN_PREFETCH && requested < count) {
          const next = fetchChunk(requested++);
          next.catch(() => undefined); // awaited below; a reader that stops early must not leave an unhandled rejection
          ahead.push(next);
        }
        const data = await ahead.shift()!;
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
