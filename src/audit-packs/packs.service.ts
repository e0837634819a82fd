import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
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
import { PackFilesMissingError, PackNotReadyError } from './audit-packs.errors';
import { scopeProblems } from './domain/pack-period';
import type { PackQueryDto, PackView } from './dto/pack.dto';
import { PackBuilder } from './pack-builder.service';
import { ownedName } from '../common/fs/leftovers';
import { PACK_READ_LIMITS, readPackEntry, verifyPack, type PackVerification } from './pack-verifier';
import { MANIFEST_NAME } from './domain/pack-manifest';
import { PacksRepository } from './packs.repository';

export interface PackDownload {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  stream: Readable;
}

/**
 * Audit packs: requested for a framework and period (a second request for a scope that is queued or
 * building joins it), built in the background by PackBuilder, downloaded (audited) and verified.
 */
@Injectable()
export class PacksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: PacksRepository,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceBlobsService,
    private readonly builder: PackBuilder,
    private readonly trail: AuditTrailService,
  ) {}

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
        if (!result.joined && this.config.jobsEnabled) this.builder.enqueue(result.id);
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

  /**
   * The manifest.json of a finished pack (every file's name, size and SHA-256), read from its ZIP, so an
   * auditor can compare it without unpacking; the download is in the audit trail like the others.
   */
  async manifest(actor: Actor, id: string): Promise<PackDownload> {
    const pack = await this.readablePack(actor, id);
    if (pack.status !== 'done') throw new PackNotReadyError(pack.id, pack.status);
    const bytes = await this.withZipCopy(pack, 'manifest', (copy) =>
      readPackEntry(copy, MANIFEST_NAME, PACK_READ_LIMITS.manifest),
    );
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.trail.record({
      actor: actorRef(actor),
      action: 'pack.downloaded',
      subjectType: 'AuditPack',
      subjectId: pack.id,
      data: { format: 'manifest', sha256, framework: pack.framework, from: pack.periodFrom, to: pack.periodTo },
    });
    return {
      filename: `audit-pack-${pack.framework}-${pack.periodFrom}-${pack.periodTo}-manifest.json`,
      contentType: 'application/json',
      size: bytes.length,
      sha256,
      stream: Readable.from([bytes]),
    };
  }

  /** Checks a finished pack's ZIP as `attest pack verify` does (signatures, every file's hash). */
  async verify(actor: Actor, id: string): Promise<PackVerification> {
    const pack = await this.readablePack(actor, id);
    if (pack.status !== 'done') throw new PackNotReadyError(pack.id, pack.status);
    return this.withZipCopy(pack, 'verify', (copy) => verifyPack(copy));
  }

  /** Runs `use` on a scratch copy of the pack's ZIP (a ZIP is read from its central directory: a file). */
  private async withZipCopy<T>(pack: AuditPack, purpose: string, use: (path: string) => Promise<T>): Promise<T> {
    const scratch = join(this.config.dataDir, 'tmp', 'packs');
    await mkdir(scratch, { recursive: true });
    const copy = join(scratch, ownedName(purpose)); // a crash's leftover is removed at the next start (PackScratch)
    try {
      await pipeline(await this.openStored(pack, pack.zipSha256!), createWriteStream(copy));
      return await use(copy);
    } finally {
      await rm(copy, { force: true });
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
