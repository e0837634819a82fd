import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { ConflictError, ForbiddenError } from '../common/errors/app-error';
import { formatDate, localDate } from '../common/time/calendar';
import { complianceTimeZone } from '../common/time/zone';
import { UsersService } from '../identity/users.service';
import { lineDiff } from './domain/document-diff';
import { contentEditable, contentSha256, isOpen, nextReviewOn } from './domain/document-model';
import {
  CreateVersionDto,
  DiffView,
  DocumentView,
  PublishVersionDto,
  RetireDocumentDto,
  UpdateVersionDto,
  VersionView,
} from './dto/document.dto';
import { DocumentAcknowledgementsService } from './document-acknowledgements.service';
import { DocumentRecords } from './document-records';
import { DocumentTypesService } from './document-types.service';
import { DocumentVersion } from './document-version.entity';
import { Document } from './document.entity';
import { DocumentsRepository } from './documents.repository';
import { renderVersionPdf } from './version-pdf';

/**
 * A document's versions: drafting (content editable only while a draft), submission for approval,
 * publication (the previous published version is superseded in the same transaction), reading and diffs.
 * Signatures and rejections are DocumentSignaturesService's.
 */
@Injectable()
export class DocumentVersionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DocumentsRepository,
    private readonly records: DocumentRecords,
    private readonly types: DocumentTypesService,
    private readonly acknowledgements: DocumentAcknowledgementsService,
    private readonly users: UsersService,
  ) {}

  async get(actor: UserActor, key: string, n: number): Promise<VersionView> {
    const ability = abilityFor(actor);
    const doc = await this.records.readable(ability, key);
    return this.records.versionView(doc, await this.records.readableVersion(ability, doc, n));
  }

  /**
   * The version as a PDF (identity, SHA-256, effective day, status, the signatures with their signers' names
   * and whether each still verifies, then the Markdown laid out), for whoever may read the version (404
   * otherwise, as for reading it).
   */
  async pdf(actor: UserActor, key: string, n: number): Promise<{ filename: string; body: Buffer }> {
    const ability = abilityFor(actor);
    const doc = await this.records.readable(ability, key);
    const view = await this.records.versionView(doc, await this.records.readableVersion(ability, doc, n));
    const names = await this.users.namesByIds([...new Set(view.signatures.map((s) => s.signerUserId))]);
    const body = await renderVersionPdf({
      documentKey: view.documentKey,
      title: doc.title,
      type: doc.type,
      ownerDepartment: doc.ownerDepartment,
      number: view.number,
      status: view.status,
      sha256: view.sha256,
      changeSummary: view.changeSummary,
      material: view.material,
      effectiveOn: view.effectiveOn,
      publishedAt: view.publishedAt ? new Date(view.publishedAt) : null,
      approval: { met: view.approval.met, required: view.approval.required },
      signatures: view.signatures.map((s) => ({
        signerName: names.get(s.signerUserId) ?? s.signerUserId,
        signerRole: s.signerRole,
        meaning: s.meaning,
        reason: s.reason,
        round: s.round,
        signedAt: new Date(s.signedAt),
        valid: s.valid,
      })),
      content: view.content,
      generatedAt: new Date(),
      zone: complianceTimeZone(),
    });
    return { filename: `${view.documentKey}-v${view.number}.pdf`, body };
  }

  /** A new draft; refused (409) while another version is on its way to publication. */
  async create(actor: UserActor, key: string, dto: CreateVersionDto): Promise<VersionView> {
    const ability = abilityFor(actor);
    const n = await this.ds.transaction(async (m) => {
      const doc = await this.records.lock(ability, key, m, {
        action: 'create',
        as: (d) => asSubject('DocumentVersion', this.records.versionSubject(d, {} as DocumentVersion)),
      });
      const versions = await this.repo.versionsOf(doc.id, m);
      const open = versions.find((v) => isOpen(v.status));
      if (open)
        throw new ConflictError(
          'document.open_version_exists',
          `${doc.key} v${open.number} is ${open.status}: finish or reject it before starting another version.`,
        );
      const v = await this.repo.insertVersion(
        {
          documentId: doc.id,
          number: (versions[0]?.number ?? 0) + 1,
          content: dto.content,
          sha256: contentSha256(dto.content),
          changeSummary: dto.changeSummary,
          material: dto.material,
          effectiveOn: dto.effectiveOn ?? null,
          status: 'draft',
          createdBy: actor.id,
        },
        m,
      );
      await this.records.audit(m, actor, 'document.version_create', doc, {
        version: v.number,
        sha256: v.sha256,
        material: v.material,
      });
      return v.number;
    });
    return this.get(actor, key, n);
  }

  /** Changes a draft; a submitted version's content is frozen (409). */
  async update(actor: UserActor, key: string, n: number, dto: UpdateVersionDto): Promise<VersionView> {
    const ability = abilityFor(actor);
    await this.ds.transaction(async (m) => {
      const { doc, v } = await this.lockVersion(ability, key, n, m, 'update');
      if (!contentEditable(v.status))
        throw new ConflictError(
          'document.version_frozen',
          `${doc.key} v${n} is ${v.status}: its content can no longer change; start a new version instead.`,
        );
      const content = dto.content ?? v.content;
      const sha256 = contentSha256(content);
      await this.repo.updateVersion(
        v.id,
        {
          content,
          sha256,
          ...(dto.changeSummary !== undefined ? { changeSummary: dto.changeSummary } : {}),
          ...(dto.material !== undefined ? { material: dto.material } : {}),
          ...(dto.effectiveOn !== undefined ? { effectiveOn: dto.effectiveOn } : {}),
        },
        m,
      );
      await this.records.audit(m, actor, 'document.version_update', doc, { version: n, sha256 });
    });
    return this.get(actor, key, n);
  }

  /** Sends a draft for approval: its content is frozen from here on and a new review round starts. */
  async submit(actor: UserActor, key: string, n: number): Promise<VersionView> {
    const ability = abilityFor(actor);
    this.types.types(); // 422 while controls/document-types.yaml is invalid: nobody could approve it
    await this.ds.transaction(async (m) => {
      const { doc, v } = await this.lockVersion(ability, key, n, m, 'update');
      const status = this.records.nextStatus(doc, v, 'submit');
      await this.repo.updateVersion(v.id, { status, round: v.round + 1, submittedAt: new Date() }, m);
      await this.records.audit(m, actor, 'document.submit', doc, { version: n, sha256: v.sha256, round: v.round + 1 });
    });
    return this.get(actor, key, n);
  }

  /**
   * Publishes an approved version: it takes effect on its effective day (given here, else the version's,
   * else today in the compliance time zone), the previously published version is superseded, the next
   * review is due a review cadence after the effective day, and a material version asks its audience for
   * acknowledgement (DocumentAcknowledgementsService).
   */
  async publish(actor: UserActor, key: string, n: number, dto: PublishVersionDto): Promise<VersionView> {
    const ability = abilityFor(actor);
    await this.ds.transaction(async (m) => {
      const { doc, v } = await this.lockVersion(ability, key, n, m, 'manage');
      const status = this.records.nextStatus(doc, v, 'publish');
      const now = new Date();
      const effectiveOn = dto.effectiveOn ?? v.effectiveOn ?? formatDate(localDate(now));
      const previous = (await this.repo.versionsOf(doc.id, m)).find((p) => p.status === 'published');
      if (previous) {
        await this.repo.updateVersion(
          previous.id,
          { status: this.records.nextStatus(doc, previous, 'supersede'), supersededAt: now },
          m,
        );
      }
      await this.repo.updateVersion(v.id, { status, publishedAt: now, effectiveOn }, m);
      // A material change asks the audience to acknowledge it, in this transaction; a non-material one does not.
      const asked = await this.acknowledgements.askOnPublication(doc, v, now, m);
      await this.repo.update(
        doc.id,
        {
          publishedVersion: n,
          firstPublishedAt: doc.firstPublishedAt ?? now,
          nextReviewOn: nextReviewOn(effectiveOn, doc.reviewCadenceMonths),
          retiredAt: null,
          retiredReason: null,
        },
        m,
      );
      await this.records.audit(m, actor, 'document.publish', doc, {
        version: n,
        sha256: v.sha256,
        effectiveOn,
        material: v.material,
        superseded: previous?.number ?? null,
        acknowledgementsAsked: asked,
      });
    });
    return this.get(actor, key, n);
  }

  /**
   * Retires a published document (compliance managers and admins): the version in force, and an approved
   * one waiting to replace it, become retired; nothing is in force and no review is due any more; pending
   * acknowledgement tasks are cancelled and none are asked for again. 409 when nothing is in force. A draft
   * or a version in review stays as it is: publishing a version later puts the document back in force.
   */
  async retire(actor: UserActor, key: string, dto: RetireDocumentDto): Promise<DocumentView> {
    const ability = abilityFor(actor);
    await this.ds.transaction(async (m) => {
      const doc = await this.records.lock(ability, key, m, { action: 'manage' });
      const versions = await this.repo.versionsOf(doc.id, m);
      const inForce = versions.find((v) => v.status === 'published');
      if (!inForce)
        throw new ConflictError(
          'document.wrong_status',
          `${doc.key} has no version in force${doc.retiredAt ? ' (it is retired already)' : ''}: only a published document can be retired.`,
        );
      const now = new Date();
      const retired: number[] = [];
      for (const v of versions.filter((x) => x.status === 'published' || x.status === 'approved')) {
        await this.repo.updateVersion(v.id, { status: this.records.nextStatus(doc, v, 'retire'), retiredAt: now }, m);
        retired.push(v.number);
      }
      const cancelled = await this.acknowledgements.cancelOnRetirement(doc, now, m);
      await this.repo.update(
        doc.id,
        { publishedVersion: null, nextReviewOn: null, retiredAt: now, retiredReason: dto.reason },
        m,
      );
      await this.records.audit(m, actor, 'document.retire', doc, {
        version: inForce.number,
        sha256: inForce.sha256,
        retiredVersions: retired,
        reason: dto.reason,
        acknowledgementsCancelled: cancelled,
      });
    });
    const doc = await this.records.readable(ability, key);
    return this.records.documentView(doc, await this.records.readableVersions(ability, doc));
  }

  /** A line diff from the older to the newer of two versions the caller may read. */
  async diff(actor: UserActor, key: string, n: number, against: number): Promise<DiffView> {
    const ability = abilityFor(actor);
    const doc = await this.records.readable(ability, key);
    const [a, b] = await Promise.all([
      this.records.readableVersion(ability, doc, Math.min(n, against)),
      this.records.readableVersion(ability, doc, Math.max(n, against)),
    ]);
    return { documentKey: doc.key, from: a.number, to: b.number, ...lineDiff(a.content, b.content) };
  }

  /**
   * Locks the document, then finds its version: 404 when the caller may not read either, 403 when they may
   * read the version but not do `action` to it.
   */
  private async lockVersion(
    ability: AppAbility,
    key: string,
    n: number,
    m: EntityManager,
    action: 'update' | 'manage',
  ): Promise<{ doc: Document; v: DocumentVersion }> {
    const doc = await this.records.lock(ability, key, m, { action: 'read' });
    const v = await this.records.readableVersion(ability, doc, n, m);
    if (!ability.can(action, asSubject('DocumentVersion', this.records.versionSubject(doc, v))))
      throw new ForbiddenError(
        action === 'manage'
          ? 'Only a compliance manager publishes documents.'
          : 'You may read this version but not change it.',
        'document.not_yours',
      );
    return { doc, v };
  }
}
