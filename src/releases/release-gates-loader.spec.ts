import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../catalog/domain/catalog-model';
import { loadReleaseGates, RELEASE_GATES_FILE } from './release-gates-loader';

const CONTROLS = join(__dirname, '../../controls');
const REAL = join(CONTROLS, RELEASE_GATES_FILE);
const realText = () => readFileSync(REAL, 'utf8');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attest-release-gates-'));
  copyFileSync(join(CONTROLS, 'departments.yaml'), join(dir, 'departments.yaml'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function problemsAfter(edit: (text: string) => string): string[] {
  writeFileSync(join(dir, RELEASE_GATES_FILE), edit(realText()));
  const loaded = loadReleaseGates(dir);
  expect(loaded.policy).toBeNull();
  return loaded.problems.map(formatProblem);
}

/** 1-based line of the nth (1-based) line containing `needle` outside comments, in `text` (the real file). */
const lineOf = (needle: string, nth = 1, text = realText()) => {
  let seen = 0;
  return text.split('\n').findIndex((l) => !l.trimStart().startsWith('#') && l.includes(needle) && ++seen === nth) + 1;
};
const F = RELEASE_GATES_FILE;

describe('loadReleaseGates', () => {
  it('loads the reviewed controls/release-gates.yaml without a problem', () => {
    const { policy, problems } = loadReleaseGates(CONTROLS);
    expect(problems).toEqual([]);
    expect(policy).toMatchObject({
      blockingSeverity: 'high',
      findingSlaDays: { critical: 14, high: 14, moderate: 60 },
      keyRotationDays: { third_party: 30, service_role: 90 },
    });
    expect(policy!.products.map((p) => [p.key, p.name, p.samd])).toEqual([
      ['patient-platform', 'Patient platform', true],
      ['hms', 'Hospital management system', true],
    ]);
    for (const p of policy!.products) {
      expect(p.automatic).toEqual([
        'tests_passed',
        'no_secret_findings',
        'no_blocking_dependency_findings',
        'sbom_present',
      ]);
      expect(p.signed.map((g) => [g.key, g.signers, g.riskReport ?? false])).toEqual([
        ['qa', [{ department: 'engineering' }], false],
        ['safety_review', [{ department: 'quality-regulatory' }], false],
        ['clinical_signoff', [{ department: 'clinical' }], false],
        ['iso14971_clause9', [{ department: 'clinical' }], true],
      ]);
      expect(p.signed[3].name).toBe('ISO 14971 clause 9 risk management review');
    }
  });

  it('takes the department keys from the caller instead of departments.yaml', () => {
    copyFileSync(REAL, join(dir, F));
    rmSync(join(dir, 'departments.yaml'));
    expect(loadReleaseGates(dir, ['engineering', 'quality-regulatory', 'clinical']).problems).toEqual([]);
    expect(loadReleaseGates(dir, ['engineering', 'quality-regulatory']).problems.map(formatProblem)).toContain(
      `${F}:${lineOf('- { department: clinical }')}: "clinical" is not a department in departments.yaml`,
    );
  });

  it('says when the file is missing, and when departments.yaml is', () => {
    expect(loadReleaseGates(dir)).toEqual({
      policy: null,
      problems: [{ file: F, line: 1, message: 'file is missing' }],
    });
    copyFileSync(REAL, join(dir, F));
    rmSync(join(dir, 'departments.yaml'));
    expect(loadReleaseGates(dir)).toEqual({
      policy: null,
      problems: [{ file: 'departments.yaml', line: 1, message: 'file is missing' }],
    });
  });

  it('names the line of a duplicate product key and a duplicate gate key', () => {
    const problems = problemsAfter((t) =>
      t.replace('key: hms', 'key: patient-platform').replace('key: safety_review', 'key: qa'),
    );
    expect(problems).toEqual([
      `${F}:${lineOf('key: safety_review')}: gate "qa" is listed twice`,
      `${F}:${lineOf('key: hms')}: product "patient-platform" is listed twice`,
    ]);
  });

  it('refuses a signed gate named like an automatic one, and an automatic gate listed twice', () => {
    const problems = problemsAfter((t) =>
      t
        .replace('key: clinical_signoff', 'key: sbom_present')
        .replace('[tests_passed, no_secret_findings,', '[tests_passed, tests_passed,'),
    );
    expect(problems).toContain(`${F}:${lineOf('automatic: [tests_passed')}: gate "tests_passed" is listed twice`);
    expect(problems).toContain(`${F}:${lineOf('key: clinical_signoff')}: "sbom_present" is an automatic gate's key`);
  });

  it('allows one riskReport gate per product and requires it for SaMD', () => {
    const withTwo = (t: string) =>
      t.replace('meaning: QA has passed the system tests of this version', '$&\n        riskReport: true');
    expect(problemsAfter(withTwo)).toEqual([
      `${F}:${lineOf('riskReport: true', 2, withTwo(realText()))}: only one gate of a product may sign the risk management report`,
    ]);
    const none = problemsAfter((t) => t.replace(/\n {8}riskReport: true/g, ''));
    expect(none).toHaveLength(2);
    expect(none[0]).toBe(
      `${F}:${lineOf('- key: qa')}: software as a medical device needs the ISO 14971 clause 9 review: a signed gate with riskReport: true`,
    );
    // A product that is not SaMD needs none.
    writeFileSync(
      join(dir, F),
      realText()
        .replace(/\n {8}riskReport: true/g, '')
        .replace(/samd: true/g, 'samd: false'),
    );
    expect(loadReleaseGates(dir).problems).toEqual([]);
  });

  it('checks signer roles against APPROVER_ROLES', () => {
    const problems = problemsAfter((t) => t.replace('- { department: engineering }', '- { role: auditor }'));
    expect(problems[0]).toMatch(
      new RegExp(
        `^${F}:${lineOf('- { department: engineering }')}: products\\.0\\.signed\\.0\\.signers\\.0\\.role: must be one of admin, compliance_manager`,
      ),
    );
    writeFileSync(join(dir, F), realText().replace('- { department: engineering }', '- { role: compliance_manager }'));
    expect(loadReleaseGates(dir).problems).toEqual([]);
  });

  it('checks signer departments against departments.yaml, and that a gate has signers who are someone', () => {
    const problems = problemsAfter((t) =>
      t
        .replace('- { department: clinical }', '- { department: cardiology }')
        .replace('- { department: quality-regulatory }', '- {}'),
    );
    expect(problems).toEqual([
      `${F}:${lineOf('- { department: quality-regulatory }')}: must name a role, a department, or both`,
      `${F}:${lineOf('- { department: clinical }')}: "cardiology" is not a department in departments.yaml`,
    ]);
    const none = problemsAfter((t) => t.replace('signers:\n          - { department: engineering }', 'signers: []'));
    expect(none).toEqual([`${F}:${lineOf('signers:')}: must name at least one signer`]);
  });

  it('needs every severity’s deadline as a positive whole number of days, never longer for a less severe one', () => {
    expect(problemsAfter((t) => t.replace('  info: 180\n', ''))).toEqual([
      // A missing key is reported at its map's first entry (the catalog's YAML reader names a node's own line).
      `${F}:${lineOf('critical: 14')}: findingSlaDays.info: is missing`,
    ]);
    expect(
      problemsAfter((t) => t.replace('critical: 14', 'critical: 0').replace('moderate: 60', 'moderate: 7.5')),
    ).toEqual([
      `${F}:${lineOf('critical: 14')}: findingSlaDays.critical: must be at least 1 day`,
      `${F}:${lineOf('moderate: 60')}: findingSlaDays.moderate: must be a whole number of days`,
    ]);
    expect(problemsAfter((t) => t.replace('moderate: 60', 'moderate: 7'))).toEqual([
      `${F}:${lineOf('moderate: 60')}: must not be shorter than high's (14 days): a less severe finding may not be more urgent`,
    ]);
    expect(problemsAfter((t) => t.replace('service_role: 90', 'service_role: -90'))).toEqual([
      `${F}:${lineOf('service_role: 90')}: keyRotationDays.service_role: must be at least 1 day`,
    ]);
  });

  it('names an unknown severity, an unknown automatic gate and an unknown key', () => {
    const edit = (t: string) =>
      t
        .replace('blockingSeverity: high', 'blockingSeverity: severe')
        .replace('sbom_present]', 'sbom_attached]')
        .replace('    samd: true\n', '    samd: true\n    owner: engineering\n');
    const problems = problemsAfter(edit);
    const lineOfEdited = (needle: string) => lineOf(needle, 1, edit(realText()));
    expect(problems).toContain(
      `${F}:${lineOf('blockingSeverity: high')}: blockingSeverity: must be one of critical, high, moderate, low, info`,
    );
    expect(problems).toContain(
      `${F}:${lineOfEdited('automatic: [tests_passed')}: products.0.automatic.3: must be one of tests_passed, no_secret_findings, no_blocking_dependency_findings, sbom_present`,
    );
    expect(problems).toContain(`${F}:${lineOf('key: patient-platform')}: products.0: unknown key(s) "owner"`);
  });

  it('refuses YAML anchors like every catalog file', () => {
    const problems = problemsAfter((t) => t.replace('keyRotationDays:', 'keyRotationDays: &rotation'));
    expect(problems[0]).toBe(`${F}:${lineOf('third_party: 30')}: YAML anchors (&rotation) are not allowed`);
  });
});
