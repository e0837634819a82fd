// What an audit pack says, as plain data: the builder (audit-packs service) collects it from the other
// modules' services; the PDF renderer (pdf/) lays it out. No identity of data subjects ever appears here.
import type { DsrClockStatistics } from '../dsr/domain/dsr-clocks';
import type { AcknowledgementSummary } from '../documents/domain/policy-records';
import type { FreshnessAsOf } from './domain/pack-period';

export interface PackRequirement {
  ref: string;
  title: string;
  group: string | null;
  applicable: boolean;
  /** Why it does not apply (statement of applicability). */
  notApplicableReason: string | null;
  /** Keys of the controls implementing it. */
  controls: string[];
}

export interface PackEvidenceItem {
  id: string;
  title: string;
  kind: string;
  collectedAt: string;
  periodStart: string;
  periodEnd: string;
  /** Who submitted it (a name, or `system:<collector>`). */
  submitter: string;
  files: { n: number; filename: string; sha256: string; size: number; mediaType: string; zipPath: string }[];
}

export interface PackControl {
  key: string;
  title: string;
  ownerDepartment: string;
  ownerName: string | null;
  cadence: string;
  /** Freshness as of `PackModel.freshnessAsOf` (the period's end, or the build if earlier): fresh | due_soon | stale | missing. */
  status: string;
  requirements: string[];
  evidence: PackEvidenceItem[];
}

export interface PackSweepWeek {
  week: string;
  tasks: number;
  completed: number;
  /** Completed after, or still open after, the due time each task had (later than the nominal one when the sweep opened late). */
  late: number;
  exceptions: number;
}

export interface PackException {
  week: string;
  control: string;
  kind: 'exception' | 'late' | 'missed';
  note: string | null;
}

export interface PackHeatmap {
  register: string;
  severities: string[];
  probabilities: string[];
  /** counts[s][p] before and after controls, in the order of the scales above. */
  before: number[][];
  after: number[][];
  /** Level per cell: acceptable | alara | unacceptable. */
  levels: string[][];
}

export interface PackRiskSummary {
  register: string;
  total: number;
  byStatus: Record<string, number>;
  byResidualLevel: Record<string, number>;
  heatmap: PackHeatmap | null;
  lastReview: { reviewedAt: string; reviewer: string; notes: string } | null;
}

export interface PackDrill {
  startedAt: string;
  passed: boolean;
  durationMs: number;
  residue: number;
  exportComplete: boolean;
  failures: string[];
}

/** One clock of an incident as of `PackIncidents.asOf`: met, missed (done late), overdue, running or not owed. */
export interface PackIncidentClock {
  /** The incident's ref (INC-0007). */
  ref: string;
  key: string;
  label: string;
  /** severity (the company's SLAs) | pdpc_office | data_subjects | thai_fda */
  group: 'severity' | 'pdpc_office' | 'data_subjects' | 'thai_fda';
  dueAt: string | null;
  doneAt: string | null;
  /** met | missed | overdue | running | not_owed (due_soon counts as running). */
  state: 'met' | 'missed' | 'overdue' | 'running' | 'not_owed';
  lateReason: string | null;
}

export interface PackIncidentCapa {
  ref: string;
  title: string;
  dueOn: string;
  /** As of `asOf`: open | done | accepted. */
  status: 'open' | 'done' | 'accepted';
  /** Open at `asOf` after the end of its due day. */
  overdue: boolean;
}

/** An incident the company became aware of in the period. No person: the reporter's role only. */
export interface PackIncident {
  ref: string;
  title: string;
  /** The most severe severity held by `asOf` (the one reported counts from the start). */
  peakSeverity: string;
  categories: string[];
  reporterRole: string;
  /**
   * The key (detect … closed) as of `PackIncidents.asOf`: closed only if closed by then; null when it was
   * closed later and no recorded status change says which stage it was in then.
   */
  status: string | null;
  awareAt: string;
  /** As of `PackIncidents.asOf`: null if it was not closed by then. */
  closedAt: string | null;
}

export interface PackClockCount {
  met: number;
  missed: number;
  overdue: number;
  running: number;
}

/** The incidents section: every count is derived from `incidents`, `clocks` and `capas` (pack-incidents.ts). */
export interface PackIncidents {
  /** The moment statuses, clocks and CAPAs are stated at (the same rule as the controls' freshness). */
  asOf: FreshnessAsOf;
  incidents: PackIncident[];
  /** Every owed clock of every incident (not-owed clocks are left out), by incident then clock order. */
  clocks: PackIncidentClock[];
  capas: PackIncidentCapa[];
  bySeverity: Record<string, number>;
  byCategory: Record<string, number>;
  /** Counts of `clocks` per group. */
  clockCounts: Record<PackIncidentClock['group'], PackClockCount>;
  capaCounts: { open: number; done: number; accepted: number; overdue: number };
}

/** An approval signature of a policy version: who, in which capacity, what they stated, when, and whether it holds. */
export interface PackPolicyApproval {
  signer: string;
  role: string;
  department: string | null;
  meaning: string;
  signedAt: string;
  /** Re-verified at build: the content's hash is the one signed and the record hash holds. */
  valid: boolean;
}

/** A version of a policy in force at some time of the period. */
export interface PackPolicyVersion {
  number: number;
  sha256: string;
  material: boolean;
  effectiveOn: string | null;
  publishedAt: string | null;
  /** When a newer version replaced it; null while still in force (as of the build). */
  supersededAt: string | null;
  approvals: PackPolicyApproval[];
}

/** Acknowledgement of a policy as the records stood at `PackPolicies.asOf` (documents/domain/policy-records). */
export type PackPolicyAcknowledgement = AcknowledgementSummary;

/** A controlled document in force at some time of the period. */
export interface PackPolicy {
  key: string;
  title: string;
  type: string;
  ownerDepartment: string;
  controls: string[];
  versions: PackPolicyVersion[];
  acknowledgement: PackPolicyAcknowledgement;
}

/** The policy index: every controlled document in force during the period (also `policy-index.json` in the ZIP). */
export interface PackPolicies {
  /** The moment acknowledgements are counted at: the period's end, or the build if earlier. */
  asOf: FreshnessAsOf;
  documents: PackPolicy[];
  /** Sums over `documents`. */
  totals: {
    documents: number;
    versions: number;
    asked: number;
    acknowledged: number;
    pending: number;
    overdue: number;
  };
}

/** A risk acceptance (findings register) as of `asOf`: the exception a gate or the register relies on. */
export interface PackAcceptance {
  reason: string;
  /** The last day it holds (compliance time zone). */
  expiresOn: string;
  /** It held on the day of `asOf`. */
  holds: boolean;
  signer: string;
  role: string;
  signedAt: string;
  /** SHA-256 of the acceptance record the signature binds. */
  recordSha256: string;
}

/** A gate of a release as it stood at `PackReleases.asOf`. */
export interface PackReleaseGate {
  key: string;
  name: string;
  kind: 'automatic' | 'signed';
  passed: boolean;
  /** Why not, for a gate not passed ("2 tests failed", "not signed yet"). */
  reason: string | null;
  /** Signed gates: what the signature means. */
  meaning: string | null;
  /** The valid signature that passed a signed gate. */
  signature: {
    signer: string;
    role: string;
    department: string | null;
    signedAt: string;
    /** The release record's SHA-256 it binds (and, for the clause 9 review, the report's). */
    releaseSha256: string;
    reportSha256: string | null;
    recordSha256: string;
  } | null;
}

/** A dependency finding a gate passed over because a risk acceptance held at `asOf`. */
export interface PackReleaseException {
  /** Release this exception was relied on by (`product version`). */
  release: string;
  fingerprint: string;
  title: string;
  severity: string;
  acceptance: PackAcceptance | null;
}

/** A release built in the period, its gates and decision as of `PackReleases.asOf`. */
export interface PackRelease {
  /** `product version`, the row's reference in the tables. */
  ref: string;
  product: string;
  productName: string;
  version: string;
  commit: string;
  builtAt: string;
  /** SHA-256 of the release record (its attachments as of `asOf`) that signatures bind. */
  releaseSha256: string;
  gates: PackReleaseGate[];
  /** Null when controls/release-gates.yaml no longer lists the product (no gates to decide with). */
  approved: boolean | null;
  /** Keys of the gates not passed. */
  missing: string[];
}

/** The releases section: every count is a count of `releases`, their `gates` and `exceptions` (pack-releases.ts). */
export interface PackReleases {
  asOf: FreshnessAsOf;
  releases: PackRelease[];
  exceptions: PackReleaseException[];
  counts: {
    releases: number;
    approved: number;
    notApproved: number;
    gatesPassed: number;
    gatesNotPassed: number;
    signatures: number;
    exceptions: number;
  };
}

/** A finding of the register open at some time of the period, as it stood at `PackFindings.asOf`. */
export interface PackFinding {
  /** Short reference: F- and the first 8 characters of its id. */
  ref: string;
  title: string;
  /** pen_test | npm_audit | osv | gitleaks | manual, with the pen test named. */
  source: string;
  severity: string;
  product: string;
  department: string;
  openedAt: string;
  /** SLA due moment (release-gates.yaml `findingSlaDays`). */
  dueAt: string;
  /** As of `asOf`: open | accepted | fixed | resolved_by_scan | closed. */
  status: string;
  closedAt: string | null;
  /**
   * closed_in_time | closed_late | overdue | running (open or due soon) | excepted (accepted as risk, the
   * acceptance holding: the clock does not count against the SLA while it holds).
   */
  sla: 'closed_in_time' | 'closed_late' | 'overdue' | 'running' | 'excepted';
  acceptance: PackAcceptance | null;
}

export interface PackFindings {
  asOf: FreshnessAsOf;
  findings: PackFinding[];
  counts: {
    findings: number;
    openedInPeriod: number;
    closedInPeriod: number;
    bySeverity: Record<string, number>;
    byStatus: Record<string, number>;
    sla: Record<PackFinding['sla'], number>;
    /** Findings with an acceptance recorded by then, and how many of those held then. */
    acceptances: number;
    acceptancesHolding: number;
  };
}

/** A key of the register (never a value) as it stood at `PackKeys.asOf`. */
export interface PackKey {
  name: string;
  system: string;
  kind: string;
  owner: string;
  department: string;
  intervalDays: number;
  lastRotatedAt: string | null;
  dueAt: string;
  state: 'ok' | 'due_soon' | 'overdue';
  rotationsInPeriod: number;
}

export interface PackKeys {
  asOf: FreshnessAsOf;
  keys: PackKey[];
  counts: { keys: number; ok: number; dueSoon: number; overdue: number; rotationsInPeriod: number };
}

/** DSR clock statistics for the period (the DSR module's counts; never identity). */
export type PackDsrStats = DsrClockStatistics;

export interface PackModel {
  organisation: string;
  framework: { key: string; name: string; version: string | null };
  period: { from: string; to: string };
  generatedAt: string;
  /** When the controls' freshness is stated at: the earlier of the period's end and generatedAt, and which. */
  freshnessAsOf: FreshnessAsOf;
  generator: { name: string; version: string };
  signer: { subject: string; fingerprintSha256: string; selfSigned: boolean };
  scopeAndMethod: string[];
  requirements: PackRequirement[];
  controls: PackControl[];
  sweeps: PackSweepWeek[];
  exceptions: PackException[];
  risks: PackRiskSummary[];
  drills: PackDrill[];
  dsr: PackDsrStats | null;
  /** Null when the framework does not cover incidents (ENGAGEMENT_RESOURCE_FRAMEWORKS.incidents). */
  incidents: PackIncidents | null;
  /** Null when the framework does not cover controlled documents (ENGAGEMENT_RESOURCE_FRAMEWORKS.documents). */
  policies: PackPolicies | null;
  /** Null when the framework does not cover releases (ENGAGEMENT_RESOURCE_FRAMEWORKS.releases). */
  releases: PackReleases | null;
  /** Null when the framework does not cover security findings (ENGAGEMENT_RESOURCE_FRAMEWORKS.findings). */
  findings: PackFindings | null;
  /** Null when the framework does not cover the keys register (ENGAGEMENT_RESOURCE_FRAMEWORKS.keys). */
  keys: PackKeys | null;
  auditTrail: {
    headSeq: number;
    headHash: string;
    lastCheckpoint: { seq: number; hash: string; at: string; keyFingerprint: string } | null;
    verified: boolean;
  };
}
