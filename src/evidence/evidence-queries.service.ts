import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { CatalogService } from '../catalog/catalog.service';
import { NotFoundError, ValidationError } from '../common/errors/app-error';
import { contentTypeHeader } from '../common/files/content-sniffer';
import { type Page, pageOf } from '../common/http/pagination';
import { BLOB_STORE, type BlobStore } from './blob-store';
import { dayRange } from './domain/evidence-dates';
import { EvidenceQueryDto, EvidenceView } from './dto/evidence.dto';
import { EvidenceItems } from './evidence-items';
import { EvidenceRepository } from './evidence.repository';

export interface EvidenceDownload {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  stream: Readable;
}

/** An evidence item in an audit pack's period, with its files' metadata. */
export interface PeriodEvidence {
  id: string;
  kind: string;
  title: string;
  source: string;
  submittedBy: string | null;
  collectedAt: Date;
  evidenceDate: Date;
  periodStart: string;
  periodEnd: string;
  /** Of the controls asked about, those it serves. */
  controlIds: string[];
  files: { n: number; filename: string; sha256: string; size: number; mediaType: string }[];
}

/** Reading the locker: lists and items as the actor may see them, recorded downloads, and the lookups other modules make. */
@Injectable()
export class EvidenceQueriesService {
  constructor(
    private readonly repo: EvidenceRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly items: EvidenceItems,
    private readonly catalog: CatalogService,
    private readonly trail: AuditTrailService,
  ) {}

  async list(actor: UserActor, query: EvidenceQueryDto): Promise<Page<EvidenceView>> {
    const page = pageOf(query);
    const range = dayRange(query.from, query.to);
    if ('field' in range) throw new ValidationError([range]);
    let controlId: string | undefined;
    if (query.control) {
      const [control] = await this.catalog.controlsByKeys([query.control]);
      if (!control) return { items: [], total: 0, ...page };
      controlId = control.id;
    }
    const { rows, total } = await this.repo.list(abilityFor(actor), {
      ...page,
      ...range,
      controlId,
      kind: query.kind,
      submittedBy: query.submitter === 'me' ? actor.id : undefined,
      current: query.current,
      q: query.q,
    });
    return { items: await this.items.views(rows), total, ...page };
  }

  async get(actor: UserActor, id: string): Promise<EvidenceView> {
    return this.items.get(actor, id);
  }

  /** A file of an item, as a stream of its verified bytes; the download is recorded in the audit trail. */
  async download(actor: UserActor, id: string, n = 1): Promise<EvidenceDownload> {
    const item = await this.items.readable(actor, id);
    const found = await this.repo.file(item.id, n);
    if (!found) throw new NotFoundError('evidence_file', `${item.id} #${n}`);
    const { file, blob } = found;
    await this.trail.record({
      actor: actorRef(actor),
      action: 'evidence.download',
      subjectType: 'Evidence',
      subjectId: item.id,
      data: { file: n, sha256: file.sha256 },
    });
    return {
      filename: file.filename,
      contentType: contentTypeHeader(file.mediaType),
      size: file.size,
      sha256: file.sha256,
      stream: this.blobs.open(blob),
    };
  }

  /** Newest evidence date of the items not superseded (dated before `before`, when given), per control id (one query for all). */
  newestByControl(controlIds: string[], before?: Date): Promise<Map<string, Date>> {
    return this.repo.newestByControl(controlIds, before);
  }

  /**
   * For audit packs (system use, no caller to authorize): the items not superseded whose evidence date falls
   * in the Asia/Bangkok days from..to (inclusive) and that serve any of the controls, oldest first, with
   * their files' metadata. Their bytes are read through blobReader().
   */
  async forControlsInPeriod(controlIds: string[], from: string, to: string): Promise<PeriodEvidence[]> {
    const range = dayRange(from, to);
    if ('field' in range) throw new ValidationError([range]);
    const rows = await this.repo.inPeriodFor(controlIds, range.from!, range.before!);
    return rows.map(({ item: e, controlIds: ids, files }) => ({
      id: e.id,
      kind: e.kind,
      title: e.title,
      source: e.source,
      submittedBy: e.submittedBy,
      collectedAt: e.collectedAt,
      evidenceDate: e.evidenceDate,
      periodStart: e.periodStart,
      periodEnd: e.periodEnd,
      controlIds: ids,
      files: files.map((f) => ({
        n: f.n,
        filename: f.filename,
        sha256: f.sha256,
        size: f.size,
        mediaType: f.mediaType,
      })),
    }));
  }

  /** Of `evidenceIds`, those that exist, are not superseded and serve the control. */
  linkedTo(controlId: string, evidenceIds: string[]): Promise<string[]> {
    return this.repo.linkedTo(controlId, evidenceIds);
  }
}
