import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { actorRef, type Actor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import type { Action } from '../authz/subjects';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import type { AuditAction } from '../audit-trail/domain/audit-actions';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/app-error';
import { describeSlot, quorum, type Signer } from './domain/document-approvals';
import { DOCUMENT_KEY, transition, type VersionEvent, type VersionStatus } from './domain/document-model';
import { verifySignature } from './domain/document-signature';
import type { DocumentView, SignatureView, VersionSummaryView, VersionView } from './dto/document.dto';
import { DocumentSignature } from './document-signature.entity';
import { DocumentTypesService } from './document-types.service';
import { DocumentVersion } from './document-version.entity';
import { Document } from './document.entity';
import { DocumentsRepository } from './documents.repository';

/**
 * What every documents use case shares: loading a document or version the caller may know (404 otherwise),
 * the rows as the CASL rules see them, the response views, and the audit-trail entry of a change.
 */
@Injectable()
export class DocumentRecords {
  constructor(
    private readonly repo: DocumentsRepository,
    private readonly trail: AuditTrailService,
    private readonly types: DocumentTypesService,
  ) {}

  /** A version as the rules see it: its columns with its document's owner department and audience. */
  versionSubject(doc: Document, v: DocumentVersion): object {
    return {
      ...v,
      ownerDepartment: doc.ownerDepartment,
      audienceEveryone: doc.audienceEveryone,
      audienceRoles: doc.audienceRoles,
      audienceDepartments: doc.audienceDepartments,
    };
  }

  /** The document the ability may read, or 404 (also for a key that cannot be one). */
  async readable(ability: AppAbility, key: string, m?: EntityManager): Promise<Document> {
    const row = DOCUMENT_KEY.test(key) ? await this.repo.findByKey(key, m) : null;
    return readableOr404(ability, 'Document', row, { entity: 'document', id: key });
  }

  /**
   * Locks the document for a change: 404 when the caller may not read it, 403 when they may read it but
   * not do `action` to it (as `subject`: the document itself unless said otherwise).
   */
  async lock(
    ability: AppAbility,
    key: string,
    m: EntityManager,
    check: { action: Action; as?: (doc: Document) => ReturnType<typeof asSubject> },
  ): Promise<Document> {
    const row = DOCUMENT_KEY.test(key) ? await this.repo.lockByKey(key, m) : null;
    const doc = await readableOr404(ability, 'Document', row, { entity: 'document', id: key });
    const subject = check.as ? check.as(doc) : asSubject('Document', doc);
    if (!ability.can(check.action, subject))
      throw new ForbiddenError('You may read this document but not do this to it.', 'document.not_yours');
    return doc;
  }

  /** The version of the document the ability may read, or 404. */
  async readableVersion(ability: AppAbility, doc: Document, n: number, m?: EntityManager): Promise<DocumentVersion> {
    const v = await this.repo.findVersion(doc.id, n, m);
    if (v && ability.can('read', asSubject('DocumentVersion', this.versionSubject(doc, v)))) return v;
    throw new NotFoundError('document_version', `${doc.key} v${n}`);
  }

  /** The document's versions the ability may read, newest first. */
  async readableVersions(ability: AppAbility, doc: Document): Promise<DocumentVersion[]> {
    return (await this.repo.versionsOf(doc.id)).filter((v) =>
      ability.can('read', asSubject('DocumentVersion', this.versionSubject(doc, v))),
    );
  }

  async documentView(doc: Document, versions?: DocumentVersion[]): Promise<DocumentView> {
    const controls = (await this.repo.controlsOf([doc.id])).get(doc.id) ?? [];
    return {
      ...this.summary(doc, controls),
      ...(versions ? { versions: versions.map(versionSummary) } : {}),
    };
  }

  async documentViews(docs: Document[]): Promise<DocumentView[]> {
    const controls = await this.repo.controlsOf(docs.map((d) => d.id));
    return docs.map((d) => this.summary(d, controls.get(d.id) ?? []));
  }

  private summary(doc: Document, controls: string[]): DocumentView {
    return {
      key: doc.key,
      title: doc.title,
      type: doc.type,
      ownerDepartment: doc.ownerDepartment,
      ownerUserId: doc.ownerUserId,
      audience: { everyone: doc.audienceEveryone, roles: doc.audienceRoles, departments: doc.audienceDepartments },
      reviewCadenceMonths: doc.reviewCadenceMonths,
      nextReviewOn: doc.nextReviewOn,
      publishedVersion: doc.publishedVersion,
      retiredAt: doc.retiredAt?.toISOString() ?? null,
      retiredReason: doc.retiredReason,
      controls,
      createdAt: doc.createdAt.toISOString(),
      updatedAt: doc.updatedAt.toISOString(),
    };
  }

  /** Approvers of the version's current round who signed `approved` (as they were when signing). */
  approvers(v: DocumentVersion, signatures: DocumentSignature[]): Signer[] {
    return signatures
      .filter((s) => s.round === v.round && s.meaning === 'approved')
      .map((s) => ({ userId: s.signerUserId, role: s.signerRole, departmentKey: s.signerDepartment }));
  }

  async versionView(doc: Document, v: DocumentVersion, m?: EntityManager): Promise<VersionView> {
    const signatures = (await this.repo.signaturesOf([v.id], m)).get(v.id) ?? [];
    const policy = this.types.of(doc.type);
    const state = quorum(policy, this.approvers(v, signatures), doc.ownerDepartment);
    return {
      documentKey: doc.key,
      number: v.number,
      status: v.status,
      sha256: v.sha256,
      content: v.content,
      changeSummary: v.changeSummary,
      material: v.material,
      effectiveOn: v.effectiveOn,
      round: v.round,
      createdBy: v.createdBy,
      createdAt: v.createdAt.toISOString(),
      submittedAt: v.submittedAt?.toISOString() ?? null,
      approvedAt: v.approvedAt?.toISOString() ?? null,
      publishedAt: v.publishedAt?.toISOString() ?? null,
      supersededAt: v.supersededAt?.toISOString() ?? null,
      retiredAt: v.retiredAt?.toISOString() ?? null,
      approval: {
        met: state.met,
        required: policy.approvers.map(describeSlot),
        missing: state.missing.map(describeSlot),
      },
      signatures: signatures.map((s) => signatureView(s, doc, v)),
    };
  }

  /** The version's status after `event`; 409 when the lifecycle does not allow it from where it is. */
  nextStatus(doc: Document, v: DocumentVersion, event: VersionEvent): VersionStatus {
    const to = transition(v.status, event);
    if (!to)
      throw new ConflictError(
        'document.wrong_status',
        `${doc.key} v${v.number} is ${v.status}: it cannot be ${EVENT_PARTICIPLES[event]} now.`,
      );
    return to;
  }

  /** One audit-trail entry for a change of a document, in the caller's transaction. */
  async audit(m: EntityManager, actor: Actor, action: AuditAction, doc: Document, data: JsonObject): Promise<void> {
    await this.trail.append(
      { actor: actorRef(actor), action, subjectType: 'Document', subjectId: doc.id, data: { key: doc.key, ...data } },
      m,
    );
  }

  /** An audit-trail entry on its own (a refused signature: recorded although nothing changes). */
  async record(actor: Actor, action: AuditAction, doc: Document, data: JsonObject): Promise<void> {
    await this.trail.record({
      actor: actorRef(actor),
      action,
      subjectType: 'Document',
      subjectId: doc.id,
      data: { key: doc.key, ...data },
    });
  }
}

const EVENT_PARTICIPLES: Record<VersionEvent, string> = {
  submit: 'submitted',
  approve: 'approved',
  reject: 'rejected',
  publish: 'published',
  supersede: 'superseded',
  retire: 'retired',
};

function versionSummary(v: DocumentVersion): VersionSummaryView {
  return {
    number: v.number,
    status: v.status,
    sha256: v.sha256,
    changeSummary: v.changeSummary,
    material: v.material,
    effectiveOn: v.effectiveOn,
    publishedAt: v.publishedAt?.toISOString() ?? null,
  };
}

function signatureView(s: DocumentSignature, doc: Document, v: DocumentVersion): SignatureView {
  return {
    id: s.id,
    signerUserId: s.signerUserId,
    signerRole: s.signerRole,
    meaning: s.meaning,
    reason: s.reason,
    round: s.round,
    signedAt: s.signedAt.toISOString(),
    versionSha256: s.versionSha256,
    recordSha256: s.recordSha256,
    valid: verifySignature(s, { id: v.id, documentKey: doc.key, number: v.number, content: v.content }),
  };
}
