import { Inject, Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { CheckpointService } from '../audit-trail/checkpoint.service';
import { CatalogService } from '../catalog/catalog.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { APP_VERSION } from '../config/app-root';
import { DrillsService } from '../dsr/drills.service';
import { DsrClockService } from '../dsr/dsr-clocks.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { UsersService } from '../identity/users.service';
import { RiskReportsService } from '../risks/risk-reports.service';
import { SweepsService } from '../sweeps/sweeps.service';
import { evidencePath, type ManifestFile } from './domain/pack-manifest';
import { freshnessAsOf } from './domain/pack-period';
import type { PackControl, PackDrill, PackEvidenceItem, PackHeatmap, PackModel, PackRiskSummary } from './pack-model';
import { endOfDay, startOfDay } from '../common/time/days';

/** An evidence file the ZIP carries: where, what, and the blob to stream. */
export interface PackEvidenceFile extends ManifestFile {
  /** Blob hash to read the bytes from (equal to sha256). */
  blob: string;
}

export interface CollectedPack {
  model: PackModel;
  /** One per ZIP path, in the order the PDF lists them. */
  evidenceFiles: PackEvidenceFile[];
}

const REGISTERS = ['iso14971', 'security'] as const;
const DRILL_PAGE = 200;

/**
 * Gathers what an audit pack says, from the other modules' services only: the framework's catalog, the
 * evidence dated in the period, the sweeps, the risk registers, DSR drills and clock statistics (counts, no
 * identity), and the audit trail's head, last signed checkpoint and verification.
 */
@Injectable()
export class PackCollector {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceQueriesService,
    private readonly sweeps: SweepsService,
    private readonly risks: RiskReportsService,
    private readonly dsrClocks: DsrClockService,
    private readonly drills: DrillsService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly checkpoints: CheckpointService,
  ) {}

  async collect(
    scope: { framework: string; from: string; to: string },
    signer: PackModel['signer'],
    now = new Date(),
  ): Promise<CollectedPack> {
    const start = startOfDay(scope.from);
    const end = endOfDay(scope.to); // exclusive: 00:00 of the day after `to`
    const asOf = freshnessAsOf(scope.to, now);
    const cat = await this.catalog.frameworkCatalog(scope.framework);
    const controlIds = cat.controls.map((c) => c.id);
    const keyOf = new Map(cat.controls.map((c) => [c.id, c.key]));
    const position = new Map(cat.controls.map((c, i) => [c.id, i]));

    const [items, freshness, sweeps] = await Promise.all([
      this.evidence.forControlsInPeriod(controlIds, scope.from, scope.to),
      this.sweeps.freshnessAt(new Date(asOf.at)),
      this.sweeps.periodReport(scope.from, scope.to, controlIds, now),
    ]);
    const submitters = await this.users.namesByIds(items.flatMap((i) => (i.submittedBy ? [i.submittedBy] : [])));

    // Each file goes once into the ZIP, under the first (in catalog order) of the item's controls in scope.
    const byControl = new Map<string, PackEvidenceItem[]>();
    const files = new Map<string, PackEvidenceFile>();
    for (const item of items) {
      const home = [...item.controlIds].sort((a, b) => position.get(a)! - position.get(b)!)[0];
      const packItem: PackEvidenceItem = {
        id: item.id,
        title: item.title,
        kind: item.kind,
        collectedAt: item.collectedAt.toISOString(),
        periodStart: item.periodStart,
        periodEnd: item.periodEnd,
        submitter: item.submittedBy
          ? (submitters.get(item.submittedBy) ?? `user:${item.submittedBy}`)
          : `system:${item.source.replace(/^collector:/, '')}`,
        files: item.files.map((f) => {
          const zipPath = evidencePath(keyOf.get(home)!, f.sha256, f.filename);
          if (!files.has(zipPath))
            files.set(zipPath, { path: zipPath, sha256: f.sha256, size: f.size, blob: f.sha256 });
          return { n: f.n, filename: f.filename, sha256: f.sha256, size: f.size, mediaType: f.mediaType, zipPath };
        }),
      };
      for (const controlId of item.controlIds) {
        const list = byControl.get(controlId);
        if (list) list.push(packItem);
        else byControl.set(controlId, [packItem]);
      }
    }

    const controls: PackControl[] = cat.controls.map((c) => ({
      key: c.key,
      title: c.title,
      ownerDepartment: c.ownerDepartment,
      ownerName: c.ownerName,
      cadence: c.cadence,
      status: freshness.get(c.id) ?? 'missing',
      requirements: c.requirements,
      evidence: byControl.get(c.id) ?? [],
    }));

    const [risks, drills, dsr, head, verified] = await Promise.all([
      Promise.all(REGISTERS.map((r) => this.riskSummary(r))),
      this.drillsBetween(start, end),
      this.dsrClocks.clockStatistics(start, end, now),
      this.trail.head(),
      this.trail.verify(),
    ]);
    const checkpoint = await this.checkpoints.latestSigned();

    const model: PackModel = {
      organisation: this.config.organisationName,
      framework: { key: cat.framework.key, name: cat.framework.name, version: cat.framework.edition || null },
      period: { from: scope.from, to: scope.to },
      generatedAt: now.toISOString(),
      freshnessAsOf: asOf,
      generator: { name: 'Attest', version: APP_VERSION },
      signer,
      scopeAndMethod: [
        `Framework ${cat.framework.name} (${cat.framework.key}${cat.framework.edition ? `, ${cat.framework.edition}` : ''}): ${cat.requirements.length} requirements, ${cat.controls.length} controls mapped to them.`,
        `Period ${scope.from} to ${scope.to}, whole days in Asia/Bangkok.`,
        'Evidence: every current (not superseded) item linked to a control in scope whose evidence date falls in the period; each file is in the ZIP under evidence/<control>/<sha256>-<name> and listed with its SHA-256 in manifest.json.',
        `Control status is freshness ${asOf.statement}, from each control's cadence and its newest evidence dated before then.`,
        "Sweeps: the weekly sweeps of the ISO weeks touching the period, counting only the tasks of controls in scope; late means completed after the due time the task had, or still open after it (at the period's end, or at generation if earlier). A sweep opened less than one working day before its usual due time gives its tasks the next working day's due time instead.",
        'Risk registers, DSR drills and DSR clock statistics are included without any data subject identity.',
        'The audit trail head, its last signed checkpoint and the result of verifying the hash chain are stated as at generation.',
        'This PDF is signed (PAdES); manifest.json is signed with a detached CMS signature by the same certificate (certificate.pem).',
      ],
      requirements: cat.requirements.map((r) => ({
        ref: r.ref,
        title: r.title,
        group: r.group || null,
        applicable: r.notApplicable === null,
        notApplicableReason: r.notApplicable,
        controls: r.controls,
      })),
      controls,
      sweeps: sweeps.weeks,
      exceptions: sweeps.irregular,
      risks,
      drills,
      dsr,
      auditTrail: {
        headSeq: head?.seq ?? 0,
        headHash: head?.hash ?? '',
        lastCheckpoint: checkpoint
          ? {
              seq: checkpoint.seq,
              hash: checkpoint.hash,
              at: checkpoint.at ?? '',
              keyFingerprint: checkpoint.keyFingerprint,
            }
          : null,
        verified: verified.ok,
      },
    };
    return { model, evidenceFiles: [...files.values()] };
  }

  private async riskSummary(register: (typeof REGISTERS)[number]): Promise<PackRiskSummary> {
    const o = await this.risks.registerOverview(register);
    const byStatus: Record<string, number> = {};
    const byResidualLevel: Record<string, number> = {};
    let total = 0;
    for (const row of o.summary) {
      total += row.count;
      byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
      const level = row.residualLevel ?? row.level; // residual, else the initial level (as the heat map's "after")
      byResidualLevel[level] = (byResidualLevel[level] ?? 0) + row.count;
    }
    const severities = o.heatmap.severity.map((s) => s.level);
    const probabilities = o.heatmap.probability.map((p) => p.level);
    const grid = (cells: { severity: string; probability: string; count: number }[]) => {
      const out = severities.map(() => probabilities.map(() => 0));
      for (const c of cells) {
        const s = severities.indexOf(c.severity);
        const p = probabilities.indexOf(c.probability);
        if (s >= 0 && p >= 0) out[s][p] = c.count;
      }
      return out;
    };
    const levels = severities.map(() => probabilities.map(() => ''));
    for (const c of o.heatmap.before) {
      const s = severities.indexOf(c.severity);
      const p = probabilities.indexOf(c.probability);
      if (s >= 0 && p >= 0) levels[s][p] = c.level;
    }
    const heatmap: PackHeatmap = {
      register,
      severities,
      probabilities,
      before: grid(o.heatmap.before),
      after: grid(o.heatmap.after),
      levels,
    };
    return {
      register,
      total,
      byStatus,
      byResidualLevel,
      heatmap: total > 0 || severities.length ? heatmap : null,
      lastReview: o.latestReview
        ? {
            reviewedAt: o.latestReview.reviewedAt,
            reviewer: o.latestReview.reviewerName ?? `user:${o.latestReview.reviewerUserId}`,
            notes: o.latestReview.notes,
          }
        : null,
    };
  }

  /** Drills started in [start, end), oldest first (the drill list is newest first, paged). */
  private async drillsBetween(start: Date, end: Date): Promise<PackDrill[]> {
    const out: PackDrill[] = [];
    for (let offset = 0; ; offset += DRILL_PAGE) {
      const page = await this.drills.list({ limit: DRILL_PAGE, offset });
      for (const d of page.items) {
        const at = new Date(d.startedAt);
        if (at < start || at >= end || d.passed === null) continue;
        const r = (d.report ?? {}) as {
          durationMs?: number;
          residue?: number;
          exportComplete?: boolean;
          failures?: string[];
        };
        out.push({
          startedAt: d.startedAt,
          passed: d.passed,
          durationMs: r.durationMs ?? 0,
          residue: r.residue ?? 0,
          exportComplete: r.exportComplete ?? false,
          failures: r.failures ?? [],
        });
      }
      const last = page.items[page.items.length - 1];
      if (!last || page.items.length < DRILL_PAGE || new Date(last.startedAt) < start) break;
    }
    return out.reverse();
  }
}
