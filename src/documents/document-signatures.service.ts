import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { ConflictError, ForbiddenError } from '../common/errors/app-error';
import { SigningPasswordService } from '../identity/signing-password.service';
import { isApprover, quorum, type Signer } from './domain/document-approvals';
import type { SignatureKind } from './domain/document-model';
import { signatureRecordSha256, type SignatureBinding } from './domain/document-signature';
import { RejectVersionDto, SignVersionDto, VersionView } from './dto/document.dto';
import { DocumentRecords } from './document-records';
import { DocumentTypesService } from './document-types.service';
import { DocumentVersion } from './document-version.entity';
import { Document } from './document.entity';
import { DocumentsRepository } from './documents.repository';

/**
 * Electronic signatures on versions in review (21 CFR 11-style): the signer enters their password again and
 * states the meaning; the record binds signer, time, meaning and the version's SHA-256. When the type's
 * approvers (controls/document-types.yaml) have all signed `approved`, the version is approved. A rejection
 * (with a reason) returns the version to draft. Every outcome, a refused password included, is audited.
 */
const SIGNING_CODES = {
  needsSession: 'document.signature_needs_session',
  wrongPassword: 'document.wrong_password',
} as const;

@Injectable()
export class DocumentSignaturesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DocumentsRepository,
    private readonly records: DocumentRecords,
    private readonly types: DocumentTypesService,
    private readonly signing: SigningPasswordService,
  ) {}

  async sign(actor: UserActor, key: string, n: number, dto: SignVersionDto): Promise<VersionView> {
    const ability = abilityFor(actor);
    const doc = await this.records.readable(ability, key);
    const v = await this.records.readableVersion(ability, doc, n);
    this.signing.requireSession(actor, SIGNING_CODES);
    this.checkSigner(ability, actor, doc, v, dto.meaning);
    await this.signing.confirm(actor, dto.password, SIGNING_CODES, () =>
      this.records.record(actor, 'document.sign_refused', doc, {
        version: n,
        meaning: dto.meaning,
        reason: 'wrong_password',
      }),
    );
    await this.ds.transaction(async (m) => {
      const { doc: locked, v: current } = await this.relock(ability, key, n, m);
      this.checkSigner(ability, actor, locked, current, dto.meaning);
      const signatures = (await this.repo.signaturesOf([current.id], m)).get(current.id) ?? [];
      if (signatures.some((s) => s.round === current.round && s.signerUserId === actor.id && s.meaning === dto.meaning))
        throw new ConflictError('document.already_signed', `You have already signed ${key} v${n} as ${dto.meaning}.`);
      const signature = await this.insert(m, actor, locked, current, dto.meaning, null);
      const approvers: Signer[] = [
        ...this.records.approvers(current, signatures),
        ...(dto.meaning === 'approved'
          ? [{ userId: actor.id, role: actor.role, departmentKey: actor.departmentKey }]
          : []),
      ];
      const state = quorum(this.types.of(locked.type), approvers, locked.ownerDepartment);
      if (state.met) {
        const status = this.records.nextStatus(locked, current, 'approve');
        await this.repo.updateVersion(current.id, { status, approvedAt: signature.signedAt }, m);
      }
      await this.records.audit(m, actor, 'document.sign', locked, {
        version: n,
        meaning: dto.meaning,
        sha256: current.sha256,
        signature: signature.id,
        record: signature.recordSha256,
        approved: state.met,
      });
    });
    return this.records.versionView(doc, await this.records.readableVersion(ability, doc, n));
  }

  /** Returns a version in review to draft, with the reason; any approver of the type may reject. */
  async reject(actor: UserActor, key: string, n: number, dto: RejectVersionDto): Promise<VersionView> {
    const ability = abilityFor(actor);
    await this.ds.transaction(async (m) => {
      const { doc, v } = await this.relock(ability, key, n, m);
      this.checkSigner(ability, actor, doc, v, 'approved');
      const status = this.records.nextStatus(doc, v, 'reject');
      const rejection = await this.insert(m, actor, doc, v, 'rejected', dto.reason);
      await this.repo.updateVersion(v.id, { status }, m);
      await this.records.audit(m, actor, 'document.reject', doc, {
        version: n,
        sha256: v.sha256,
        round: v.round,
        signature: rejection.id,
      });
    });
    const doc = await this.records.readable(ability, key);
    return this.records.versionView(doc, await this.records.readableVersion(ability, doc, n));
  }

  /**
   * 409 unless the version is in review; 403 unless the actor may sign at all and is one of the type's
   * approvers (a `reviewed` signature also from whoever may change the version: its authors).
   */
  private checkSigner(
    ability: AppAbility,
    actor: UserActor,
    doc: Document,
    v: DocumentVersion,
    meaning: SignatureKind,
  ): void {
    if (v.status !== 'in_review')
      throw new ConflictError(
        'document.wrong_status',
        `${doc.key} v${v.number} is ${v.status}: only a version in review is signed or rejected.`,
      );
    const signer = { userId: actor.id, role: actor.role, departmentKey: actor.departmentKey };
    const author = ability.can('update', asSubject('DocumentVersion', this.records.versionSubject(doc, v)));
    const allowed =
      ability.can('create', 'DocumentSignature') &&
      (isApprover(this.types.of(doc.type), signer, doc.ownerDepartment) || (meaning === 'reviewed' && author));
    if (!allowed)
      throw new ForbiddenError(
        `You are not one of the approvers a ${doc.type} needs (controls/document-types.yaml).`,
        'document.not_an_approver',
      );
  }

  private async relock(
    ability: AppAbility,
    key: string,
    n: number,
    m: EntityManager,
  ): Promise<{ doc: Document; v: DocumentVersion }> {
    const doc = await this.records.lock(ability, key, m, { action: 'read' });
    return { doc, v: await this.records.readableVersion(ability, doc, n, m) };
  }

  private async insert(
    m: EntityManager,
    actor: UserActor,
    doc: Document,
    v: DocumentVersion,
    meaning: SignatureKind,
    reason: string | null,
  ) {
    const binding: SignatureBinding = {
      documentKey: doc.key,
      versionId: v.id,
      versionNumber: v.number,
      versionSha256: v.sha256,
      signerUserId: actor.id,
      meaning,
      signedAt: new Date(),
      reason,
    };
    return this.repo.insertSignature(
      {
        ...binding,
        round: v.round,
        signerRole: actor.role,
        signerDepartment: actor.departmentKey,
        recordSha256: signatureRecordSha256(binding),
      },
      m,
    );
  }
}
