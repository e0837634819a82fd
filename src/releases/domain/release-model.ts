// The release pipeline's vocabulary (issue 18): what CI attaches to a release, what the parsers read out of
// each attachment, the findings scanners report, the gates a product's release must pass (configured in
// controls/release-gates.yaml) and the decision a deploy step asks for. Pure types and constants.
import type { ApproverSlot } from '../../documents/domain/document-approvals';

/** What CI may attach to a release; each is stored as content-addressed evidence. */
export const ATTACHMENT_KINDS = ['test_report', 'sbom', 'secret_scan', 'npm_audit', 'osv', 'changelog'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** The largest attachment accepted, per kind, in bytes (an SBOM of a large app is a few MB). */
export const ATTACHMENT_MAX_BYTES: Record<AttachmentKind, number> = {
  test_report: 20 * 1024 * 1024,
  sbom: 20 * 1024 * 1024,
  secret_scan: 10 * 1024 * 1024,
  npm_audit: 10 * 1024 * 1024,
  osv: 10 * 1024 * 1024,
  changelog: 1024 * 1024,
};

/** A problem with an attachment, naming where in it (a JSON pointer or an XML path, e.g. `/components/3/version`). */
export interface AttachmentProblem {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: AttachmentProblem[] };

/** A JUnit XML report, summed over its suites. */
export interface TestReportSummary {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** The failed or errored test cases (at most 100 listed; `failures + errors` is the full count). */
  failed: { suite: string; name: string; message: string }[];
  /** True when there was at least one test and none failed or errored. */
  passed: boolean;
}

/** One SBOM component (CycloneDX `components`, nested components flattened). */
export interface SbomComponent {
  /** `group/name` when the component has a group, else `name`: the identity used to compare releases. */
  key: string;
  name: string;
  version: string | null;
  purl: string | null;
  /** SPDX ids, names or expressions, in document order, de-duplicated. */
  licenses: string[];
}

export interface SbomSummary {
  specVersion: string;
  /** Sorted by key, then version. */
  components: SbomComponent[];
}

/** What changed in the SOUP list between the previous release's SBOM and this one (IEC 62304 5.8). */
export interface SbomDiff {
  added: SbomComponent[];
  removed: SbomComponent[];
  /** Same key, other version (`from`/`to`); licences compared too. */
  upgraded: { key: string; from: string | null; to: string | null; licensesFrom: string[]; licensesTo: string[] }[];
  /** Same key and version whose licences changed. */
  relicensed: { key: string; version: string | null; licensesFrom: string[]; licensesTo: string[] }[];
}

export const FINDING_SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export const SCANNERS = ['gitleaks', 'npm_audit', 'osv'] as const;
export type Scanner = (typeof SCANNERS)[number];

/**
 * One finding a scanner reported. `fingerprint` is stable across runs of the same scanner on the same
 * problem (rule+file+line+commit for gitleaks, advisory id+package for npm audit and OSV), so re-importing
 * a report changes nothing and a finding missing from a later scan can be marked resolved.
 */
export interface ScanFinding {
  scanner: Scanner;
  fingerprint: string;
  title: string;
  severity: FindingSeverity;
  /** The package (dependency findings) or file:line (secrets), for people. */
  location: string;
  /** Advisory ids (GHSA, CVE, OSV ids), if any. */
  advisories: string[];
}

/** Gates computed from the attachments. */
export const AUTOMATIC_GATES = [
  'tests_passed',
  'no_secret_findings',
  'no_blocking_dependency_findings',
  'sbom_present',
] as const;
export type AutomaticGate = (typeof AUTOMATIC_GATES)[number];

/** A gate someone signs, with the password re-entered: who may sign it (one person, any listed slot). */
export interface SignedGatePolicy {
  key: string;
  name: string;
  /** What the signature means, in the signer's words on the page ("QA has passed the system tests"). */
  meaning: string;
  /** Anyone who fills one of these slots may sign (department `owner` is not used here). */
  signers: ApproverSlot[];
  /** True for the ISO 14971 clause 9 review: signing it signs the generated risk management report. */
  riskReport?: boolean;
}

export interface ProductGatePolicy {
  key: string;
  name: string;
  /** Software as a medical device: IEC 62304 5.8 checks apply and the clause 9 review is expected. */
  samd: boolean;
  automatic: AutomaticGate[];
  signed: SignedGatePolicy[];
}

/** controls/release-gates.yaml */
export interface ReleaseGatesPolicy {
  /** Dependency findings at or above this severity block a release unless an accepted exception covers them. */
  blockingSeverity: FindingSeverity;
  /** Fix deadlines per severity, in days from when the finding was opened. */
  findingSlaDays: Record<FindingSeverity, number>;
  /** Default rotation interval per kind of secret, in days. */
  keyRotationDays: { third_party: number; service_role: number };
  products: ProductGatePolicy[];
}

/** What a release's gate looks like to the decision. */
export interface GateState {
  key: string;
  kind: 'automatic' | 'signed';
  passed: boolean;
  /** Why not, for people ("2 tests failed", "no SBOM attached", "not signed"). */
  reason: string | null;
}

export interface ReleaseDecision {
  approved: boolean;
  /** The gates not passed, with their reasons. */
  missing: { gate: string; reason: string }[];
}
