import { ForbiddenError } from '../common/errors/app-error';
import type { CsvControl } from './domain/risk-csv';
import type { ControlSnapshot, RiskSnapshot } from './domain/risk-model';
import type { RiskControlInputDto, RiskControlView, RiskReviewView, RiskView } from './dto/risk.dto';
import type { RiskReview } from './risk-review.entity';
import type { Risk } from './risk.entity';

/** A risk control with its catalog control resolved (id for the row, key for people). */
export interface ResolvedControl extends ControlSnapshot {
  controlId: string | null;
}

/** A stored risk with its controls, as a change starts from it. */
export interface Current {
  risk: Risk;
  controls: ResolvedControl[];
}

/** Most risks read at once (exports, reviews): more is refused rather than cut short. */
export const EXPORT_LIMIT = 10_000;

export function notYours(action: 'create' | 'update'): ForbiddenError {
  return new ForbiddenError(
    `You may ${action} only ISO 14971 risks you own (compliance managers manage every risk).`,
    'risk.not_yours',
  );
}

/** A control of a CSV row in the API's input shape. */
export function csvControlInput(c: CsvControl): RiskControlInputDto {
  return {
    type: c.type,
    description: c.description,
    controlKey: c.controlKey,
    implementationEvidence: c.implementationEvidence,
    effectivenessEvidence: c.effectivenessEvidence,
    arisingRisks: c.arisingRisks,
  };
}

export function controlSnapshot(c: ControlSnapshot): ControlSnapshot {
  return {
    type: c.type,
    description: c.description,
    controlKey: c.controlKey,
    implementationEvidenceIds: c.implementationEvidenceIds,
    effectivenessEvidenceIds: c.effectivenessEvidenceIds,
    arisingRiskRefs: c.arisingRiskRefs,
  };
}

export function snapshotOf(r: Risk, controls: ControlSnapshot[]): RiskSnapshot {
  return {
    register: r.register,
    ref: r.ref,
    product: r.product,
    title: r.title,
    hazard: r.hazard,
    sequenceOfEvents: r.sequenceOfEvents,
    hazardousSituation: r.hazardousSituation,
    harm: r.harm,
    severity: r.severity,
    probability: r.probability,
    p1: r.p1,
    p2: r.p2,
    level: r.level,
    residualSeverity: r.residualSeverity,
    residualProbability: r.residualProbability,
    residualLevel: r.residualLevel,
    benefitRisk: r.benefitRisk,
    status: r.status,
    treatment: r.treatment,
    dueOn: r.dueOn,
    ownerUserId: r.ownerUserId,
    controls: controls.map(controlSnapshot),
  };
}

export function controlView(c: ControlSnapshot): RiskControlView {
  return {
    type: c.type,
    description: c.description,
    controlKey: c.controlKey,
    implementationEvidence: c.implementationEvidenceIds,
    effectivenessEvidence: c.effectivenessEvidenceIds,
    arisingRisks: c.arisingRiskRefs,
  };
}

export function riskView(r: Risk, controls: ControlSnapshot[]): RiskView {
  const { controls: _snapshotControls, ...fields } = snapshotOf(r, controls);
  return {
    id: r.id,
    ...fields,
    version: r.version,
    controls: controls.map(controlView),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function reviewView(r: RiskReview): RiskReviewView {
  const snapshot = r.snapshot;
  return {
    id: r.id,
    register: r.register as RiskReviewView['register'],
    reviewerUserId: r.reviewerUserId,
    reviewedAt: r.reviewedAt.toISOString(),
    notes: r.notes,
    risks: snapshot.risks?.length ?? 0,
    summary: snapshot.summary ?? [],
  };
}
