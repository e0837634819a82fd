import { Injectable } from '@nestjs/common';
import { UsersService } from '../identity/users.service';
import { reviewState, type ReviewState } from './domain/document-review';
import { verifySignature } from './domain/document-signature';
import {
  acknowledgementRate,
  acknowledgementsAt,
  inForceDuring,
  type AcknowledgementSummary,
} from './domain/policy-records';
import type { DocumentSignature } from './document-signature.entity';
import { DocumentAcknowledgementsRepository } from './document-acknowledgements.repository';
import { DocumentAcknowledgementsService } from './document-acknowledgements.service';
import type { DocumentVersion } from './document-version.entity';
import type { Document } from './document.entity';
import { DocumentsRepository } from './documents.repository';

/** One approval signature as evidence: who, in which capacity, what they stated, when, and whether it holds now. */
export interface PolicyApproval {
  signerUserId: string;
  signer: string | null;
  role: string;
  department: string | null;
  meaning: string;
  round: number;
  signedAt: string;
  versionSha256: string;
  recordSha256: string;
  /** The content's hash recomputed now is the one signed, and the record hash holds. */
  valid: boolean;
}

/** A version in force with its approval records. */
export interface PolicyVersionRecord {
  number: number;
  sha256: string;
  changeSummary: string;
  material: boolean;
  effectiveOn: string | null;
  publishedAt: string | null;
  supersededAt: string | null;
  approvals: PolicyApproval[];
}

/** One person of the roster at the snapshot's time (no e-mail: evidence goes to auditors). */
export interface PolicyRosterEntry {
  userId: string;
  name: string;
  department: string | null;
  role: string;
  status: string;
  version: number | null;
  dueAt: string | null;
  acknowledgedAt: string | null;
}

/** A document in force at the snapshot's time (the `policy-status` collector). */
export interface PolicyStatusDocument {
  key: string;
  title: string;
  type: string;
  ownerDepartment: string;
  owner: string | null;
  controls: string[];
  reviewCadenceMonths: number;
  nextReviewOn: string | null;
  /** At the snapshot's time (domain/document-review): scheduled, due_soon (from 30 days before) or overdue. */
  reviewState: ReviewState | null;
  inForce: PolicyVersionRecord;
  acknowledgements: {
    basisVersion: number | null;
    counts: { audience: number; acknowledged: number; pending: number; overdue: number };
    people: PolicyRosterEntry[];
  };
}

/** A document in force during a period (the audit pack's policy index). */
export interface PolicyIndexDocument {
  key: string;
  title: string;
  type: string;
  ownerDepartment: string;
  controls: string[];
  /** The versions in force at some time of the period, oldest first. */
  versions: PolicyVersionRecord[];
  /** As the records stood at the period's end (see acknowledgementsAt). */
  acknowledgementsAtEnd: AcknowledgementSummary;
}

/**
 * Controlled documents as evidence (issue 17): the approval records and acknowledgement rosters of the
 * documents in force, for the weekly `policy-status` collector and for the audit pack's policy index. These
 * methods check no caller: the sweep and the pack builder run as the system, and what they produce is read
 * through the evidence and pack rules.
 */
@Injectable()
export class DocumentEvidenceService {
  constructor(
    private readonly repo: DocumentsRepository,
    private readonly acknowledgements: DocumentAcknowledgementsService,
    private readonly tasks: DocumentAcknowledgementsRepository,
    private readonly users: UsersService,
  ) {}

  /**
   * Every document in force at `now` (a published version), by key, with the version's approval signatures
   * (validity re-verified) and the roster at `now`: everyone in the audience with their state.
   */
  async policyStatus(now: Date): Promise<PolicyStatusDocument[]> {
    const out: PolicyStatusDocument[] = [];
    const docs = await this.repo.publishedDocuments();
    const controls = await this.repo.controlsOf(docs.map((d) => d.id));
    for (const doc of docs) {
      const inForce = (await this.repo.versionsOf(doc.id)).find(
        (v) => v.number === doc.publishedVersion && v.status === 'published',
      );
      if (!inForce) continue;
      const [record] = await this.versionRecords(doc, [inForce]);
      const { basis, people } = await this.acknowledgements.rosterOf(doc, now);
      const counts = { audience: people.length, acknowledged: 0, pending: 0, overdue: 0 };
      for (const p of people) counts[p.entry.status]++;
      const names = await this.users.namesByIds([doc.ownerUserId]);
      out.push({
        key: doc.key,
        title: doc.title,
        type: doc.type,
        ownerDepartment: doc.ownerDepartment,
        owner: names.get(doc.ownerUserId) ?? null,
        controls: controls.get(doc.id) ?? [],
        reviewCadenceMonths: doc.reviewCadenceMonths,
        nextReviewOn: doc.nextReviewOn,
        reviewState: doc.nextReviewOn ? reviewState(doc.nextReviewOn, now) : null,
        inForce: record!,
        acknowledgements: {
          basisVersion: basis,
          counts,
          people: people.map(({ entry: e }) => ({
            userId: e.userId,
            name: e.name,
            department: e.department,
            role: e.role,
            status: e.status,
            version: e.versionNumber,
            dueAt: e.dueAt,
            acknowledgedAt: e.acknowledgedAt,
          })),
        },
      });
    }
    return out;
  }

  /**
   * The documents in force at some time of [start, end) (a version published before `end` and not superseded
   * by `start`), by key: those versions with their effective days and approvals, and the acknowledgement
   * counts as the records stood at `end`.
   */
  async policyIndex(start: Date, end: Date): Promise<PolicyIndexDocument[]> {
    const out: PolicyIndexDocument[] = [];
    const docs = await this.repo.documentsPublishedBefore(end);
    const controls = await this.repo.controlsOf(docs.map((d) => d.id));
    for (const doc of docs) {
      const versions = (await this.repo.versionsOf(doc.id)).reverse();
      const during = versions.filter((v) => inForceDuring(v, start, end));
      if (during.length === 0) continue;
      const counts = acknowledgementsAt(versions, await this.tasks.allOfDocument(doc.id), end);
      out.push({
        key: doc.key,
        title: doc.title,
        type: doc.type,
        ownerDepartment: doc.ownerDepartment,
        controls: controls.get(doc.id) ?? [],
        versions: await this.versionRecords(doc, during),
        acknowledgementsAtEnd: { ...counts, ratePercent: acknowledgementRate(counts) },
      });
    }
    return out;
  }

  /** Versions with the signatures of the review round that approved them (rejections of earlier rounds left out). */
  private async versionRecords(doc: Document, versions: DocumentVersion[]): Promise<PolicyVersionRecord[]> {
    const signatures = await this.repo.signaturesOf(versions.map((v) => v.id));
    const approvalsOf = (v: DocumentVersion): DocumentSignature[] =>
      (signatures.get(v.id) ?? []).filter((s) => s.round === v.round && s.meaning !== 'rejected');
    const names = await this.users.namesByIds(versions.flatMap((v) => approvalsOf(v).map((s) => s.signerUserId)));
    return versions.map((v) => ({
      number: v.number,
      sha256: v.sha256,
      changeSummary: v.changeSummary,
      material: v.material,
      effectiveOn: v.effectiveOn,
      publishedAt: v.publishedAt?.toISOString() ?? null,
      supersededAt: v.supersededAt?.toISOString() ?? null,
      approvals: approvalsOf(v).map((s) => ({
        signerUserId: s.signerUserId,
        signer: names.get(s.signerUserId) ?? null,
        role: s.signerRole,
        department: s.signerDepartment,
        meaning: s.meaning,
        round: s.round,
        signedAt: s.signedAt.toISOString(),
        versionSha256: s.versionSha256,
        recordSha256: s.recordSha256,
        valid: verifySignature(s, { id: v.id, documentKey: doc.key, number: v.number, content: v.content }),
      })),
    }));
  }
}
