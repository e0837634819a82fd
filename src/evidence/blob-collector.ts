import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SchedulerService } from '../jobs/scheduler.service';
import { BlobRepository } from './blob.repository';
import { BLOB_TEMP_SUFFIX, FilesystemBlobStore } from './filesystem-blob.store';

/** Files younger than this are never touched: an upload may still be between its rename and its commit. */
export const BLOB_GC_MIN_AGE_MS = 24 * 3_600_000;
const SHA256_NAME = /^[0-9a-f]{64}$/;

export interface BlobCollection {
  /** `.tmp` files a crash left behind. */
  tempFiles: number;
  /** Final files no blob row names (their transaction rolled back). */
  orphans: number;
  bytes: number;
}

/**
 * Garbage collection for the filesystem blob store (daily, `blob-gc`): removes `.tmp` files left by a crash
 * and files whose transaction rolled back after the rename (no `blobs` row names them), both only once they
 * are a day old, so a write still in flight is never touched. Evidence itself is never deleted: a file with
 * a row stays, whatever its age.
 */
@Injectable()
export class BlobCollector implements OnApplicationBootstrap {
  private readonly log = new Logger('BlobGC');

  constructor(
    private readonly store: FilesystemBlobStore,
    private readonly rows: BlobRepository,
    private readonly scheduler: SchedulerService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.schedule({ name: 'blob-gc', cron: '50 3 * * *', run: () => this.collect() });
  }

  async collect(now = new Date()): Promise<BlobCollection> {
    const out: BlobCollection = { tempFiles: 0, orphans: 0, bytes: 0 };
    for (const a of await names(this.store.dir)) {
      for (const b of await names(join(this.store.dir, a))) {
        const dir = join(this.store.dir, a, b);
        const old: { name: string; path: string; size: number }[] = [];
        for (const name of await names(dir)) {
          const path = join(dir, name);
          const info = await stat(path).catch(() => null);
          if (!info?.isFile() || now.getTime() - info.mtimeMs < BLOB_GC_MIN_AGE_MS) continue;
          if (name.endsWith(BLOB_TEMP_SUFFIX)) {
            await rm(path, { force: true });
            out.tempFiles++;
            out.bytes += info.size;
          } else if (SHA256_NAME.test(name)) {
            old.push({ name, path, size: info.size });
          }
        }
        const kept = await this.rows.filesystemHashes(old.map((f) => f.name));
        for (const f of old) {
          if (kept.has(f.name)) continue;
          await rm(f.path, { force: true });
          out.orphans++;
          out.bytes += f.size;
        }
      }
    }
    if (out.tempFiles || out.orphans)
      this.log.log(
        `removed ${out.tempFiles} temporary and ${out.orphans} unreferenced blob file(s), ${out.bytes} bytes`,
      );
    return out;
  }
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
}
