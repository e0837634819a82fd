import { Inject, Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor, ENGAGEMENT_RESOURCE_FRAMEWORKS } from '../authz/ability.factory';
import { systemActor } from '../authz/actor';
import { CheckpointService } from '../audit-trail/checkpoint.service';
import { CatalogExportService } from '../catalog/catalog-export.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { APP_VERSION } from '../config/app-root';
import { DrillsService } from '../dsr/drills.service';
import { DsrClockService } from '../dsr/dsr-clocks.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { UsersService } from '../identity/users.service';
import { IncidentPolicyService } from '../incidents/incident-policy.service';
import { IncidentsService } from '../incidents/incidents.service';
import { RiskReportsService } from '../risks/risk-reports.service';
import { SweepPostureService } from '../sweeps/sweep-posture.service';
import { freshnessAsOf, type FreshnessAsOf } from './domain/pack-period';
import {
  auditTrailSummary,
  packControls,
  packEvidence,
  type PackEvidenceFile,
  packRequirements,
  scopeAndMethod,
} from './pack-contents';
import { packIncidents } from './pack-incidents';
import type {
  PackDrill,
  PackFindings,
  PackHeatmap,
  PackIncidents,
  PackKeys,
  PackModel,
  PackPolicies,
  PackReleases,
  PackRiskSummary,
} from './pack-model';
import { packPolicies } from './pack-policies';
import { DocumentEvidenceService } from '../documents/document-evidence.service';
import { FindingsService } from '../findings/findings.service';
import { KeysService } from '../keys/keys.service';
import { ReleaseRegisterService } from '../releases/release-register.service';
import { acceptedExceptionsAt, packFindings, packKeys } from './pack-secops';
import { packReleases } from './pack-releases';
import { endOfDay, startOfDay } from '../common/time/days';

export type { PackEvidenceFile } from './pack-contents';

export interface CollectedPack {
  model: PackModel;
  /** One per ZIP path, in the order the PDF lists them. */
  evidenceFiles: PackEvidenceFile[];
}

const REGISTERS = ['iso14971', 'security'] as const;
const DRILL_PAGE = 200;
/** The pack reads incidents as the system (the builder runs in the background, for whoever asked). */
const PACK_READER = systemActor('audit-packs');

/**
 * Gathers what an audit pack says, from the other modules' services only: the framework's catalog, the
 * evidence dated in the period, the sweeps, the risk registers, DSR drills and clock statistics (counts, no
 * identity), and the audit trail's head, last signed checkpoint and verification.
 */
@Injectable()
export class PackCollector {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalog: CatalogExportService,
    private readonly evidence: EvidenceQueriesService,
    private readonly sweeps: SweepPostureService,
    private readonly risks: RiskReportsService,
    private readonly dsrClocks: DsrClockService,
    private readonly drills: DrillsService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly checkpoints: CheckpointService,
    private readonly incidents: IncidentsService,
    private readonly incidentPolicy: IncidentPolicyService,
    private readonly documents: DocumentEvidenceService,
    private readonly releases: ReleaseRegisterService,
    private readonly findings: FindingsService,
    private readonly keys: KeysService,
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

    const [items, freshness, sweeps] = await Promise.all([
      this.evidence.forControlsInPeriod(controlIds, scope.from, scope.to),
      this.sweeps.freshnessAt(new Date(asOf.at)),
      this.sweeps.periodReport(scope.from, scope.to, controlIds, now),
    ]);
    const submitters = await this.users.namesByIds(items.flatMap((i) => (i.submittedBy ? [i.submittedBy] : [])));
    const evidence = packEvidence(cat.controls, items, submitters);

    const [risks, drills, dsr, incidents, policies, secops, head, verified] = await Promise.all([
      Promise.all(REGISTERS.map((r) => this.riskSummary(r))),
      this.drillsBetween(start, end),
      this.dsrClocks.clockStatistics(start, end, now),
      this.incidentsSection(scope.framework, start, end, asOf),
      this.policiesSection(scope.framework, start, asOf),
      this.securitySections(scope.framework, start, end, asOf),
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
      scopeAndMethod: scopeAndMethod(cat, scope, asOf),
      requirements: packRequirements(cat.requirements),
      controls: packControls(cat.controls, freshness, evidence.byControl),
      sweeps: sweeps.weeks,
      exceptions: sweeps.irregular,
      risks,
      drills,
      dsr,
      incidents,
      policies,
      ...secops,
      auditTrail: auditTrailSummary(head, checkpoint, verified),
    };
    return { model, evidenceFiles: evidence.files };
  }

  /** Incidents aware in [start, end), for a framework that covers incidents; null for one that does not. */
  private async incidentsSection(
    framework: string,
    start: Date,
    end: Date,
    asOf: FreshnessAsOf,
  ): Promise<PackIncidents | null> {
    if (!(ENGAGEMENT_RESOURCE_FRAMEWORKS.incidents as readonly string[]).includes(framework)) return null;
    const { incidents, records, statusChanges } = await this.incidents.awareBetween(
      abilityFor(PACK_READER),
      start,
      end,
    );
    return packIncidents(incidents, records, statusChanges, this.incidentPolicy.policy(), asOf);
  }

  /**
   * Controlled documents in force at some time of [start, asOf) with their versions and approvals, and the
   * acknowledgement counts at `asOf` (the period's end, or the build if earlier: what an auditor reads of
   * documents published before their period ends); null for a framework that does not cover documents.
   */
  private async policiesSection(framework: string, start: Date, asOf: FreshnessAsOf): Promise<PackPolicies | null> {
    if (!(ENGAGEMENT_RESOURCE_FRAMEWORKS.documents as readonly string[]).includes(framework)) return null;
    return packPolicies(await this.documents.policyIndex(start, new Date(asOf.at)), asOf);
  }

  /**
   * Releases built in [start, end) with their gates and decision, the findings register and the keys
   * register, each as of `asOf`, for the frameworks that cover them (ENGAGEMENT_RESOURCE_FRAMEWORKS); null
   * for the others. The release gates pass over the findings accepted as risk at `asOf` in the register.
   */
  private async securitySections(
    framework: string,
    start: Date,
    end: Date,
    asOf: FreshnessAsOf,
  ): Promise<{ releases: PackReleases | null; findings: PackFindings | null; keys: PackKeys | null }> {
    const covers = (keys: readonly string[]) => keys.includes(framework);
    const at = new Date(asOf.at);
    const wantReleases = covers(ENGAGEMENT_RESOURCE_FRAMEWORKS.releases);
    const wantFindings = covers(ENGAGEMENT_RESOURCE_FRAMEWORKS.findings);
    const register = wantReleases || wantFindings ? await this.findings.registerRecords(start, end) : null;
    const releases = wantReleases
      ? packReleases(await this.releases.builtBetween(start, end), acceptedExceptionsAt(register!, at), asOf)
      : null;
    return {
      releases,
      findings: wantFindings ? packFindings(register!, start, asOf) : null,
      keys: covers(ENGAGEMENT_RESOURCE_FRAMEWORKS.keys)
        ? packKeys(await this.keys.registerRecords(), start, asOf)
        : null,
    };
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
