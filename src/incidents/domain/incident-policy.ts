// The incident policy (controls/incident-policy.yaml) as data, and the rules on it beyond its schema.
// Pure: no Nest, no TypeORM, no file system.

export const ADVERSE_EVENT_CATEGORIES = [
  'serious_public_health_threat',
  'death_or_serious_injury',
  'could_cause_death_or_serious_injury',
] as const;
export type AdverseEventCategory = (typeof ADVERSE_EVENT_CATEGORIES)[number];

export interface SeverityPolicy {
  /** SEV1 (most severe) … SEVn, in order. */
  key: string;
  name: string;
  /** Acknowledged within this many hours of the incident reaching this severity. */
  acknowledgeHours: number;
  /** A first update to users within this many hours; absent: no update clock. */
  updateHours?: number;
  /** Leadership is told at once, 24/7. */
  escalateAtOnce: boolean;
}

export interface RegulatoryClockPolicy {
  hours: number;
  /** Where the period comes from, shown beside the clock. */
  source: string;
}

export interface IncidentPolicy {
  severities: SeverityPolicy[];
  remindBeforeHours: number;
  regulatory: {
    breachOffice: RegulatoryClockPolicy;
    breachSubjects: RegulatoryClockPolicy;
    adverseEvent: Record<AdverseEventCategory, RegulatoryClockPolicy>;
    adverseEventFollowUp: RegulatoryClockPolicy;
    fsca: RegulatoryClockPolicy;
    fscaFollowUp: RegulatoryClockPolicy;
  };
}

export interface PolicyProblem {
  /** Where in the file, as a YAML path. */
  path: (string | number)[];
  message: string;
}

/**
 * Rules the schema cannot say: severities are SEV1, SEV2, … in order (SEV1 the most severe), each
 * acknowledged no later than a less severe one, with an update clock no shorter than its acknowledgement.
 */
export function validateIncidentPolicy(p: IncidentPolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  p.severities.forEach((s, i) => {
    if (s.key !== `SEV${i + 1}`)
      problems.push({
        path: ['severities', i, 'key'],
        message: `must be SEV${i + 1} (severities are listed SEV1 first)`,
      });
    const less = p.severities[i + 1];
    if (less && less.acknowledgeHours < s.acknowledgeHours)
      problems.push({
        path: ['severities', i + 1, 'acknowledgeHours'],
        message: `must not be shorter than ${s.key}'s (${s.acknowledgeHours} h): a less severe incident may not be more urgent`,
      });
    if (s.updateHours !== undefined && s.updateHours < s.acknowledgeHours)
      problems.push({
        path: ['severities', i, 'updateHours'],
        message: `must not be shorter than acknowledgeHours (${s.acknowledgeHours} h)`,
      });
  });
  if (p.severities.length === 0) problems.push({ path: ['severities'], message: 'must list at least SEV1' });
  return problems;
}

/** The policy of a severity key; undefined for a key the policy does not define. */
export function severityPolicy(p: IncidentPolicy, key: string): SeverityPolicy | undefined {
  return p.severities.find((s) => s.key === key);
}

/** Whether severity `a` is at least as severe as `b` (SEV1 ≥ SEV2 ≥ …). */
export function atLeastAsSevere(p: IncidentPolicy, a: string, b: string): boolean {
  const ia = p.severities.findIndex((s) => s.key === a);
  const ib = p.severities.findIndex((s) => s.key === b);
  return ia !== -1 && ib !== -1 && ia <= ib;
}
