// The incident register's vocabulary and the rules of its lifecycle. Pure: no Nest, no TypeORM.
import { atLeastAsSevere, type IncidentPolicy } from './incident-policy';

/** Detect → contain → analyze → fix → learn → closed (the company's incident cycle). */
export const INCIDENT_STATUSES = ['detect', 'contain', 'analyze', 'fix', 'learn', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Several may apply. `personal_data_breach` brings the PDPA clocks, `clinical_safety` the Thai FDA ones. */
export const INCIDENT_CATEGORIES = [
  'security',
  'availability',
  'personal_data_breach',
  'clinical_safety',
  'other',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

/**
 * What a timeline entry records. `acknowledgement` and the first `user_update` answer the severity
 * clocks; `status_change`, `severity_change`, `assessment`, `notice`, `capa` and `review` are written
 * by the service itself when those change (nobody types them).
 */
export const TIMELINE_KINDS = [
  'note',
  'action',
  'acknowledgement',
  'user_update',
  'rollback',
  'regulator_contact',
  'status_change',
  'severity_change',
  'assessment',
  'notice',
  'capa',
  'review',
  'risk',
  'correction',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
/** The kinds a person may add by hand (the rest record the service's own changes). */
export const MANUAL_TIMELINE_KINDS = [
  'note',
  'action',
  'acknowledgement',
  'user_update',
  'rollback',
  'regulator_contact',
] as const satisfies readonly TimelineKind[];
export type ManualTimelineKind = (typeof MANUAL_TIMELINE_KINDS)[number];

/**
 * Notices and reports sent outside: to the PDPC Office and to data subjects (PDPA, the privacy officer's),
 * to the Thai FDA (adverse-event initial and follow-up reports, FSCA reports: the clinical owners').
 */
export const NOTICE_KINDS = ['pdpc_office', 'data_subjects', 'fda_initial', 'fda_follow_up', 'fsca_report'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export type NoticeAuthority = 'pdpa' | 'thai_fda';
export const noticeAuthority = (kind: NoticeKind): NoticeAuthority =>
  kind === 'pdpc_office' || kind === 'data_subjects' ? 'pdpa' : 'thai_fda';

export const CAPA_STATUSES = ['open', 'done', 'accepted'] as const;
export type CapaStatus = (typeof CAPA_STATUSES)[number];

/** `INC-0007`: the number people say aloud. */
export const incidentRef = (n: number) => `INC-${String(n).padStart(4, '0')}`;

/** The lifecycle moves forward only (a step may be skipped); a closed incident stays closed. */
export function transitionProblem(from: IncidentStatus, to: IncidentStatus): string | null {
  if (from === to) return null;
  if (from === 'closed') return 'a closed incident cannot change status';
  if (INCIDENT_STATUSES.indexOf(to) < INCIDENT_STATUSES.indexOf(from))
    return `cannot go back from ${from} to ${to} (the cycle moves forward; record what happened in the timeline)`;
  return null;
}

export interface ClosingFacts {
  /** The most severe severity the incident has held. */
  peakSeverity: string | null;
  review: { cause: string } | null;
  capas: { title: string; status: CapaStatus }[];
}

/**
 * Why the incident may not close yet: a SEV1 or SEV2 (at its peak) needs its post-incident review and
 * every corrective/preventive action done or explicitly accepted. Each problem names its field.
 */
export function closingProblems(facts: ClosingFacts, policy: IncidentPolicy): { field: string; message: string }[] {
  const needsReview = facts.peakSeverity !== null && atLeastAsSevere(policy, facts.peakSeverity, 'SEV2');
  if (!needsReview) return [];
  const problems: { field: string; message: string }[] = [];
  if (!facts.review)
    problems.push({
      field: 'status',
      message: `a ${facts.peakSeverity} incident closes only after its post-incident review`,
    });
  const open = facts.capas.filter((c) => c.status === 'open');
  if (open.length)
    problems.push({
      field: 'status',
      message: `${open.length} corrective action(s) still open (${open.map((c) => c.title).join('; ')}): mark them done or accepted first`,
    });
  return problems;
}
