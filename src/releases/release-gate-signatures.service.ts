import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { ConflictError, ForbiddenError, ValidationError } from '../common/errors/app-error';
import { dayOf } from '../common/time/days';
import { complianceTimeZone } from '../common/time/zone';
import { fills } from '../documents/domain/document-approvals';
import { EvidenceService } from '../evidence/evidence.service';
import { SigningPasswordService } from '../identity/signing-password.service';
import { RiskPlansService } from '../risks/risk-plans.service';
import { RiskReportsService } from '../risks/risk-reports.service';
import type { SignedGatePolicy } from './domain/release-model';
import { gateSignatureRecordSha256, type GateSignatureBinding } from './domain/release-signature';
import type { SignGateDto } from './dto/release.dto';
import { ReleaseGatesService } from './release-gates.service';
import { releaseSha256Of, type ReleaseDetail } from './release-views';
import type { Release } from './release.entity';
import { ReleasesRepository } from './releases.repository';
import { ReleasesService } from './releases.service';
import { renderRiskReport, type RiskReport } from './risk-report-pdf';

const SIGNING_CODES = {
  needsSession: 'release.signature_needs_session',
  wrongPassword: 'release.wrong_password',
} as const;

/** Evidence of the clause 9 review: the risk management report (CLS-04) and the release record (ENG-06). */
const RISK_REPORT_CONTROLS = ['CLS-04', 'ENG-06'];

/**
 * Signed release gates (QA, safety review, clinical sign-off, the ISO 14971 clause 9 review) and the risk
 * management report the clause 9 review signs. A signature needs a session and the signer's password again
 * (identity/SigningPasswordService, as for controlled documents), is given only by someone the gate names
 * in controls/release-gates.yaml, and binds the release record's SHA-256 (and the report's): a release
 * that changes afterwards needs the gate signed again.
 */
@Injectable()
export class ReleaseGateSignaturesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: ReleasesRepository,
    private readonly releases: ReleasesService,
    private readonly gates: ReleaseGatesService,
    private readonly signing: SigningPasswordService,
    private readonly evidence: EvidenceService,
    private readonly catalog: CatalogService,
    private readonly riskReports: RiskReportsService,
    private readonly riskPlans: RiskPlansService,
    private readonly trail: AuditTrailService,
  ) {}

  async sign(
    actor: UserActor,
    product: string,
    version: string,
    gateKey: string,
    dto: SignGateDto,
  ): Promise<ReleaseDetail> {
    const ability = abilityFor(actor);
    const r = await this.releases.readable(ability, product, version);
    this.signing.requireSession(actor, SIGNING_CODES);
    const gate = this.signerOf(actor, r, gateKey);
    if (gate.riskReport) this.checkReport(r, dto.reportSha256);
    await this.signing.confirm(actor, dto.password, SIGNING_CODES, () =>
      this.trail
        .record({
          actor: actorRef(actor),
          action: 'release.sign_refused',
          subjectType: 'Release',
          subjectId: r.id,
          data: { product, version, gate: gateKey, reason: 'wrong_password' },
        })
        .then(() => undefined),
    );
    await this.record(actor, product, version, gate, dto.reportSha256);
    return this.releases.get(actor, product, version);
  }

  /**
   * Generates the product version's risk management report (ISO 14971 clause 9) as a PDF, stores it as
   * evidence of CLS-04 and ENG-06, and makes it the report the clause 9 gate signs. Anyone who may sign that
   * gate, or change the release, may generate it.
   */
  async generateRiskReport(
    actor: UserActor,
    product: string,
    version: string,
  ): Promise<{ evidenceId: string; sha256: string; generatedAt: string; risks: number }> {
    const ability = abilityFor(actor);
    const r = await this.releases.readable(ability, product, version);
    const policy = this.gates.product(product);
    const gate = policy.signed.find((g) => g.riskReport);
    const signer = gate && gate.signers.some((s) => fills(s, signerOf(actor), ''));
    if (!signer && !ability.can('update', asSubject('Release', r)))
      throw new ForbiddenError('Only a signer of the clause 9 review, or engineering, generates its report.');
    const generatedAt = new Date();
    const report = await this.riskReport(r, policy.name, generatedAt);
    const pdf = await renderRiskReport(report);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const controls = (await this.catalog.controlsByKeys(RISK_REPORT_CONTROLS)).filter((c) => !c.retired);
    const day = dayOf(generatedAt);
    const evidenceId = await this.ds.transaction(async (m) => {
      const locked = (await this.repo.lock(product, version, m))!;
      const { id } = await this.evidence.recordSnapshot(
        {
          actor: actorRef(actor),
          title: `Release ${product} ${version}: ISO 14971 clause 9 risk management report`,
          controlIds: controls.map((c) => c.id),
          data: toJsonObject({
            type: 'release-risk-report',
            product,
            version,
            commit: r.commit,
            generatedAt: generatedAt.toISOString(),
            pdfSha256: sha256,
            planVersion: report.plan?.version ?? null,
            risks: report.risks,
          }),
          source: 'api',
          evidenceDate: generatedAt,
          periodStart: day,
          periodEnd: day,
          attachments: [
            { filename: `risk-management-report-${product}-${version}.pdf`, mediaType: 'application/pdf', bytes: pdf },
          ],
        },
        m,
      );
      await this.repo.setRiskReport(locked.id, { evidenceId: id, sha256, at: generatedAt }, m);
      await this.releases.audit(m, actor, 'release.risk_report', locked, {
        evidence: id,
        sha256,
        risks: report.risks.length,
      });
      return id;
    });
    return { evidenceId, sha256, generatedAt: generatedAt.toISOString(), risks: report.risks.length };
  }

  /** The signature row and its audit entry, under the release's lock (the release as it stands now). */
  private async record(
    actor: UserActor,
    product: string,
    version: string,
    gate: SignedGatePolicy,
    reportSha256: string | undefined,
  ): Promise<void> {
    await this.ds.transaction(async (m) => {
      const locked = (await this.repo.lock(product, version, m))!;
      if (gate.riskReport) this.checkReport(locked, reportSha256);
      const releaseSha256 = releaseSha256Of(locked, await this.repo.attachmentsOf([locked.id], m));
      const signatures = await this.repo.signaturesOf([locked.id], m);
      if (signatures.some((s) => s.gateKey === gate.key && s.releaseSha256 === releaseSha256))
        throw new ConflictError(
          'release.already_signed',
          `${gate.name} is already signed for ${product} ${version} as it stands.`,
        );
      const binding: GateSignatureBinding = {
        releaseId: locked.id,
        gateKey: gate.key,
        meaning: gate.meaning,
        signerUserId: actor.id,
        signedAt: new Date(),
        releaseSha256,
        reportSha256: gate.riskReport ? locked.riskReportSha256 : null,
      };
      const row = await this.repo.insertSignature(
        {
          ...binding,
          signerRole: actor.role,
          signerDepartment: actor.departmentKey,
          reportEvidenceId: gate.riskReport ? locked.riskReportEvidenceId : null,
          recordSha256: gateSignatureRecordSha256(binding),
        },
        m,
      );
      await this.releases.audit(m, actor, 'release.sign', locked, {
        gate: gate.key,
        meaning: gate.meaning,
        releaseSha256,
        reportSha256: binding.reportSha256,
        signature: row.id,
        record: row.recordSha256,
      });
    });
  }

  /** The clause 9 report's content: the product's plan, every ISO 14971 risk of it, and the release's facts. */
  private async riskReport(r: Release, productName: string, generatedAt: Date): Promise<RiskReport> {
    const detail = await this.releases.detail(r);
    const [plan, risks] = await Promise.all([
      this.riskPlans.find(r.product),
      this.riskReports.productRiskFile(r.product),
    ]);
    return {
      product: r.product,
      productName,
      version: r.version,
      commit: r.commit,
      builtAt: r.builtAt,
      generatedAt,
      zone: complianceTimeZone(),
      plan: plan
        ? {
            version: plan.version,
            scope: plan.scope,
            intendedUse: plan.intendedUse,
            acceptabilityPolicy: plan.acceptabilityPolicy,
            reviewCadence: plan.reviewCadence,
            residualRiskStatement: plan.residualRiskStatement,
            residualStatementBy: plan.residualStatementByName,
            residualStatementAt: plan.residualStatementAt ? new Date(plan.residualStatementAt) : null,
          }
        : null,
      risks: risks.map((k) => ({
        ref: k.ref,
        title: k.title,
        status: k.status,
        hazard: k.hazard,
        harm: k.harm,
        level: k.level,
        residualLevel: k.residualLevel,
        benefitRisk: k.benefitRisk,
        controls: k.controls.length,
        gaps: k.gaps.map((g) => g.message),
      })),
      anomalies: r.anomalies,
      testReport: detail.testReport,
    };
  }

  /** The gate, when the actor is one of its signers; 400 for a gate the product does not have, else 403. */
  private signerOf(actor: UserActor, r: Release, gateKey: string): SignedGatePolicy {
    const gate = this.gates.product(r.product).signed.find((g) => g.key === gateKey);
    if (!gate)
      throw new ValidationError(
        [{ field: 'gate', message: `is not a signed gate of ${r.product} in controls/release-gates.yaml` }],
        undefined,
        'release.unknown_gate',
      );
    if (
      !abilityFor(actor).can('create', 'ReleaseSignature') ||
      !gate.signers.some((s) => fills(s, signerOf(actor), ''))
    )
      throw new ForbiddenError(
        `You are not one of the signers of "${gate.name}" (controls/release-gates.yaml).`,
        'release.not_a_signer',
      );
    return gate;
  }

  private checkReport(r: Release, reportSha256: string | undefined): void {
    if (!r.riskReportSha256)
      throw new ConflictError(
        'release.report_missing',
        'Generate the risk management report first: the clause 9 review signs it.',
      );
    if (reportSha256 === undefined)
      throw new ValidationError([
        { field: 'reportSha256', message: 'is required: the SHA-256 of the risk management report you read' },
      ]);
    if (reportSha256 !== r.riskReportSha256)
      throw new ConflictError(
        'release.report_changed',
        'The risk management report was generated again since you read it: read the new one, then sign.',
        [{ field: 'reportSha256', message: `is not the newest report's (${r.riskReportSha256})` }],
      );
  }
}

function signerOf(actor: UserActor) {
  return { userId: actor.id, role: actor.role, departmentKey: actor.departmentKey };
}
