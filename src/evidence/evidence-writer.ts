import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import type { ControlRef } from '../catalog/domain/control-refs';
import { FieldProblem, ValidationError } from '../common/errors/app-error';
import { dayOf } from '../common/time/days';
import { BLOB_STORE, type BlobStore } from './blob-store';
import { checkPeriod, parseEvidenceDate } from './domain/evidence-dates';
import { titleFrom, UUID, userIdOf, type EvidenceKind } from './domain/evidence-model';
import { AlreadySupersededError, NotYourControlError } from './evidence.errors';
import { EvidenceRepository } from './evidence.repository';

/**
 * A file to store with a new item: staged on disk (uploads: written and hashed in one pass by
 * UploadStaging, so the store may keep the staged file without reading it again) or in memory (generated JSON).
 */
export interface NewFile {
  filename: string;
  mediaType: string;
  sha256: string;
  size: number;
  from: { path: string } | { bytes: Buffer };
}

export interface NewItem {
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

/** Deepest JSON nesting accepted in a snapshot. */
export const MAX_SNAPSHOT_DEPTH = 64;

/**
 * What every way of creating evidence shares: checking what is submitted (period, date, controls, the item
 * it supersedes), building generated JSON files, and committing an item with its blobs and audit entry.
 */
@Injectable()
export class EvidenceWriter {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: EvidenceRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly catalog: CatalogService,
    private readonly trail: AuditTrailService,
  ) {}

  /**
   * Checks what a person submits: the period, the evidence date, that the controls exist and are theirs
   * to attach evidence to, and that a superseded item is visible, theirs to correct and not yet corrected.
   */
  async prepare(
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
  assertMayAttach(actor: UserActor, controls: ControlRef[]): void {
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

  async liveControlsById(ids: string[], problems: FieldProblem[]): Promise<ControlRef[]> {
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

  jsonFile(data: unknown, filename: string): NewFile {
    const bytes = Buffer.from(canonicalize(data) ?? 'null', 'utf8');
    return {
      filename,
      mediaType: 'application/json',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      from: { bytes },
    };
  }

  attestationItem(
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
  commit(item: NewItem, manager?: EntityManager): Promise<string> {
    const run = async (m: EntityManager): Promise<string> => {
      for (const f of item.files) {
        if ('path' in f.from) await this.blobs.storeFile(f, f.from.path, m, true);
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
}
