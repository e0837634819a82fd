import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { ForbiddenError, NotFoundError, ValidationError } from '../common/errors/app-error';
import { type Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceBlobsService } from '../evidence/evidence-blobs.service';
import { actorRef, type Actor } from '../authz/actor';
import type { AuditPack } from './audit-pack.entity';
import { PackBuildInterruptedError, PackFilesMissingError, PackNotReadyError } from './audit-packs.errors';
import {
  buildManifest,
  CERTIFICATE_NAME,
  manifestBytes,
  MANIFEST_NAME,
  MANIFEST_SIG_NAME,
  PDF_NAME,
} from './domain/pack-manifest';
import { scopeProblems } from './domain/pack-period';
import type { PackQueryDto, PackView } from './dto/pack.dto';
import { PackCollector } from './pack-collector.service';
import { packBuildFolderName } from './pack-scratch';
import { ownedName } from '../common/fs/leftovers';
import { verifyPack, type PackVerification } from './pack-verifier';
import { writeZip, type ZipSource } from './pack-zip';
import { PacksRepository } from './packs.repository';
import { renderPackPdf } from './pdf/render-pack-pdf';
import { PackSigner } from './signing/pack-signer';

/** A building pack whose heartbeat is older than this is presumed dead and built again by the next run. */
export const PACK_STALE_MS = 2 * 60_000;
/** How often a build saves its progress and heartbeat. */
const BEAT_MS = 1000;
const ZIP_NAME = 'audit-pack.zip';
const BUILDER = actorRef({ kind: 'system', name: 'audit-packs' });

export interface PackDownload {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  stream: Readable;
}

export type PackProgress = (p: { progress: number; stage: string }) => void;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Audit packs: requested for a framework and period (a second request for a scope that is queued or
 * building joins it), built in the background — collecting → rendering → signing → zipping → done, with
 * progress and a heartbeat on the row — in a folder of its own under DATA_DIR/packs/<id>/, then stored
 * in the blob store (PostgreSQL, or BLOB_DIR with BLOB_STORE=filesystem) in the transaction that marks
 * the pack done, so a crash leaves no half pack and every instance can serve it; a pack whose builder died
 * is built again by the next run. Downloaded (audited) and verified. Builds in this process run one at a time.
 */
@Injectable()
export class PacksService implements OnModuleDestroy {
  private readonly log = new Logger('AuditPacks');
  private readonly queue: string[] = [];
  private pumping: Promise<void> | null = null;
  private readonly active = new Map<string, AbortController>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: PacksRepository,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceBlobsService,
    private readonly collector: PackCollector,
    private readonly signer: PackSigner,
    private readonly trail: AuditTrailService,
  ) {}

  /** Where packs are built before they are stored: DATA_DIR/packs/<id>/ (local scratch space). */
  get packsDir(): string {
    return join(this.config.dataDir, 'packs');
  }

  // ---- use cases ---------------------------------------------------------------------------------

  /**
   * Asks for a pack of a scope: a new queued pack, or the one of that scope already queued or building
   * (`joined`). Validates the scope (400 naming the field; an unknown framework is a field problem too).
   * The request is in the audit trail. With jobs enabled the build starts in this process at once.
   */
  async request(
    actor: Actor,
    input: { framework: string; from: string; to: string; engagementId?: string | null },
  ): Promise<{ id: string; joined: boolean }> {
    const problems = scopeProblems(input);
    if (problems.length) throw new ValidationError(problems);
    const scope = { framework: input.framework, periodFrom: input.from, periodTo: input.to };
    // An auditor asking without naming the engagement: the active one whose scope holds the request.
    const engagementId =
      input.engagementId ??
      (actor.kind === 'user' && actor.role === 'auditor'
        ? (actor.engagements?.find(
            (e) => e.frameworks.includes(input.framework) && e.from <= input.from && input.to <= e.to,
          )?.id ?? null)
        : null);
    if (!abilityFor(actor).can('create', asSubject('AuditPack', { ...scope, engagementId }))) {
      throw new ForbiddenError('You may not request this audit pack.', 'pack.forbidden');
    }
    try {
      await this.catalog.framework(input.framework);
    } catch (e) {
      if (e instanceof NotFoundError)
        throw new ValidationError([{ field: 'framework', message: `no such framework: ${input.framework}` }]);
      throw e;
    }
    const who = actorRef(actor);
    // Insert-or-join is one statement on the partial unique index; the retry covers a pack of this scope
    // finishing between our conflicting insert and the lookup of it.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await this.ds.transaction(async (m) => {
        const id = await this.repo.insertUnlessActive(
          { ...scope, requestedByUserId: actor.kind === 'user' ? actor.id : null, requestedBy: who, engagementId },
          m,
        );
        const joined = id === null;
        const packId = id ?? (await this.repo.findActive(scope, m))?.id;
        if (!packId) return null;
        await this.trail.append(
          {
            actor: who,
            action: 'pack.request',
            subjectType: 'AuditPack',
            subjectId: packId,
            data: { framework: input.framework, from: input.from, to: input.to, joined, engagementId },
          },
          m,
        );
        return { id: packId, joined };
      });
      if (result) {
        if (!result.joined && this.config.jobsEnabled) this.enqueue(result.id);
        return result;
      }
    }
    throw new Error(
      `could not request an audit pack for ${input.framework} ${input.from}..${input.to}: the active pack kept changing`,
    );
  }

  async get(actor: Actor, id: string): Promise<PackView> {
    return this.view(await this.readablePack(actor, id));
  }

  async list(actor: Actor, query: PackQueryDto): Promise<Page<PackView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.list(abilityFor(actor), {
      ...page,
      framework: query.framework,
      status: query.status,
      engagementId: query.engagementId,
    });
    return { items: rows.map((r) => this.view(r)), total, ...page };
  }

  /** The ZIP or the signed PDF of a finished pack, streamed from the blob store; the download is in the audit trail. */
  async download(actor: Actor, id: string, format: 'zip' | 'pdf'): Promise<PackDownload> {
    const pack = await this.readablePack(actor, id);
    if (pack.status !== 'done') throw new PackNotReadyError(pack.id, pack.status);
    const digest = format === 'zip' ? pack.zipSha256! : pack.pdfSha256!;
    const size = format === 'zip' ? pack.zipBytes! : pack.pdfBytes!;
    const stream = await this.openStored(pack, digest);
    await this.trail.record({
      actor: actorRef(actor),
      action: 'pack.downloaded',
      subjectType: 'AuditPack',
      subjectId: pack.id,
      data: { format, sha256: digest, framework: pack.framework, from: pack.periodFrom, to: pack.periodTo },
    });
    return {
      filename: `audit-pack-${pack.framework}-${pack.periodFrom}-${pack.periodTo}.${format}`,
      contentType: format === 'zip' ? 'application/zip' : 'application/pdf',
      size,
      sha256: digest,
      stream,
    };
  }

  /** Checks a finished pack's ZIP as `attest pack verify` does (signatures, every file's hash). */
  async verify(actor: Actor, id: string): Promise<PackVerification> {
    const pack = await this.readablePack(actor, id);
    if (pack.status !== 'done') throw new PackNotReadyError(pack.id, pack.status);
    // The verifier reads the ZIP's central directory first, so it needs a file: a scratch copy, streamed.
    const scratch = join(this.config.dataDir, 'tmp', 'packs');
    await mkdir(scratch, { recursive: true });
    const copy = join(scratch, ownedName('verify')); // a crash's leftover is removed at the next start (PackScratch)
    try {
      await pipeline(await this.openStored(pack, pack.zipSha256!), createWriteStream(copy));
      return await verifyPack(copy);
    } finally {
      await rm(copy, { force: true });
    }
  }

  // ---- building ----------------------------------------------------------------------------------

  /**
   * Builds a pack now and waits for it (tests, the CLI): takes it if it is queued or its builder died, and
   * returns the row as it ends. When another build holds it, returns the row at once (still building).
   */
  async buildNow(id: string, onProgress?: PackProgress): Promise<AuditPack | null> {
    const token = randomUUID();
    const pack = await this.repo.claim(id, token, PACK_STALE_MS);
    if (!pack) return this.repo.findById(id);
    await this.build(pack, token, onProgress);
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

  private enqueue(id: string): void {
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

  private async build(pack: AuditPack, token: string, onProgress?: PackProgress): Promise<void> {
    const started = Date.now();
    const controller = new AbortController();
    this.active.set(pack.id, controller);
    const dir = join(this.packsDir, pack.id);
    const temp = join(dir, packBuildFolderName());
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
      const scope = { framework: pack.framework, from: pack.periodFrom, to: pack.periodTo };
      const cert = this.signer.certificate();
      const { model, evidenceFiles } = await this.collector.collect(scope, {
        subject: cert.subject,
        fingerprintSha256: cert.fingerprintSha256,
        selfSigned: cert.selfSigned,
      });
      const certificate = Buffer.from(cert.pem, 'utf8');
      const manifest = manifestBytes(
        buildManifest({
          generator: model.generator,
          createdAt: model.generatedAt,
          scope,
          signer: { fingerprintSha256: cert.fingerprintSha256, subject: cert.subject },
          files: [
            ...evidenceFiles.map(({ path, sha256: hash, size }) => ({ path, sha256: hash, size })),
            { path: CERTIFICATE_NAME, sha256: sha256(certificate), size: certificate.length },
          ],
        }),
      );

      await step(20, 'rendering');
      const pdf = await renderPackPdf(model, {
        templatesDir: this.config.templatesDir,
        attachments: [
          {
            name: MANIFEST_NAME,
            data: manifest,
            description: 'Manifest of the audit pack ZIP: every file with its SHA-256 and size, and the scope',
            mediaType: 'application/json',
          },
        ],
      });

      await step(35, 'signing');
      const signedPdf = await this.signer.signPdf(pdf);
      const manifestSignature = await this.signer.signDetached(manifest);
      await writeFile(join(temp, PDF_NAME), signedPdf);

      await step(40, 'zipping');
      const total = evidenceFiles.reduce((n, f) => n + f.size, signedPdf.length) || 1;
      const entries: ZipSource[] = [
        { path: PDF_NAME, bytes: signedPdf, compress: false },
        ...evidenceFiles.map((f) => ({ path: f.path, size: f.size, open: async () => blobs.open(f.blob) })),
        { path: MANIFEST_NAME, bytes: manifest },
        { path: MANIFEST_SIG_NAME, bytes: manifestSignature },
        { path: CERTIFICATE_NAME, bytes: certificate },
      ];
      const blobs = await this.evidence.blobReader(evidenceFiles.map((f) => f.blob));
      let reported = 40;
      const zip = await writeZip(entries, join(temp, ZIP_NAME), {
        signal: controller.signal,
        onProgress: (written) => {
          state.progress = Math.min(99, 40 + Math.floor((59 * written) / total));
          if (onProgress && state.progress !== reported)
            onProgress({ progress: (reported = state.progress), stage: 'zipping' });
        },
      });
      controller.signal.throwIfAborted();

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
      const finished = await this.ds.transaction(async (m) => {
        if (!(await this.repo.finish(pack.id, token, values, m))) return false;
        await this.evidence.storeBlobFile(
          { sha256: values.pdfSha256, size: values.pdfBytes, mediaType: 'application/pdf' },
          join(temp, PDF_NAME),
          m,
        );
        await this.evidence.storeBlobFile(
          { sha256: zip.sha256, size: zip.bytes, mediaType: 'application/zip' },
          join(temp, ZIP_NAME),
          m,
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
      onProgress?.({ progress: 100, stage: 'done' });
      this.log.log(
        `audit pack ${pack.id} (${pack.framework} ${pack.periodFrom}..${pack.periodTo}) ${finished ? 'built' : 'built, but another build holds it now'}: ${evidenceFiles.length} evidence files, ${zip.bytes} bytes in ${Date.now() - started} ms`,
      );
    } catch (e) {
      const reason = controller.signal.aborted ? controller.signal.reason : e;
      if (reason instanceof PackBuildInterruptedError) {
        this.log.warn(`audit pack ${pack.id}: build stopped: ${reason.message}`);
        if (this.stopping) await this.repo.release(pack.id, token).catch(() => undefined);
      } else {
        const message = (e as Error).message.slice(0, 2000);
        this.log.error(`audit pack ${pack.id} failed after ${Date.now() - started} ms: ${message}`, (e as Error).stack);
        await this.ds.transaction(async (m) => {
          if (!(await this.repo.finish(pack.id, token, { status: 'failed', error: message, stage: state.stage }, m)))
            return;
          await this.trail.append(
            {
              actor: BUILDER,
              action: 'pack.fail',
              subjectType: 'AuditPack',
              subjectId: pack.id,
              data: { stage: state.stage, error: message },
            },
            m,
          );
        });
      }
    } finally {
      clearInterval(timer);
      this.active.delete(pack.id);
      await rm(temp, { recursive: true, force: true });
      await rmdir(dir).catch(() => undefined); // empty unless another build of this pack is running here
    }
  }

  /** A stored file of a finished pack; packs built before packs were stored in the blob store have none. */
  private async openStored(pack: AuditPack, digest: string): Promise<Readable> {
    const reader = await this.evidence.blobReader([digest]);
    try {
      return reader.open(digest);
    } catch (e) {
      if (e instanceof NotFoundError) throw new PackFilesMissingError(pack.id);
      throw e;
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private async readablePack(actor: Actor, id: string): Promise<AuditPack> {
    return readableOr404(abilityFor(actor), 'AuditPack', await this.repo.findById(id), { entity: 'audit_pack', id });
  }

  private view(p: AuditPack): PackView {
    const done = p.status === 'done';
    return {
      id: p.id,
      framework: p.framework,
      from: p.periodFrom,
      to: p.periodTo,
      status: p.status,
      progress: p.progress,
      stage: p.stage,
      error: p.error,
      engagementId: p.engagementId,
      requestedBy: p.requestedBy,
      createdAt: p.createdAt.toISOString(),
      startedAt: p.startedAt?.toISOString() ?? null,
      finishedAt: p.finishedAt?.toISOString() ?? null,
      signerFingerprint: p.signerFingerprint,
      zip: done ? { sha256: p.zipSha256!, bytes: p.zipBytes!, download: `/api/packs/${p.id}/download` } : null,
      pdf: done ? { sha256: p.pdfSha256!, bytes: p.pdfBytes!, download: `/api/packs/${p.id}/pdf` } : null,
    };
  }
}
