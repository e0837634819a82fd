import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { asSubject } from '../authz/subject';
import type { ControlRef } from '../catalog/domain/control-refs';
import { CatalogService } from '../catalog/catalog.service';
import { FieldProblem, NotFoundError, ValidationError } from '../common/errors/app-error';
import { type Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { actorRef, type UserActor } from '../authz/actor';
import { BLOB_STORE, type BlobInfo, type BlobStore } from './blob-store';
import { contentTypeHeader } from '../common/files/content-sniffer';
import { checkPeriod, dayRange, parseEvidenceDate } from './domain/evidence-dates';
import {
  MAX_FILES_PER_ITEM,
  nestsDeeperThan,
  SOURCE_PATTERN,
  sourceFor,
  titleFrom,
  UUID,
  userIdOf,
  type EvidenceKind,
} from './domain/evidence-model';
import { cleanFilename, nameForType } from './domain/file-names';
import {
  CreateEvidenceDto,
  EvidenceQueryDto,
  EvidenceView,
  UploadEvidenceFieldsDto,
  validated,
} from './dto/evidence.dto';
import type { EvidenceFile } from './evidence-file.entity';
import type { Evidence } from './evidence.entity';
import {
  FileTypeRefusedError,
  NotYourControlError,
  AlreadySupersededError,
  UploadTooLargeError,
} from './evidence.errors';
import { EvidenceDetails, EvidenceRepository } from './evidence.repository';
import { StagedFile, UploadStaging } from './upload-staging';
import { dayOf } from '../common/time/days';

/** One part of a multipart upload, as the controller hands it over (fields and files in arrival order). */
export type UploadPart =
  | { type: 'field'; name: string; value: string; truncated: boolean }
  | {
      type: 'file';
      name: string;
      filename: string;
      stream: NodeJS.ReadableStream | AsyncIterable<Buffer>;
      truncated: () => boolean;
    };

/** A file to store with a new item: staged on disk (uploads) or in memory (generated JSON). */
interface NewFile {
  filename: string;
  mediaType: string;
  sha256: string;
  size: number;
  from: { path: string } | { bytes: Buffer };
}

interface NewItem {
  kind: EvidenceKind;
  title: string;
  description: string | null;
  source: string;
  actor: string;
  evidenceDate: Date;
  periodStart: string;
  periodEnd: string;
  supersedes: string | null;
  controls: ControlRef[];
  url?: string | null;
  statement?: string | null;
  checklist?: { question: string; answer: boolean }[] | null;
  files: NewFile[];
}

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

/** Deepest JSON nesting accepted in a snapshot. */
const MAX_SNAPSHOT_DEPTH = 64;
/** Fields of a multipart upload that may be given more than once. */
const REPEATABLE_FIELDS = new Set(['controls']);

/**
 * The evidence locker: immutable items (files, links, attestations, snapshots) linked to controls, with
 * content-addressed blobs. Every creation is one audit-trail entry in the same transaction; every
 * download is recorded too.
 */
@Injectable()
export class EvidenceService {
  private readonly log = new Logger('Evidence');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: EvidenceRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly staging: UploadStaging,
    private readonly catalog: CatalogService,
    private readonly trail: AuditTrailService,
  ) {}

  // ---- creating ----------------------------------------------------------------------------------

  /**
   * A multipart upload: one or more `file` parts and the item's fields. Files stream into staging (hashed,
   * counted, sniffed); once the request is read, the fields and types are checked and everything commits
   * in one transaction. Whatever happens, the staged files are removed.
   */
  async upload(actor: UserActor, parts: AsyncIterable<UploadPart>): Promise<EvidenceView> {
    const staged: StagedFile[] = [];
    const started = performance.now();
    try {
      const fields = new Map<string, string[]>();
      const problems: FieldProblem[] = [];
      let tooLarge: UploadTooLargeError | null = null;
      for await (const part of parts) {
        if (part.type === 'field') {
          if (part.truncated) problems.push({ field: part.name, message: 'is too long' });
          fields.set(part.name, [...(fields.get(part.name) ?? []), part.value]);
          continue;
        }
        if (tooLarge || part.name !== 'file' || staged.length >= MAX_FILES_PER_ITEM) {
          if (part.name !== 'file')
            problems.push({ field: part.name, message: 'is not an allowed file field: send files as "file"' });
          await drain(part.stream);
          continue;
        }
        try {
          staged.push(await this.staging.stage(part.stream, part.filename, part.truncated));
        } catch (e) {
          // Keep reading the request (busboy discards the rest of that file) so the client gets the 413.
          if (!(e instanceof UploadTooLargeError)) throw e;
          tooLarge = e;
        }
      }
      if (tooLarge) throw tooLarge;

      const plain: Record<string, unknown> = {};
      for (const [name, values] of fields) {
        if (values.length > 1 && !REPEATABLE_FIELDS.has(name))
          problems.push({ field: name, message: 'must be given once' });
        plain[name] = REPEATABLE_FIELDS.has(name) ? values : values[0];
      }
      const dto = await validated(UploadEvidenceFieldsDto, plain).catch((e: unknown) => {
        if (e instanceof ValidationError) problems.push(...e.errors);
        else throw e;
        return null;
      });
      if (staged.length === 0) problems.push({ field: 'file', message: 'at least one file part is required' });
      for (const f of staged)
        if (!f.sniffed.ok && f.sniffed.reason === 'empty')
          problems.push({ field: 'file', message: `is empty (${cleanFilename(f.filename, 'file')})` });
      if (problems.length || !dto) throw new ValidationError(problems);
      const files = staged.map((f, i) => this.acceptedFile(f, i + 1));

      const checked = await this.prepare(actor, dto);
      const read = performance.now();
      const id = await this.commit({
        kind: 'file',
        title: dto.title,
        description: dto.description ?? null,
        source: sourceFor('file', actor.via),
        actor: actorRef(actor),
        ...checked,
        periodStart: dto.periodStart,
        periodEnd: dto.periodEnd,
        files,
      });
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      this.log.debug(
        `evidence ${id}: ${files.length} file(s), ${bytes} bytes, received and staged in ${Math.round(read - started)} ms, stored in ${Math.round(performance.now() - read)} ms`,
      );
      return this.get(actor, id);
    } finally {
      await this.staging.discard(staged);
    }
  }

  /** A link, an attestation or a snapshot, from JSON. */
  async create(actor: UserActor, dto: CreateEvidenceDto): Promise<EvidenceView> {
    const misplaced: FieldProblem[] = [];
    const only = (field: 'url' | 'statement' | 'checklist' | 'data', kind: EvidenceKind) => {
      if (dto[field] !== undefined && dto.kind !== kind) misplaced.push({ field, message: `is only for kind ${kind}` });
    };
    only('url', 'link');
    only('statement', 'attestation');
    only('checklist', 'attestation');
    only('data', 'snapshot');
    if (dto.kind === 'snapshot' && dto.data && nestsDeeperThan(dto.data, MAX_SNAPSHOT_DEPTH))
      misplaced.push({ field: 'data', message: `nests deeper than ${MAX_SNAPSHOT_DEPTH} levels` });
    if (misplaced.length) throw new ValidationError(misplaced);

    const checked = await this.prepare(actor, dto);
    const common = {
      description: dto.description ?? null,
      source: sourceFor(dto.kind, actor.via),
      actor: actorRef(actor),
      ...checked,
      periodStart: dto.periodStart,
      periodEnd: dto.periodEnd,
    };
    let id: string;
    switch (dto.kind) {
      case 'link':
        id = await this.commit({ ...common, kind: 'link', title: dto.title!, url: dto.url!, files: [] });
        break;
      case 'snapshot':
        id = await this.commit({
          ...common,
          kind: 'snapshot',
          title: dto.title!,
          files: [this.jsonFile(dto.data as JsonObject, `snapshot-${dayOf(checked.evidenceDate)}.json`)],
        });
        break;
      case 'attestation':
        id = await this.commit(
          this.attestationItem(actor, {
            ...common,
            statement: dto.statement!,
            checklist: dto.checklist ?? null,
            title: dto.title,
          }),
        );
        break;
    }
    return this.get(actor, id);
  }

  /**
   * Automated collector output, stored as canonical JSON (RFC 8785, application/json), kind `snapshot`.
   * In the caller's transaction when `manager` is given. The controls must exist and not be retired.
   */
  async recordSnapshot(
    input: {
      actor: string;
      title: string;
      controlIds: string[];
      data: JsonObject;
      source: string;
      evidenceDate: Date;
      periodStart: string;
      periodEnd: string;
      /** Generated files stored next to the JSON (e.g. a PDF rendering of it). */
      attachments?: { filename: string; mediaType: string; bytes: Buffer }[];
    },
    manager?: EntityManager,
  ): Promise<{ id: string; sha256: string }> {
    const problems: FieldProblem[] = [...checkPeriod(input.periodStart, input.periodEnd)];
    if (!SOURCE_PATTERN.test(input.source))
      problems.push({ field: 'source', message: 'must be upload, api, attestation or collector:<name>' });
    if (input.title.trim() === '' || input.title.length > 200)
      problems.push({ field: 'title', message: 'must be 1 to 200 characters' });
    if (Number.isNaN(input.evidenceDate.getTime())) problems.push({ field: 'evidenceDate', message: 'is not a date' });
    if (nestsDeeperThan(input.data, MAX_SNAPSHOT_DEPTH))
      problems.push({ field: 'data', message: `nests deeper than ${MAX_SNAPSHOT_DEPTH} levels` });
    const controls = await this.liveControlsById(input.controlIds, problems);
    if (problems.length) throw new ValidationError(problems);
    const file = this.jsonFile(input.data, `${input.source.replace(':', '-')}-${dayOf(input.evidenceDate)}.json`);
    const id = await this.commit(
      {
        kind: 'snapshot',
        title: input.title.trim(),
        description: null,
        source: input.source,
        actor: input.actor,
        evidenceDate: input.evidenceDate,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        supersedes: null,
        controls,
        files: [
          file,
          ...(input.attachments ?? []).map((a) => ({
            filename: a.filename,
            mediaType: a.mediaType,
            sha256: createHash('sha256').update(a.bytes).digest('hex'),
            size: a.bytes.length,
            from: { bytes: a.bytes },
          })),
        ],
      },
      manager,
    );
    return { id, sha256: file.sha256 };
  }

  /** An owner's attestation ("no change this week"), kind `attestation`, only for controls they own. */
  async recordAttestation(
    input: {
      actor: UserActor;
      controlIds: string[];
      statement: string;
      checklist?: { question: string; answer: boolean }[];
      periodStart: string;
      periodEnd: string;
    },
    manager?: EntityManager,
  ): Promise<{ id: string }> {
    const problems: FieldProblem[] = [...checkPeriod(input.periodStart, input.periodEnd)];
    const statement = input.statement.trim();
    if (statement === '' || statement.length > 2000)
      problems.push({ field: 'statement', message: 'must be 1 to 2000 characters' });
    const controls = await this.liveControlsById(input.controlIds, problems);
    if (problems.length) throw new ValidationError(problems);
    this.assertMayAttach(input.actor, controls);
    const item = this.attestationItem(input.actor, {
      description: null,
      source: 'attestation',
      actor: actorRef(input.actor),
      evidenceDate: new Date(),
      periodStart: input.periodStart,
      periodEnd: input.periodEnd,
      supersedes: null,
      controls,
      statement,
      checklist: input.checklist?.length ? input.checklist : null,
    });
    return { id: await this.commit(item, manager) };
  }

  // ---- reading -----------------------------------------------------------------------------------

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
    });
    return { items: await this.views(rows), total, ...page };
  }

  async get(actor: UserActor, id: string): Promise<EvidenceView> {
    return (await this.views([await this.visible(actor, id)]))[0];
  }

  /** A file of an item, as a stream of its verified bytes; the download is recorded in the audit trail. */
  async download(actor: UserActor, id: string, n = 1): Promise<EvidenceDownload> {
    const item = await this.visible(actor, id);
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
   * in the caller's transaction, streamed in chunks and hashed again as stored. Not evidence: no item links
   * it. Every instance then reads it through blobReader().
   */
  async storeBlobFile(blob: BlobInfo, path: string, m: EntityManager): Promise<void> {
    await this.blobs.storeFile(blob, path, m);
  }

  /** Of `evidenceIds`, those that exist, are not superseded and serve the control. */
  linkedTo(controlId: string, evidenceIds: string[]): Promise<string[]> {
    return this.repo.linkedTo(controlId, evidenceIds);
  }

  // ---- internals ---------------------------------------------------------------------------------

  private async visible(actor: UserActor, id: string): Promise<Evidence> {
    const row = await this.repo.findById(id);
    // Rules may scope by the controls an item serves (auditors), so the row is checked with them.
    if (
      !row ||
      !abilityFor(actor).can(
        'read',
        asSubject('Evidence', { ...row, controlIds: await this.repo.controlIdsOf(row.id) }),
      )
    )
      throw new NotFoundError('evidence', id);
    return row;
  }

  /**
   * Checks what a person submits: the period, the evidence date, that the controls exist and are theirs
   * to attach evidence to, and that a superseded item is visible, theirs to correct and not yet corrected.
   */
  private async prepare(
    actor: UserActor,
    f: { controls: string[]; periodStart: string; periodEnd: string; evidenceDate?: string; supersedes?: string },
  ): Promise<{ controls: ControlRef[]; evidenceDate: Date; supersedes: string | null }> {
    const problems: FieldProblem[] = [...checkPeriod(f.periodStart, f.periodEnd)];
    let evidenceDate = new Date();
    if (f.evidenceDate !== undefined) {
      const parsed = parseEvidenceDate(f.evidenceDate, new Date());
      if (parsed instanceof Date) evidenceDate = parsed;
      else problems.push(parsed);
    }
    const found = await this.catalog.controlsByKeys(f.controls);
    const live = new Map(found.filter((c) => !c.retired).map((c) => [c.key, c]));
    const unknown = f.controls.filter((k) => !live.has(k));
    if (unknown.length) problems.push({ field: 'controls', message: `no such control: ${unknown.join(', ')}` });
    if (problems.length) throw new ValidationError(problems);
    const controls = f.controls.map((k) => live.get(k)!);
    this.assertMayAttach(actor, controls);

    if (f.supersedes === undefined) return { controls, evidenceDate, supersedes: null };
    const old = await this.repo.findById(f.supersedes);
    if (!old || !abilityFor(actor).can('read', asSubject('Evidence', old)))
      throw new ValidationError([{ field: 'supersedes', message: 'is not an evidence item' }]);
    if (await this.repo.isSuperseded(old.id)) throw new AlreadySupersededError(old.id);
    const oldControlIds = (await this.repo.details([old.id])).controlIds.get(old.id) ?? [];
    this.assertMayAttach(actor, await this.catalog.controlsByIds(oldControlIds));
    return { controls, evidenceDate, supersedes: old.id };
  }

  /** Owners attach evidence to their own controls only (rule in the ability factory, checked per control). */
  private assertMayAttach(actor: UserActor, controls: ControlRef[]): void {
    const ability = abilityFor(actor);
    for (const c of controls) {
      if (
        !ability.can(
          'create',
          asSubject('Evidence', { ownerUserId: c.ownerUserId, ownerDepartment: c.ownerDepartment }),
        )
      )
        throw new NotYourControlError(c.key);
    }
  }

  private async liveControlsById(ids: string[], problems: FieldProblem[]): Promise<ControlRef[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) {
      problems.push({ field: 'controlIds', message: 'must name at least one control' });
      return [];
    }
    const found = new Map(
      (await this.catalog.controlsByIds(unique.filter((id) => UUID.test(id))))
        .filter((c) => !c.retired)
        .map((c) => [c.id, c]),
    );
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length) problems.push({ field: 'controlIds', message: `no such live control: ${missing.join(', ')}` });
    return unique.flatMap((id) => found.get(id) ?? []);
  }

  private acceptedFile(f: StagedFile, n: number): NewFile {
    const filename = cleanFilename(f.filename, `file-${n}`);
    const allowed = this.config.evidenceAllowedTypes;
    if (!f.sniffed.ok) throw new FileTypeRefusedError(filename, f.sniffed.detail, allowed);
    if (!allowed.includes(f.sniffed.mediaType))
      throw new FileTypeRefusedError(filename, `the content is ${f.sniffed.mediaType}, which is not allowed`, allowed);
    return {
      filename: nameForType(filename, f.sniffed.mediaType),
      mediaType: f.sniffed.mediaType,
      sha256: f.sha256,
      size: f.size,
      from: { path: f.path },
    };
  }

  private jsonFile(data: unknown, filename: string): NewFile {
    const bytes = Buffer.from(canonicalize(data) ?? 'null', 'utf8');
    return {
      filename,
      mediaType: 'application/json',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      from: { bytes },
    };
  }

  private attestationItem(
    actor: UserActor,
    a: Omit<NewItem, 'kind' | 'title' | 'files'> & {
      statement: string;
      checklist: { question: string; answer: boolean }[] | null;
      title?: string;
    },
  ): NewItem {
    const checklist = a.checklist?.map((c) => ({ question: c.question, answer: c.answer })) ?? null;
    const document = {
      type: 'attestation',
      statement: a.statement,
      checklist: checklist ?? [],
      controls: a.controls.map((c) => c.key),
      periodStart: a.periodStart,
      periodEnd: a.periodEnd,
      attestedBy: actorRef(actor),
      attestedAt: a.evidenceDate.toISOString(),
    };
    return {
      ...a,
      kind: 'attestation',
      title: a.title ?? titleFrom('Attestation: ', a.statement),
      checklist,
      files: [this.jsonFile(document, `attestation-${dayOf(a.evidenceDate)}.json`)],
    };
  }

  /** Stores the blobs, the item, its links and files, and the audit-trail entry, in one transaction. */
  private commit(item: NewItem, manager?: EntityManager): Promise<string> {
    const run = async (m: EntityManager): Promise<string> => {
      for (const f of item.files) {
        if ('path' in f.from) await this.blobs.storeFile(f, f.from.path, m);
        else await this.blobs.storeBuffer(f.from.bytes, f.mediaType, m);
      }
      const id = await this.repo.insert(
        {
          kind: item.kind,
          title: item.title,
          description: item.description,
          source: item.source,
          submittedBy: userIdOf(item.actor),
          collectedAt: new Date(),
          evidenceDate: item.evidenceDate,
          periodStart: item.periodStart,
          periodEnd: item.periodEnd,
          supersedes: item.supersedes,
          url: item.url ?? null,
          statement: item.statement ?? null,
          checklist: item.checklist ?? null,
        },
        item.controls.map((c) => c.id),
        item.files.map((f, i) => ({
          n: i + 1,
          sha256: f.sha256,
          filename: f.filename,
          size: f.size,
          mediaType: f.mediaType,
        })),
        m,
      );
      await this.trail.append(
        {
          actor: item.actor,
          action: 'evidence.create',
          subjectType: 'Evidence',
          subjectId: id,
          data: {
            kind: item.kind,
            source: item.source,
            controls: item.controls.map((c) => c.key),
            sha256: item.files.map((f) => f.sha256),
            supersedes: item.supersedes,
          },
        },
        m,
      );
      return id;
    };
    return manager ? run(manager) : this.ds.transaction(run);
  }

  private async views(rows: Evidence[]): Promise<EvidenceView[]> {
    const details: EvidenceDetails = await this.repo.details(rows.map((r) => r.id));
    const controlIds = [...new Set([...details.controlIds.values()].flat())];
    const keys = new Map((await this.catalog.controlsByIds(controlIds)).map((c) => [c.id, c.key]));
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      description: r.description,
      source: r.source,
      submittedBy: r.submittedBy,
      collectedAt: r.collectedAt.toISOString(),
      evidenceDate: r.evidenceDate.toISOString(),
      periodStart: r.periodStart,
      periodEnd: r.periodEnd,
      supersedes: r.supersedes,
      supersededBy: details.supersededBy.get(r.id) ?? null,
      controls: (details.controlIds.get(r.id) ?? []).map((id) => keys.get(id) ?? id).sort(),
      url: r.url,
      statement: r.statement,
      checklist: r.checklist,
      files: (details.files.get(r.id) ?? []).map((f: EvidenceFile) => ({
        n: f.n,
        filename: f.filename,
        size: f.size,
        mediaType: f.mediaType,
        sha256: f.sha256,
        download: `/api/evidence/${r.id}/download?file=${f.n}`,
      })),
    }));
  }
}

/** Reads a stream to its end, discarding the bytes (a part that is refused still has to be consumed). */
async function drain(stream: NodeJS.ReadableStream | AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of stream as AsyncIterable<Buffer>) void _;
}
