import { Injectable } from '@nestjs/common';
import { toJsonObject, type JsonObject } from '../audit-trail/domain/audit-entry';
import { UsersService } from '../identity/users.service';
import type { ReleaseDecision, ReleaseGatesPolicy } from './domain/release-model';
import { ReleaseGatesService } from './release-gates.service';
import type { ReleaseAttachment, ReleaseSignature } from './release-records.entity';
import type { Release } from './release.entity';
import { ReleasesRepository } from './releases.repository';
import { ReleasesService } from './releases.service';

/** Releases built in a period with their records, as an audit pack states them at a moment (pack-releases). */
export interface ReleasePeriodRecords {
  releases: Release[];
  attachments: ReleaseAttachment[];
  signatures: ReleaseSignature[];
  /** Names of the signers. */
  names: Map<string, string>;
  policy: ReleaseGatesPolicy;
}

/** A release as the weekly snapshot states it (null decision: its product is no longer configured). */
interface ReleaseSnapshot {
  product: string;
  version: string;
  commit: string;
  builtAt: string;
  releaseSha256: string | null;
  approved: boolean | null;
  missing: ReleaseDecision['missing'];
  gates: { key: string; passed: boolean; reason: string | null; signer: string | null; signedAt: string | null }[];
  excepted: string[];
}

/**
 * The releases of a period as evidence, read by the system: the records an audit pack states at its moment
 * (audit-packs/pack-releases), and the weekly snapshot of the release gates for the sweep's collector.
 */
@Injectable()
export class ReleaseRegisterService {
  constructor(
    private readonly repo: ReleasesRepository,
    private readonly gates: ReleaseGatesService,
    private readonly releases: ReleasesService,
    private readonly users: UsersService,
  ) {}

  /** Releases built within [from, to), oldest first, with every attachment and signature (the system reads all). */
  async builtBetween(from: Date, to: Date): Promise<ReleasePeriodRecords> {
    const policy = this.gates.policy();
    const releases = await this.repo.builtBetween(from, to);
    const ids = releases.map((r) => r.id);
    const [attachments, signatures] = await Promise.all([this.repo.attachmentsOf(ids), this.repo.signaturesOf(ids)]);
    const names = await this.users.namesByIds(signatures.map((s) => s.signerUserId));
    return { releases, attachments, signatures, names, policy };
  }

  /**
   * The weekly evidence of the release gates (ENG-06): the releases built within [from, to) with their gates,
   * signatures and decision at `now` (a product controls/release-gates.yaml no longer lists has none).
   */
  async registerSnapshot(from: Date, to: Date, now: Date): Promise<JsonObject> {
    const releases: ReleaseSnapshot[] = [];
    for (const r of await this.repo.builtBetween(from, to)) releases.push(await this.snapshotOf(r, now));
    const approved = releases.filter((r) => r.approved === true).length;
    const notApproved = releases.filter((r) => r.approved === false).length;
    return toJsonObject({
      at: now.toISOString(),
      period: { from: from.toISOString(), to: to.toISOString() },
      counts: { releases: releases.length, approved, notApproved },
      releases,
    });
  }

  private async snapshotOf(r: Release, now: Date): Promise<ReleaseSnapshot> {
    const base = { product: r.product, version: r.version, commit: r.commit, builtAt: r.builtAt.toISOString() };
    if (!this.gates.policy().products.some((p) => p.key === r.product))
      return { ...base, releaseSha256: null, approved: null, missing: [], gates: [], excepted: [] };
    const d = await this.releases.detail(r, undefined, now);
    return {
      ...base,
      releaseSha256: d.releaseSha256,
      approved: d.decision.approved,
      missing: d.decision.missing,
      gates: d.gates.map((g) => ({
        key: g.key,
        passed: g.passed,
        reason: g.reason,
        signer: g.signature?.signer ?? null,
        signedAt: g.signature?.signedAt ?? null,
      })),
      excepted: d.findings.excepted.map((f) => f.fingerprint),
    };
  }
}
