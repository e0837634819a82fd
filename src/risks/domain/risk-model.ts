// Risk register rules that need no database: vocabularies, the assessment (levels from the matrix),
// the snapshot kept per version and the difference between two, and traceability gaps. Pure.
import {
  combineProbability,
  levelOf,
  probabilityIndex,
  RiskLevel,
  RiskMatrix,
  RiskMatrixFile,
  RiskScale,
  scaleFor,
  severityIndex,
  UnknownLevelError,
} from './risk-matrix';

export const RISK_REGISTERS = ['iso14971', 'security'] as const;
export type RiskRegister = (typeof RISK_REGISTERS)[number];

export const RISK_STATUSES = ['open', 'controlled', 'accepted', 'closed'] as const;
export type RiskStatus = (typeof RISK_STATUSES)[number];

export const RISK_TREATMENTS = ['mitigate', 'accept', 'transfer', 'avoid'] as const;
export type RiskTreatment = (typeof RISK_TREATMENTS)[number];

/** How often a product's risks are reviewed (its risk management plan). */
export const RISK_REVIEW_CADENCES = ['monthly', 'quarterly', 'semiannual', 'annual'] as const;
export type RiskReviewCadence = (typeof RISK_REVIEW_CADENCES)[number];

/** ISO 14971 7.1, in the standard's order of preference. */
export const RISK_CONTROL_TYPES = ['inherent_design', 'protective_measure', 'information_for_safety'] as const;
export type RiskControlType = (typeof RISK_CONTROL_TYPES)[number];

export interface FieldIssue {
  field: string;
  message: string;
}

export interface AssessmentInput {
  severity: string;
  /** Given directly, or computed from p1 × p2. */
  probability?: string | null;
  p1?: string | null;
  p2?: string | null;
  residualSeverity?: string | null;
  residualProbability?: string | null;
}

export interface Assessment {
  severity: string;
  probability: string;
  p1: string | null;
  p2: string | null;
  level: RiskLevel;
  residualSeverity: string | null;
  residualProbability: string | null;
  residualLevel: RiskLevel | null;
}

/**
 * Levels from the register's scale, never from input. P comes from P1 × P2 when both are given (a P given
 * as well must agree; only on a scale with probability bands, i.e. ISO 14971); P1 and P2 come together or
 * not at all, and so do residual S and P.
 */
export function assess(m: RiskScale, input: AssessmentInput): { assessment: Assessment | null; issues: FieldIssue[] } {
  const issues = unknownLevels(m, input);
  const p1 = input.p1 ?? null;
  const p2 = input.p2 ?? null;
  if (m.p1xp2 === null && (p1 !== null || p2 !== null))
    return {
      assessment: null,
      issues: [
        {
          field: p1 !== null ? 'p1' : 'p2',
          message: 'P1 × P2 belongs to the ISO 14971 register only: give the likelihood',
        },
      ],
    };
  if ((p1 === null) !== (p2 === null))
    issues.push({ field: p1 === null ? 'p1' : 'p2', message: 'P1 and P2 go together: give both or neither' });
  const rs = input.residualSeverity ?? null;
  const rp = input.residualProbability ?? null;
  if ((rs === null) !== (rp === null))
    issues.push({
      field: rs === null ? 'residualSeverity' : 'residualProbability',
      message: 'residual severity and probability go together: give both or neither',
    });
  if (issues.length) return { assessment: null, issues };

  let probability = input.probability ?? null;
  if (p1 !== null && p2 !== null) {
    const combined = combineProbability(m as Pick<RiskMatrix, 'probability'>, p1, p2); // p1xp2 set: the scale has bands
    if (probability !== null && probability !== combined) {
      return {
        assessment: null,
        issues: [
          {
            field: 'probability',
            message: `is ${combined} from P1 × P2 (${p1} × ${p2}); leave it out or give ${combined}`,
          },
        ],
      };
    }
    probability = combined;
  }
  if (probability === null)
    return { assessment: null, issues: [{ field: 'probability', message: 'is required (or P1 and P2)' }] };
  return {
    assessment: {
      severity: input.severity,
      probability,
      p1,
      p2,
      level: levelOf(m, input.severity, probability),
      residualSeverity: rs,
      residualProbability: rp,
      residualLevel: rs !== null && rp !== null ? levelOf(m, rs, rp) : null,
    },
    issues: [],
  };
}

/** The given levels that are not on the register's scale, each named by its field. */
function unknownLevels(m: RiskScale, input: AssessmentInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const known = (field: string, value: string | null | undefined, axis: 'severity' | 'probability') => {
    if (value === null || value === undefined) return;
    try {
      if (axis === 'severity') severityIndex(m, value);
      else probabilityIndex(m, value);
    } catch (e) {
      if (!(e instanceof UnknownLevelError)) throw e;
      issues.push({ field, message: `must be one of ${e.known.join(', ')}` });
    }
  };
  known('severity', input.severity, 'severity');
  known('probability', input.probability, 'probability');
  known('p1', input.p1, 'probability');
  known('p2', input.p2, 'probability');
  known('residualSeverity', input.residualSeverity, 'severity');
  known('residualProbability', input.residualProbability, 'probability');
  return issues;
}

/** What the hazard chain needs in the ISO 14971 register. */
export function chainIssues(
  register: RiskRegister,
  r: { hazard: string | null; hazardousSituation: string | null; harm: string | null },
): FieldIssue[] {
  if (register !== 'iso14971') return [];
  return (['hazard', 'hazardousSituation', 'harm'] as const)
    .filter((f) => !r[f])
    .map((field) => ({ field, message: 'is required in the ISO 14971 register' }));
}

export interface ControlSnapshot {
  type: RiskControlType;
  description: string;
  controlKey: string | null;
  implementationEvidenceIds: string[];
  effectivenessEvidenceIds: string[];
  /** Refs of the risks (same register) the measure introduced (ISO 14971 7.5). */
  arisingRiskRefs: string[];
}

/** A risk as one version records it (before/after JSON). */
export interface RiskSnapshot {
  register: RiskRegister;
  ref: string;
  product: string;
  title: string;
  hazard: string | null;
  sequenceOfEvents: string | null;
  hazardousSituation: string | null;
  harm: string | null;
  severity: string;
  probability: string;
  p1: string | null;
  p2: string | null;
  level: RiskLevel;
  residualSeverity: string | null;
  residualProbability: string | null;
  residualLevel: RiskLevel | null;
  benefitRisk: string | null;
  status: RiskStatus;
  treatment: RiskTreatment | null;
  dueOn: string | null;
  ownerUserId: string;
  controls: ControlSnapshot[];
}

export const SNAPSHOT_FIELDS = [
  'register',
  'ref',
  'product',
  'title',
  'hazard',
  'sequenceOfEvents',
  'hazardousSituation',
  'harm',
  'severity',
  'probability',
  'p1',
  'p2',
  'level',
  'residualSeverity',
  'residualProbability',
  'residualLevel',
  'benefitRisk',
  'status',
  'treatment',
  'dueOn',
  'ownerUserId',
  'controls',
] as const satisfies readonly (keyof RiskSnapshot)[];

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** The fields that differ between two snapshots, in a fixed order (controls compared as a whole). Creation: every set field. */
export function diffSnapshots(before: RiskSnapshot | null, after: RiskSnapshot): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of SNAPSHOT_FIELDS) {
    const from = before ? before[field] : null;
    const to = after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to });
  }
  return changes;
}

export type GapKind =
  | 'control_without_implementation_verification'
  | 'control_without_effectiveness_verification'
  | 'unacceptable_residual_without_benefit_risk';

export interface TraceabilityGap {
  kind: GapKind;
  /** Position of the control in the risk's list, for control gaps. */
  control?: number;
  message: string;
}

/**
 * Gaps in a risk's traceability (ISO 14971 4.5, 7.2, 7.4): a control without verification of
 * implementation or of effectiveness, and a residual risk that is not acceptable (alara or unacceptable;
 * the initial level when there is no residual assessment yet and controls exist) without benefit-risk analysis.
 */
export function traceabilityGaps(r: {
  level: RiskLevel;
  residualLevel: RiskLevel | null;
  benefitRisk: string | null;
  controls: Pick<ControlSnapshot, 'implementationEvidenceIds' | 'effectivenessEvidenceIds'>[];
}): TraceabilityGap[] {
  const gaps: TraceabilityGap[] = [];
  r.controls.forEach((c, i) => {
    if (c.implementationEvidenceIds.length === 0)
      gaps.push({
        kind: 'control_without_implementation_verification',
        control: i,
        message: `control ${i + 1} has no evidence verifying its implementation`,
      });
    if (c.effectivenessEvidenceIds.length === 0)
      gaps.push({
        kind: 'control_without_effectiveness_verification',
        control: i,
        message: `control ${i + 1} has no evidence verifying its effectiveness`,
      });
  });
  const residual = r.residualLevel ?? (r.controls.length ? r.level : null);
  if (residual !== null && residual !== 'acceptable' && !r.benefitRisk?.trim()) {
    gaps.push({
      kind: 'unacceptable_residual_without_benefit_risk',
      message: `residual risk is ${residual} and has no benefit-risk analysis`,
    });
  }
  return gaps;
}

/** Rules on a risk's own fields beyond their types: levels known and consistent, the hazard chain, register-only fields. */
export function fieldIssues(
  m: RiskMatrixFile,
  r: AssessmentInput & {
    register: RiskRegister;
    hazard: string | null;
    hazardousSituation: string | null;
    harm: string | null;
    treatment: RiskTreatment | null;
    dueOn: string | null;
  },
): FieldIssue[] {
  const issues = [...assess(scaleFor(m, r.register), r).issues, ...chainIssues(r.register, r)];
  if (r.register === 'iso14971') {
    if (r.treatment !== null) issues.push({ field: 'treatment', message: 'belongs to the security register only' });
    if (r.dueOn !== null) issues.push({ field: 'dueOn', message: 'belongs to the security register only' });
  }
  return issues;
}
