import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { actorRef } from '../authz/actor';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceBlobsService } from '../evidence/evidence-blobs.service';
import type { AuditPack } from './audit-pack.entity';
import { PackBuildInterruptedError } from './audit-packs.errors';
import { PDF_NAME } from './domain/pack-manifest';
import {
  PACK_ZIP_NAME,
  PackFiles,
  sha256,
  type BuildRun,
  type PackContents,
  type PackProgress,
} from './pack-files.service';
import { packBuildFolderName } from './pack-scratch';
import type { WrittenZip } from './pack-zip';
import { PacksRepository } from './packs.repository';

/** A building pack whose heartbeat is older than this is presumed dead and built again by the next run. */
export const PACK_STALE_MS = 2 * 60_000;
/** How often a build saves its progress and heartbeat. */
const BEAT_MS = 1000;
const BUILDER = actorRef({ kind: 'system', name: 'audit-packs' });

/**
 * Builds audit packs in the background — collecting → rendering → signing → zipping → done, with
 * progress and a heartbeat on the row — in a folder of its own under DATA_DIR/packs/<id>/, then stores
 * them in the blob store (PostgreSQL, or BLOB_DIR with BLOB_STORE=filesystem) in the transaction that
 * marks the pack done, so a crash leaves no half pack and every instance can serve it; a pack whose builder
 * died is built again by the next run. Builds in this process run one at a time.
 */
@Injectable()
export class PackBuilder implements OnModuleDestroy {
  private readonly log = new Logger('AuditPacks');
  private readonly queue: string[] = [];
  private pumping: Promise<void> | null = null;
  private readonly active = new Map<string, AbortController>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: PacksRepository,
    private readonly evidence: EvidenceBlobsService,
    private readonly files: PackFiles,
    private readonly trail: AuditTrailService,
  ) {}

  /** Where packs are built before they are stored: DATA_DIR/packs/<id>/ (local scratch space). */
  get packsDir(): string {
    return join(this.config.dataDir, 'packs');
  }

  /**
   * Builds a pack now and waits for it (tests, the CLI): takes it if it is queued or its builder died, and
   * returns the row as it ends. When another build holds it, returns the row at once (still building).
   */
  async buildNow(id: string, onProgress?: PackProgress): Promise<AuditPack | null> {
    const token = randomUUID();
    // The build's folder is made before the claim, so that from the moment this build holds the pack a crash
    // leaves the folder that tells the next start (PackScratch) the build is gone. build() makes it again (and
    // fails the pack clearly) if it cannot be made now.
    const dir = join(this.packsDir, id);
    const temp = join(dir, packBuildFolderName(token));
    await mkdir(temp, { recursive: true }).catch(() => undefined);
    const pack = await this.repo.claim(id, token, PACK_STALE_MS).catch((e: Error) => {
      void removeScratch(dir, temp);
      throw e;
    });
    if (!pack) {
      await removeScratch(dir, temp);
      return this.repo.findById(id);
    }
    await this.build(pack, token, temp, onProgress);
    return this.repo.findById(id);
  }

  /** The row of a pack, for callers that poll one they joined (the CLI). */
  status(id: string): Promise<AuditPack | null> {
    return this.repo.findById(id);
  }

  /** Queues every pack that is waiting or whose builder died (the audit-packs job, every minute). */
  async resumePending(): Promise<number> {
    const ids = await this.repo.pendingIds(PACK_STALE_MS);
    for (const id of ids) this.enqueue(id);
    return ids.length;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    for (const c of this.active.values()) c.abort(new PackBuildInterruptedError('the server is shutting down'));
    await this.pumping;
  }

  /** Starts building a pack in this process, after those queued before it. */
  enqueue(id: string): void {
    if (this.stopping || this.queue.includes(id) || this.active.has(id)) return;
    this.queue.push(id);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  private async pump(): Promise<void> {
    for (let id = this.queue.shift(); id && !this.stopping; id = this.queue.shift()) {
      try {
        await this.buildNow(id);
      } catch (e) {
        this.log.error(`audit pack ${id}: ${(e as Error).message}`, (e as Error).stack);
      }
    }
  }

  private async build(pack: AuditPack, token: string, temp: string, onProgress?: PackProgress): Promise<void> {
    const started = Date.now();
    const controller = new AbortController();
    this.active.set(pack.id, controller);
    const state = { progress: 0, stage: 'collecting', saved: '' };
    const beat = async (): Promise<void> => {
      const held = await this.repo.beat(pack.id, token, state.progress, state.stage);
      if (!held && !controller.signal.aborted)
        controller.abort(new PackBuildInterruptedError('another build took the pack over'));
    };
    const timer = setInterval(
      () => void beat().catch((e: Error) => this.log.warn(`audit pack ${pack.id}: heartbeat failed: ${e.message}`)),
      BEAT_MS,
    );
    const step = async (progress: number, stage: string): Promise<void> => {
      controller.signal.throwIfAborted();
      Object.assign(state, { progress, stage });
      onProgress?.({ progress, stage });
      await beat();
      controller.signal.throwIfAborted();
    };
    try {
      await mkdir(temp, { recursive: true });
      await step(1, 'collecting');
      const run: BuildRun = { pack, token, temp, signal: controller.signal, state, step, onProgress };
      const contents = await this.files.contents(pack);
      const { signedPdf, zip } = await this.files.signedFiles(run, contents);
      const finished = await this.store(run, contents, signedPdf, zip);
      onProgress?.({ progress: 100, stage: 'done' });
      this.log.log(
        `audit pack ${pack.id} (${pack.framework} ${pack.periodFrom}..${pack.periodTo}) ${finished ? 'built' : 'built, but another build holds it now'}: ${contents.evidenceFiles.length} evidence files, ${zip.bytes} bytes in ${Date.now() - started} ms`,
      );
    } catch (e) {
      await this.stopped(pack, token, controller.signal, state.stage, e, started);
    } finally {
      clearInterval(timer);
      this.active.delete(pack.id);
      await removeScratch(join(this.packsDir, pack.id), temp);
    }
  }

  /** Marks the pack done and stores both files, or neither; false when another build holds the pack now. */
  private async store(
    { pack, token, temp }: BuildRun,
    { scope, cert, evidenceFiles }: PackContents,
    signedPdf: Buffer,
    zip: WrittenZip,
  ): Promise<boolean> {
    // Into the blob store in the transaction that marks the pack done: both files are there, or neither.
    const values = {
      status: 'done' as const,
      progress: 100,
      stage: 'done',
      error: null,
      pdfSha256: sha256(signedPdf),
      pdfBytes: signedPdf.length,
      zipSha256: zip.sha256,
      zipBytes: zip.bytes,
      signerFingerprint: cert.fingerprintSha256,
    };
    // Both files were hashed as this build wrote them (the PDF from the very buffer written, the ZIP by
    // writeZip as its bytes went to the file), so the filesystem store links them into BLOB_DIR instead of
    // reading and hashing 2 GB again (issue 15); PostgreSQL's store reads them once, into its chunks.
    return this.ds.transaction(async (m) => {
      if (!(await this.repo.finish(pack.id, token, values, m))) return false;
      await this.evidence.storeBlobFile(
        { sha256: values.pdfSha256, size: values.pdfBytes, mediaType: 'application/pdf' },
        join(temp, PDF_NAME),
        m,
        true,
      );
      await this.evidence.storeBlobFile(
        { sha256: zip.sha256, size: zip.bytes, mediaType: 'application/zip' },
        join(temp, PACK_ZIP_NAME),
        m,
        true,
      );
      await this.trail.append(
        {
          actor: BUILDER,
          action: 'pack.build',
          subjectType: 'AuditPack',
          subjectId: pack.id,
          data: {
            ...scope,
            zipSha256: zip.sha256,
            zipBytes: zip.bytes,
            pdfSha256: values.pdfSha256,
            evidenceFiles: evidenceFiles.length,
            signer: cert.fingerprintSha256,
          },
        },
        m,
      );
      return true;
    });
  }

  /** A build that ended early: stopped (released when shutting down), or failed (the row and the trail say so). */
  private async stopped(
    pack: AuditPack,
    token: string,
    signal: AbortSignal,
    stage: string,
    e: unknown,
    started: number,
  ): Promise<void> {
    const reason = signal.aborted ? signal.reason : e;
    if (reason instanceof PackBuildInterruptedError) {
      this.log.warn(`audit pack ${pack.id}: build stopped: ${reason.message}`);
      if (this.stopping) await this.repo.release(pack.id, token).catch(() => undefined);
    } else {
      const message = (e as Error).message.slice(0, 2000);
      this.log.error(`audit pack ${pack.id} failed after ${Date.now() - started} ms: ${message}`, (e as Error).stack);
      await this.ds.transaction(async (m) => {
        if (!(await this.repo.finish(pack.id, token, { status: 'failed', error: message, stage }, m))) return;
        await this.trail.append(
          {
            actor: BUILDER,
            action: 'pack.fail',
            subjectType: 'AuditPack',
            subjectId: pack.id,
            data: { stage, error: message },
          },
          m,
        );
      });
    }
  }
}

/** Removes a build's folder, and the pack's folder when that leaves it empty (another build of it may be running here). */
async function removeScratch(dir: string, temp: string): Promise<void> {
  await rm(temp, { recursive: true, force: true });
  await rmdir(dir).catch(() => undefined);
}
