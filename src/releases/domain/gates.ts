// Release gates (issue 18): whether each gate of a product's release is passed, and the decision a deploy step
// asks for ("may this version go out?"). Pure: the caller counts the open findings and checks the signatures.
import {
  FINDING_SEVERITIES,
  type AutomaticGate,
  type FindingSeverity,
  type GateState,
  type ProductGatePolicy,
  type ReleaseDecision,
  type ScanFinding,
  type TestReportSummary,
} from './release-model';

/** What the gates are computed from, for one release. */
export interface GateInput {
  /** The parsed test report attached to the release; null when none is. */
  testReport: TestReportSummary | null;
  sbomPresent: boolean;
  /**
   * Whether a secret scan / a dependency audit (npm audit or OSV) is attached: "no findings" needs a scan
   * that found none, not the absence of a scan. Unset counts as attached (callers that only count findings).
   */
  secretScanPresent?: boolean;
  dependencyScanPresent?: boolean;
  /** Open secret findings (gitleaks) of the release. */
  secretFindings: number;
  /** Open dependency findings at or above the blocking severity not covered by an accepted exception. */
  blockingDependencyFindings: number;
  /** Keys of the signed gates validly signed for this release. */
  signedGates: Set<string>;
  /** Keys of signed gates whose only signatures were given before the release last changed. */
  staleGates?: Set<string>;
  /** The blocking severity (release-gates.yaml), only to say it in the reason; optional. */
  blockingSeverity?: FindingSeverity;
}

/** True when `s` is `threshold` or more severe (critical > high > moderate > low > info). */
export function severityAtLeast(s: FindingSeverity, threshold: FindingSeverity): boolean {
  return FINDING_SEVERITIES.indexOf(s) <= FINDING_SEVERITIES.indexOf(threshold);
}

/**
 * Splits the blocking findings into those an accepted, unexpired exception covers (matched by fingerprint:
 * the findings register's risk acceptances) and those that still block.
 */
export function withoutAcceptedExceptions(
  blocking: ScanFinding[],
  accepted: ReadonlySet<string>,
): { blocking: ScanFinding[]; excepted: ScanFinding[] } {
  return {
    blocking: blocking.filter((f) => !accepted.has(f.fingerprint)),
    excepted: blocking.filter((f) => accepted.has(f.fingerprint)),
  };
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Why an automatic gate is not passed, in plain words; null when it is. */
function automaticReason(gate: AutomaticGate, input: GateInput): string | null {
  switch (gate) {
    case 'tests_passed': {
      const report = input.testReport;
      if (!report) return 'no test report attached';
      const failed = report.failures + report.errors;
      if (failed > 0) return `${count(failed, 'test', 'tests')} failed`;
      if (report.tests === 0) return 'the test report has no tests';
      return null;
    }
    case 'no_secret_findings':
      if (input.secretScanPresent === false) return 'no secret scan attached';
      return input.secretFindings > 0
        ? count(input.secretFindings, 'live secret finding', 'live secret findings')
        : null;
    case 'no_blocking_dependency_findings': {
      if (input.dependencyScanPresent === false) return 'no dependency audit attached';
      const n = input.blockingDependencyFindings;
      if (n <= 0) return null;
      const which = input.blockingSeverity
        ? ` (${input.blockingSeverity === 'critical' ? 'critical' : `${input.blockingSeverity} or above`}, no accepted exception)`
        : '';
      return `${count(n, 'blocking dependency finding', 'blocking dependency findings')}${which}`;
    }
    case 'sbom_present':
      return input.sbomPresent ? null : 'no SBOM attached';
  }
}

/**
 * Every gate of the product, automatic ones first in the order the policy lists them, then the signed ones;
 * approved when every gate is passed. "tests_passed" needs a report with at least one test and no failed or
 * errored one (both counted as failed in the reason).
 */
export function evaluateGates(
  product: ProductGatePolicy,
  input: GateInput,
): { gates: GateState[]; decision: ReleaseDecision } {
  const gates: GateState[] = [
    ...product.automatic.map((key): GateState => {
      const reason = automaticReason(key, input);
      return { key, kind: 'automatic', passed: reason === null, reason };
    }),
    ...product.signed.map((g): GateState => {
      const passed = input.signedGates.has(g.key);
      const reason = passed
        ? null
        : input.staleGates?.has(g.key)
          ? 'signed before the release changed: sign again'
          : 'not signed yet';
      return { key: g.key, kind: 'signed', passed, reason };
    }),
  ];
  const missing = gates.filter((g) => !g.passed).map((g) => ({ gate: g.key, reason: g.reason ?? 'not passed' }));
  return { gates, decision: { approved: missing.length === 0, missing } };
}
