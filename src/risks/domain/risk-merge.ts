// How a PATCH changes a risk's own fields: absent keeps, null clears, and the two ways of giving the
// probability (P, or P1 × P2) replace each other. Pure.
import type { RiskFields } from './risk-csv';

/** A risk's fields with its owner named (stored risks always have one). */
export type OwnedRiskFields = RiskFields & { ownerUserId: string };

/** What a PATCH may change: register and ref are fixed; `undefined` keeps, `null` clears a nullable field. */
export type RiskFieldChanges = {
  [K in Exclude<keyof RiskFields, 'register' | 'ref' | 'ownerUserId'>]?: RiskFields[K] | null;
} & { ownerUserId?: string };

/** The risk's fields after a PATCH: absent keeps, null clears (nullable fields only). */
export function mergeFields(r: OwnedRiskFields, change: RiskFieldChanges): OwnedRiskFields {
  const pick = <K extends keyof RiskFieldChanges & keyof RiskFields>(k: K, current: RiskFields[K]): RiskFields[K] =>
    change[k] === undefined ? current : (change[k] as RiskFields[K]);
  // A new P, or P1/P2 set to null, replaces the P1 × P2 derivation; new P1/P2 replace P.
  const p1p2Given = change.p1 !== undefined || change.p2 !== undefined;
  const probabilityGiven = change.probability !== undefined;
  return {
    register: r.register,
    ref: r.ref,
    product: pick('product', r.product),
    title: pick('title', r.title),
    hazard: pick('hazard', r.hazard),
    sequenceOfEvents: pick('sequenceOfEvents', r.sequenceOfEvents),
    hazardousSituation: pick('hazardousSituation', r.hazardousSituation),
    harm: pick('harm', r.harm),
    severity: pick('severity', r.severity),
    probability: probabilityGiven ? (change.probability ?? null) : p1p2Given ? null : r.probability,
    p1: p1p2Given ? (change.p1 === undefined ? r.p1 : change.p1) : probabilityGiven ? null : r.p1,
    p2: p1p2Given ? (change.p2 === undefined ? r.p2 : change.p2) : probabilityGiven ? null : r.p2,
    residualSeverity: pick('residualSeverity', r.residualSeverity),
    residualProbability: pick('residualProbability', r.residualProbability),
    benefitRisk: pick('benefitRisk', r.benefitRisk),
    status: pick('status', r.status),
    treatment: pick('treatment', r.treatment),
    dueOn: pick('dueOn', r.dueOn),
    ownerUserId: change.ownerUserId ?? r.ownerUserId,
  };
}
