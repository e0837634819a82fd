import { evaluateGates, severityAtLeast, withoutAcceptedExceptions, type GateInput } from './gates';
import { FINDING_SEVERITIES, type ProductGatePolicy, type ScanFinding, type TestReportSummary } from './release-model';

const product: ProductGatePolicy = {
  key: 'patient-platform',
  name: 'Patient platform',
  samd: true,
  automatic: ['tests_passed', 'no_secret_findings', 'no_blocking_dependency_findings', 'sbom_present'],
  signed: [
    { key: 'qa', name: 'QA', meaning: 'QA has passed the system tests', signers: [{ department: 'engineering' }] },
    {
      key: 'iso14971_clause9',
      name: 'ISO 14971 clause 9 risk management review',
      meaning: 'The risk management review is complete',
      signers: [{ department: 'clinical' }],
      riskReport: true,
    },
  ],
};
const report = (over: Partial<TestReportSummary> = {}): TestReportSummary => ({
  tests: 120,
  failures: 0,
  errors: 0,
  skipped: 2,
  failed: [],
  passed: true,
  ...over,
});
const good: GateInput = {
  testReport: report(),
  sbomPresent: true,
  secretFindings: 0,
  blockingDependencyFindings: 0,
  signedGates: new Set(['qa', 'iso14971_clause9']),
};

describe('evaluateGates', () => {
  it('approves when every gate passed, listing them automatic first in policy order', () => {
    const { gates, decision } = evaluateGates(product, good);
    expect(gates.map((g) => [g.key, g.kind, g.passed, g.reason])).toEqual([
      ['tests_passed', 'automatic', true, null],
      ['no_secret_findings', 'automatic', true, null],
      ['no_blocking_dependency_findings', 'automatic', true, null],
      ['sbom_present', 'automatic', true, null],
      ['qa', 'signed', true, null],
      ['iso14971_clause9', 'signed', true, null],
    ]);
    expect(decision).toEqual({ approved: true, missing: [] });
  });

  it('says in plain words what is missing', () => {
    const { decision } = evaluateGates(product, {
      testReport: report({ failures: 2, errors: 1, passed: false }),
      sbomPresent: false,
      secretFindings: 2,
      blockingDependencyFindings: 4,
      blockingSeverity: 'high',
      signedGates: new Set(['qa']),
    });
    expect(decision).toEqual({
      approved: false,
      missing: [
        { gate: 'tests_passed', reason: '3 tests failed' },
        { gate: 'no_secret_findings', reason: '2 live secret findings' },
        {
          gate: 'no_blocking_dependency_findings',
          reason: '4 blocking dependency findings (high or above, no accepted exception)',
        },
        { gate: 'sbom_present', reason: 'no SBOM attached' },
        { gate: 'iso14971_clause9', reason: 'not signed yet' },
      ],
    });
  });

  it.each([
    [{ testReport: null }, 'tests_passed', 'no test report attached'],
    [{ testReport: report({ tests: 0, passed: false }) }, 'tests_passed', 'the test report has no tests'],
    [{ testReport: report({ failures: 1, passed: false }) }, 'tests_passed', '1 test failed'],
    [{ testReport: report({ errors: 1, passed: false }) }, 'tests_passed', '1 test failed'],
    [{ secretFindings: 1 }, 'no_secret_findings', '1 live secret finding'],
    [{ blockingDependencyFindings: 1 }, 'no_blocking_dependency_findings', '1 blocking dependency finding'],
    [
      { blockingDependencyFindings: 1, blockingSeverity: 'critical' as const },
      'no_blocking_dependency_findings',
      '1 blocking dependency finding (critical, no accepted exception)',
    ],
    [{ signedGates: new Set<string>() }, 'qa', 'not signed yet'],
  ])('%j → %s: %s', (change, gate, reason) => {
    const { gates, decision } = evaluateGates(product, { ...good, ...change });
    expect(gates.find((g) => g.key === gate)).toMatchObject({ passed: false, reason });
    expect(decision.approved).toBe(false);
    expect(decision.missing).toContainEqual({ gate, reason });
  });

  it('passes tests with skipped cases, and ignores a signature for a gate the product does not have', () => {
    const { decision, gates } = evaluateGates(product, {
      ...good,
      testReport: report({ skipped: 50 }),
      signedGates: new Set(['qa', 'iso14971_clause9', 'clinical_signoff']),
    });
    expect(decision.approved).toBe(true);
    expect(gates.map((g) => g.key)).not.toContain('clinical_signoff');
  });

  it('only computes the gates the product lists', () => {
    const lean: ProductGatePolicy = { ...product, automatic: ['sbom_present'], signed: [] };
    const { gates, decision } = evaluateGates(lean, { ...good, testReport: null, secretFindings: 3 });
    expect(gates).toEqual([{ key: 'sbom_present', kind: 'automatic', passed: true, reason: null }]);
    expect(decision.approved).toBe(true);
  });
});

describe('severityAtLeast', () => {
  it('orders critical > high > moderate > low > info', () => {
    const table = FINDING_SEVERITIES.map((s) => FINDING_SEVERITIES.filter((t) => severityAtLeast(s, t)));
    expect(table).toEqual([
      ['critical', 'high', 'moderate', 'low', 'info'],
      ['high', 'moderate', 'low', 'info'],
      ['moderate', 'low', 'info'],
      ['low', 'info'],
      ['info'],
    ]);
  });
});

describe('evaluateGates: scans that must be attached, and stale signatures', () => {
  const product = {
    key: 'p',
    name: 'P',
    samd: true,
    automatic: ['no_secret_findings', 'no_blocking_dependency_findings'] as const,
    signed: [{ key: 'qa', name: 'QA', meaning: 'QA passed', signers: [{ department: 'engineering' }] }],
  };
  const clean = { testReport: null, sbomPresent: true, secretFindings: 0, blockingDependencyFindings: 0 };

  it('does not pass "no findings" gates without a scan that found none', () => {
    const { decision } = evaluateGates(
      { ...product, automatic: [...product.automatic] },
      { ...clean, secretScanPresent: false, dependencyScanPresent: false, signedGates: new Set(['qa']) },
    );
    expect(decision.missing).toEqual([
      { gate: 'no_secret_findings', reason: 'no secret scan attached' },
      { gate: 'no_blocking_dependency_findings', reason: 'no dependency audit attached' },
    ]);
  });

  it('says a gate signed before the release changed needs signing again', () => {
    const { decision } = evaluateGates(
      { ...product, automatic: [...product.automatic] },
      {
        ...clean,
        secretScanPresent: true,
        dependencyScanPresent: true,
        signedGates: new Set(),
        staleGates: new Set(['qa']),
      },
    );
    expect(decision).toEqual({
      approved: false,
      missing: [{ gate: 'qa', reason: 'signed before the release changed: sign again' }],
    });
  });
});

describe('withoutAcceptedExceptions', () => {
  const finding = (fingerprint: string): ScanFinding => ({
    scanner: 'npm_audit',
    fingerprint,
    title: fingerprint,
    severity: 'high',
    location: 'pkg',
    advisories: [],
  });

  it('keeps blocking what no accepted exception covers, by fingerprint', () => {
    const a = finding('GHSA-a:pkg');
    const b = finding('GHSA-b:pkg');
    expect(withoutAcceptedExceptions([a, b], new Set(['GHSA-b:pkg', 'GHSA-z:other']))).toEqual({
      blocking: [a],
      excepted: [b],
    });
  });

  it('changes nothing without accepted exceptions, and excepts everything covered', () => {
    const a = finding('GHSA-a:pkg');
    expect(withoutAcceptedExceptions([a], new Set())).toEqual({ blocking: [a], excepted: [] });
    expect(withoutAcceptedExceptions([a], new Set(['GHSA-a:pkg']))).toEqual({ blocking: [], excepted: [a] });
  });
});
