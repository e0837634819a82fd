import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Blob } from './blob.entity';
import { BlobRepository } from './blob.repository';
import type { BlobInfo, BlobStore } from './blob-store';
import { BLOB_CHUNK_BYTES } from './domain/evidence-model';
import { BlobCorruptError } from './evidence.errors';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Temporary files end in this; a final name is the bare 64-character hash, so nothing reads a temp file. */
export const BLOB_TEMP_SUFFIX = '.tmp';
/** link() errors after which a staged upload is copied instead: another filesystem, or no hard links there. */
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

/**
 * The filesystem blob store (BLOB_STORE=filesystem): the bytes of blob `<sha256>` are the file
 * BLOB_DIR/ab/cd/<sha256> (ab and cd its first two byte pairs). The row stays in PostgreSQL, claimed in the
 * caller's transaction before the file is written, so the same bytes are written once even when two
 * uploads race (the second waits for the first's transaction, then only links).
 *
 * A file is written as `<sha256>.<random>.tmp` in its final folder, fsynced, renamed to its final name,
 * and the folder fsynced: a final name only ever appears with all its bytes, even after a crash or
 * power cut (a crash can leave a `.tmp` file, which nothing reads). An upload's staged file, hashed as it
 * was written, is instead fsynced and hard-linked to its final name (adopt): the same guarantee, without
 * reading or copying the bytes again. If the transaction rolls back after the rename (or link), the file
 * stays, unreferenced: it holds exactly the bytes its name says and a later upload of them reuses it;
 * BlobCollector removes such files, and `.tmp` leftovers, once they are a day old.
 */
@Injectable()
export class FilesystemBlobStore implements BlobStore {
  readonly dir: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly rows: BlobRepository,
  ) {
    this.dir = config.blobDir;
  }

  /** Where the bytes of `sha256` are (or go). */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${JSON.stringify(sha256)}`);
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async storeFile(blob: BlobInfo, path: string, m: EntityManager, hashedOnWrite = false): Promise<boolean> {
    if (!(await this.rows.claim(blob, 'filesystem', m))) return false;
    if (hashedOnWrite && (await this.adopt(blob, path))) return true;
    const source = await open(path, 'r');
    try {
      await this.place(blob, async (write) => {
        const data = Buffer.allocUnsafe(BLOB_CHUNK_BYTES);
        for (;;) {
          const { bytesRead } = await source.read(data, 0, data.length, null);
          if (bytesRead === 0) break;
          await write(data.subarray(0, bytesRead));
        }
      });
    } finally {
      await source.close();
    }
    return true;
  }

  /**
   * Places a file that was hashed as it was written (an upload staged by UploadStaging) without reading
   * it again: fsynced, then hard-linked to its final name (the staging name is removed by its owner), and
   * the folder fsynced. Returns false, having placed nothing, when the file cannot be linked there (BLOB_DIR
   * on another filesystem, or one without hard links): the caller then copies it. When the final name
   * exists the same bytes are there already.
   */
  private async adopt(blob: BlobInfo, path: string): Promise<boolean> {
    const final = this.pathOf(blob.sha256);
    const folder = dirname(final);
    const made = await mkdir(folder, { recursive: true, mode: 0o700 });
    const file = await open(path, 'r');
    try {
      if ((await file.stat()).size !== blob.size)
        throw new BlobCorruptError(blob.sha256, 'the staged file changed before it was stored');
      await file.sync();
    } finally {
      await file.close();
    }
    const linked = await link(path, final).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return true; // the same bytes are there already (a rolled-back upload's file)
        if (e.code !== undefined && CANNOT_LINK.has(e.code)) return false;
        throw e;
      },
    );
    await syncFolders(folder, made); // folders just made must stay even when the copy goes in instead
    return linked;
  }

  async storeBuffer(bytes: Buffer, mediaType: string, m: EntityManager): Promise<BlobInfo> {
    const blob = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mediaType };
    if (await this.rows.claim(blob, 'filesystem', m)) await this.place(blob, (write) => write(bytes));
    return blob;
  }

  /**
   * Reads the file in `chunkSize` pieces, hashing them, and holds each piece back until the next is read:
   * the last one is sent only when size and hash match. A missing file fails the stream at once.
   */
  open(blob: Pick<Blob, 'sha256' | 'size' | 'chunkSize'>): Readable {
    const path = this.pathOf(blob.sha256);
    async function* chunks(): AsyncGenerator<Buffer> {
      const file = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
        throw e.code === 'ENOENT' ? new BlobCorruptError(blob.sha256, 'the file is missing') : e;
      });
      try {
        const hash = createHash('sha256');
        let total = 0;
        let held: Buffer | null = null;
        for (;;) {
          const data = Buffer.allocUnsafe(blob.chunkSize);
          const { bytesRead } = await file.read(data, 0, data.length, null);
          if (bytesRead === 0) break;
          hash.update(data.subarray(0, bytesRead));
          total += bytesRead;
          if (total > blob.size) break; // longer than the blob: fails below, before the piece held back
          if (held) yield held;
          held = data.subarray(0, bytesRead);
        }
        if (total !== blob.size || hash.digest('hex') !== blob.sha256)
          throw new BlobCorruptError(blob.sha256, 'the stored bytes do not match the hash');
        if (held) yield held;
      } finally {
        await file.close();
      }
    }
    return Readable.from(chunks(), { objectMode: false, highWaterMark: blob.chunkSize });
  }

  /**
   * Writes the blob's final file through a temporary one: `fill` writes the bytes, which are hashed as
   * they go; only when they are exactly the blob's are they fsynced and renamed into place.
   */
  private async place(blob: BlobInfo, fill: (write: (bytes: Buffer) => Promise<void>) => Promise<void>): Promise<void> {
    const final = this.pathOf(blob.sha256);
    const folder = dirname(final);
    const made = await mkdir(folder, { recursive: true, mode: 0o700 });
    const temp = `${final}.${randomUUID()}${BLOB_TEMP_SUFFIX}`;
    let file: FileHandle | null = await open(temp, 'wx', 0o600);
    try {
      const hash = createHash('sha256');
      let total = 0;
      await fill(async (bytes) => {
        hash.update(bytes);
        total += bytes.length;
        for (let at = 0; at < bytes.length;) at += (await file!.write(bytes, at, bytes.length - at)).bytesWritten;
      });
      if (total !== blob.size || hash.digest('hex') !== blob.sha256)
        throw new BlobCorruptError(blob.sha256, 'the staged file changed before it was stored');
      await file.sync();
      await file.close();
      file = null;
      if (await exists(final)) {
        await rm(temp, { force: true }); // the same bytes are there already (a rolled-back upload's file)
      } else {
        await rename(temp, final);
      }
    } catch (e) {
      await file?.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw e;
    }
    await syncFolders(folder, made);
  }
}

/**
 * Makes a name placed in `folder` durable: the folder fsynced, and when it was just created (`made`, the
 * first folder mkdir created) its parents too, up to BLOB_DIR's own parent.
 */
async function syncFolders(folder: string, made: string | undefined): Promise<void> {
  await syncDir(folder);
  if (made !== undefined) {
    for (let d = dirname(folder); ; d = dirname(d)) {
      await syncDir(d);
      if (d === dirname(made) || d === dirname(d)) break;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
}

async function syncDir(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
