import { Injectable, Logger } from '@nestjs/common';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { CatalogService } from '../catalog/catalog.service';
import { dayOf } from '../common/time/days';
import { EvidenceService } from '../evidence/evidence.service';
import type { SeedManifest } from './connectors/connector';
import type { ExecutableSystem } from './data-systems.service';
import { INTERNAL_SLA_DAYS } from './domain/dsr-clocks';
import type { DrillReport, DrillSystemResult } from './domain/drill-report';
import { renderDrillReportPdf } from './drill-report-pdf';
import type { DsrRequest } from './dsr-request.entity';
import { DsrRepository } from './dsr.repository';

export const DSR_DRILL_COLLECTOR = 'dsr-drill';

/** What one drill accumulates as it seeds, exports, erases and cleans. */
export interface DrillState {
  by: string;
  request: DsrRequest;
  failures: string[];
  results: DrillSystemResult[];
  systems: ExecutableSystem[];
  seeds: Map<string, SeedManifest>;
  exportSha256: string | null;
  exportRan: boolean;
}

/** The end of a drill: its report, stored as evidence and on the drill row, and its outcome in the audit trail. */
@Injectable()
export class DrillRecorder {
  private readonly log = new Logger('DSR drill');

  constructor(
    private readonly repo: DsrRepository,
    private readonly evidence: EvidenceService,
    private readonly catalog: CatalogService,
    private readonly trail: AuditTrailService,
  ) {}

  /** Builds the report, records it as evidence and on the drill, and audits the outcome. */
  async finish(state: DrillState, drillId: string, started: Date, t0: number): Promise<DrillReport> {
    const { failures, results, by } = state;
    for (const r of results)
      if (r.status === 'drilled' && (r.missing.length || r.foreign.length || r.residue)) r.status = 'failed';
    const durationMs = Math.round(performance.now() - t0);
    const exportComplete = state.exportRan && results.every((r) => r.missing.length === 0 && r.foreign.length === 0);
    const residue = results.reduce((n, r) => n + r.residue, 0);
    const report: DrillReport = {
      id: drillId,
      reference: state.request.reference,
      startedAt: started.toISOString(),
      passed: failures.length === 0,
      exportComplete,
      residue,
      durationMs,
      withinSla: durationMs < INTERNAL_SLA_DAYS * 86_400_000,
      exportSha256: state.exportSha256,
      systems: results,
      failures,
      evidenceId: null,
    };
    report.evidenceId = await this.recordEvidence(report, by);
    await this.repo.updateDrill(drillId, {
      finishedAt: new Date(),
      passed: report.passed,
      report,
      evidenceId: report.evidenceId,
    });
    await this.trail.record({
      actor: by,
      action: 'dsr.drill_completed',
      subjectType: 'DsrDrill',
      subjectId: drillId,
      data: {
        passed: report.passed,
        residue,
        exportComplete,
        durationMs,
        failures: failures.slice(0, 20),
        evidenceId: report.evidenceId,
      },
    });
    this.log.log(
      `drill ${report.passed ? 'passed' : 'FAILED'} in ${durationMs} ms${failures.length ? `: ${failures.join('; ')}` : ''}`,
    );
    return report;
  }

  private async recordEvidence(report: DrillReport, by: string): Promise<string | null> {
    const controls = (await this.catalog.liveControls()).filter((c) => c.collector === DSR_DRILL_COLLECTOR);
    if (controls.length === 0) return null;
    const now = new Date();
    const day = dayOf(now);
    const pdf = await renderDrillReportPdf(report, now);
    const { id } = await this.evidence.recordSnapshot({
      actor: by,
      title: `DSR drill ${day}: ${report.passed ? 'passed' : 'failed'}`,
      controlIds: controls.map((c) => c.id),
      data: toJsonObject({ ...report, evidenceId: null }),
      source: `collector:${DSR_DRILL_COLLECTOR}`,
      evidenceDate: now,
      periodStart: day,
      periodEnd: day,
      attachments: [{ filename: `dsr-drill-${day}.pdf`, mediaType: 'application/pdf', bytes: pdf }],
    });
    return id;
  }
}
