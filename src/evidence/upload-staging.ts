import { once } from 'node:events';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ownedName, removeLeftovers } from '../common/fs/leftovers';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ContentInspector, type Sniffed } from '../common/files/content-sniffer';
import { StorageFullError } from '../common/errors/app-error';
import { freeBytes, sameFilesystem, uploadFits } from '../common/fs/storage-space';
import { UploadTooLargeError } from './evidence.errors';

/** An uploaded file held in the staging area until its evidence row commits (or the request fails). */
export interface StagedFile {
  /** The client's name (not yet cleaned). */
  filename: string;
  path: string;
  sha256: string;
  size: number;
  sniffed: Sniffed;
}

/**
 * The staging area for uploads: DATA_DIR/tmp/uploads, one file per upload part (a name recording the
 * owning process, created exclusively, mode 0600); at start, the files of processes that are gone (a crash)
 * are removed, while another live instance's on the same DATA_DIR are kept. A part is hashed, counted and
 * sniffed as it streams in; the bytes are written only while the type is acceptable so far. Nothing here is in the database: a failed or aborted upload
 * leaves nothing once its files are discarded.
 */
@Injectable()
export class UploadStaging implements OnModuleInit {
  private readonly log = new Logger('UploadStaging');
  readonly dir: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.dir = join(config.dataDir, 'tmp', 'uploads');
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await removeLeftovers(this.dir))
      this.log.warn(`removed upload ${name} left by a process that is gone`);
  }

  /**
   * Streams one file into staging. Throws UploadTooLargeError past UPLOAD_LIMIT_BYTES (`truncated` reports
   * the multipart parser's own cut at that limit) and rethrows stream errors (a client abort); either way
   * the staged file is already removed.
   */
  async stage(
    source: AsyncIterable<Buffer> | NodeJS.ReadableStream,
    filename: string,
    truncated: () => boolean = () => false,
  ): Promise<StagedFile> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, ownedName('upload'));
    const limit = this.config.uploadLimitBytes;
    const hash = createHash('sha256');
    const inspector = new ContentInspector(filename);
    let size = 0;
    const inspect = new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        size += chunk.length;
        if (size > limit) return done(new UploadTooLargeError(limit));
        hash.update(chunk);
        inspector.push(chunk);
        // A refused type is still read to the end (so the request completes and gets its answer) but not kept.
        done(null, inspector.early ? undefined : chunk);
      },
    });
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: 1024 * 1024 });
    try {
      await pipeline(source, inspect, out);
      if (truncated()) throw new UploadTooLargeError(limit);
    } catch (e) {
      // A failed pipeline destroys the file stream, but its open() may still be pending: removing the path
      // before it has closed let the open create the file afterwards, left behind (seen under load).
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      await rm(path, { force: true });
      throw e;
    }
    return { filename, path, sha256: hash.digest('hex'), size, sniffed: inspector.finish() };
  }

  /**
   * Refuses (507 storage.full, before a byte is staged) an upload of `declared` bytes (the request's
   * Content-Length) that cannot fit: its staged copy, plus its stored copy when that lands on the same
   * filesystem (the embedded PostgreSQL's data directory), plus STORAGE_RESERVE_BYTES. The filesystem
   * store keeps the staged file itself when BLOB_DIR is on the same filesystem (a hard link): one copy.
   */
  async ensureRoom(declared: number): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const second =
      this.config.blobStore === 'postgres' && this.config.databaseUrl === undefined
        ? join(this.config.dataDir, 'postgres')
        : null;
    const copies = second !== null && (await sameFilesystem(this.dir, second)) ? 2 : 1;
    const free = await freeBytes(this.dir);
    if (!uploadFits(declared, copies, free, this.config.storageReserveBytes))
      throw new StorageFullError(
        `There is not enough storage space for this upload (${declared} bytes; ${free} bytes free, ` +
          `${this.config.storageReserveBytes} kept in reserve); nothing was stored. Try again once space has been freed.`,
        [{ field: 'file', message: 'does not fit in the storage space left' }],
      );
  }

  async discard(files: StagedFile[]): Promise<void> {
    await Promise.all(files.map((f) => rm(f.path, { force: true })));
  }
}
