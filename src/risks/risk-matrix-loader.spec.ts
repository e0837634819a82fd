// The matrix file is validated like the catalog: each problem as `file:line: message`.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../catalog/domain/catalog-model';
import { loadRiskMatrix } from './risk-matrix-loader';

const SHIPPED = join(__dirname, '..', '..', 'controls', 'risk-matrix.yaml');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder holding the shipped matrix with its text edited. */
function edited(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'attest-matrix-'));
  dirs.push(dir);
  copyFileSync(SHIPPED, join(dir, 'risk-matrix.yaml'));
  writeFileSync(join(dir, 'risk-matrix.yaml'), edit(readFileSync(SHIPPED, 'utf8')));
  return dir;
}
const lineOf = (needle: string) =>
  readFileSync(SHIPPED, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;
const exactLine = (text: string) => readFileSync(SHIPPED, 'utf8').split('\n').indexOf(text) + 1;
const problemsOf = (dir: string) => loadRiskMatrix(dir).problems.map(formatProblem);

describe('loadRiskMatrix', () => {
  it('reports a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attest-matrix-'));
    dirs.push(dir);
    expect(problemsOf(dir)).toEqual(['risk-matrix.yaml:1: file is missing']);
  });
  it('names the line of a bad cell and of a non-monotonic one', () => {
    expect(
      problemsOf(
        edited((t) => t.replace('occasional: [acceptable, alara, alara', 'occasional: [acceptable, alara, fine')),
      ),
    ).toEqual([
      `risk-matrix.yaml:${lineOf('occasional: [')}: occasional × S3: "fine" is not a level (acceptable, alara, unacceptable)`,
    ]);
    expect(
      problemsOf(
        edited((t) =>
          t.replace(
            'improbable: [acceptable, acceptable, acceptable, alara, alara]',
            'improbable: [acceptable, acceptable, acceptable, unacceptable, alara]',
          ),
        ),
      ),
    ).toEqual([
      `risk-matrix.yaml:${lineOf('remote: [')}: not monotonic: remote × S4 is alara, lower than unacceptable at the less probable improbable`,
      `risk-matrix.yaml:${lineOf('improbable: [')}: not monotonic: improbable × S5 is alara, lower than unacceptable at the less severe S4`,
    ]);
  });
  it('refuses probability levels named P1…Pn (ISO 14971 Annex C uses P1 and P2 for the factors of P), and keys that are not lower-case words', () => {
    expect(problemsOf(edited((t) => t.replace('level: remote,', 'level: P2,')))).toEqual([
      `risk-matrix.yaml:${lineOf('level: remote,')}: "P2": name probability levels by a word (e.g. remote), not P1…P5, which ISO 14971 Annex C uses for the two factors of P`,
    ]);
    expect(problemsOf(edited((t) => t.replace('level: remote,', 'level: Remote,')))).toEqual([
      `risk-matrix.yaml:${lineOf('level: remote,')}: "Remote" must be a lower-case word (letters and dashes), e.g. remote`,
    ]);
    expect(problemsOf(edited((t) => t.replace('level: remote,', 'level: improbable,')))).toEqual([
      `risk-matrix.yaml:${lineOf('level: remote,')}: "improbable" is listed twice`,
    ]);
  });
  it('requires a written rationale (at least 200 characters) and keeps it', () => {
    const withoutRationale = (t: string) =>
      t.slice(0, t.indexOf('rationale: |')) + t.slice(t.indexOf('\n# Severity of the harm'));
    expect(problemsOf(edited(withoutRationale))).toEqual([
      `risk-matrix.yaml:${lineOf('size: 5')}: rationale: is required: why this matrix is the company's acceptability policy (ISO 14971 4.2, 4.4(d))`,
    ]);
    expect(
      problemsOf(edited((t) => withoutRationale(t).replace('size: 5\n', 'size: 5\nrationale: Because.\n'))),
    ).toEqual([
      `risk-matrix.yaml:${lineOf('size: 5') + 1}: rationale: must explain the policy in at least 200 characters (why each cut-off is where it is)`,
    ]);
    const { matrix } = loadRiskMatrix(join(SHIPPED, '..'));
    expect(matrix!.rationale).toMatch(
      /^ISO 14971:2019 leaves the criteria for risk acceptability to the manufacturer's policy/,
    );
    expect(matrix!.rationale.split('\n\n').length).toBeGreaterThanOrEqual(4);
  });
  it('names the line of a schema problem and a misnamed level', () => {
    expect(problemsOf(edited((t) => t.replace('size: 5', 'size: 4')))).toEqual([
      `risk-matrix.yaml:${lineOf('size: 5')}: size: must be 3 or 5`,
    ]);
    expect(problemsOf(edited((t) => t.replace('level: S2,', 'level: S7,')))).toEqual([
      `risk-matrix.yaml:${lineOf('level: S2,')}: level 2 must be named S2, not "S7"`,
    ]);
    expect(problemsOf(edited((t) => t.replace('p1xp2: upper-bound-product', 'p1xp2: average')))).toEqual([
      `risk-matrix.yaml:${lineOf('p1xp2: upper')}: p1xp2: must be one of upper-bound-product`,
    ]);
  });
  describe('the security section', () => {
    it('is required', () => {
      const withoutSecurity = (t: string) => t.slice(0, t.indexOf('\nsecurity:'));
      expect(problemsOf(edited(withoutSecurity))).toEqual([
        `risk-matrix.yaml:${lineOf('size: 5')}: security: is required: the security register's own scale (impact × likelihood)`,
      ]);
    });
    it('names the line of a misnamed impact or likelihood level', () => {
      expect(problemsOf(edited((t) => t.replace('level: I2,', 'level: S2,')))).toEqual([
        `risk-matrix.yaml:${lineOf('level: I2,')}: level 2 must be named I2, not "S2"`,
      ]);
      expect(problemsOf(edited((t) => t.replace('level: L4,', 'level: P4,')))).toEqual([
        `risk-matrix.yaml:${lineOf('level: L4,')}: level 4 must be named L4, not "P4"`,
      ]);
    });
    it('names the line of a bad or non-monotonic cell, and of a short row', () => {
      expect(problemsOf(edited((t) => t.replace('L3: [acceptable, alara', 'L3: [acceptable, medium')))).toEqual([
        `risk-matrix.yaml:${lineOf('L3: [')}: L3 × I2: "medium" is not a level (acceptable, alara, unacceptable)`,
      ]);
      expect(
        problemsOf(
          edited((t) =>
            t.replace(
              'L2: [acceptable, acceptable, alara, alara, alara]',
              'L2: [acceptable, acceptable, alara, alara, acceptable]',
            ),
          ),
        ),
      ).toEqual([
        `risk-matrix.yaml:${lineOf('L2: [')}: not monotonic: L2 × I5 is acceptable, lower than alara at the lower impact I4`,
        `risk-matrix.yaml:${lineOf('L2: [')}: not monotonic: L2 × I5 is acceptable, lower than alara at the less likely L1`,
      ]);
      expect(
        problemsOf(
          edited((t) =>
            t.replace(
              'L1: [acceptable, acceptable, acceptable, alara, alara]',
              'L1: [acceptable, acceptable, acceptable, alara]',
            ),
          ),
        ),
      ).toEqual([`risk-matrix.yaml:${lineOf('L1: [')}: row L1 must have 5 cells (I1…I5), not 4`]);
    });
    it('has a size of its own, checked like the top one', () => {
      const security = (t: string) => t.slice(t.indexOf('\nsecurity:'));
      expect(problemsOf(edited((t) => t.replace(security(t), security(t).replace('  size: 5', '  size: 7'))))).toEqual([
        `risk-matrix.yaml:${exactLine('  size: 5')}: security.size: must be 3 or 5`,
      ]);
      expect(problemsOf(edited((t) => t.replace(security(t), security(t).replace('  size: 5', '  size: 3'))))).toEqual([
        `risk-matrix.yaml:${lineOf('level: I1,')}: must list 3 levels (size is 3), not 5`,
        `risk-matrix.yaml:${lineOf('level: L1,')}: must list 3 levels (size is 3), not 5`,
      ]);
    });
  });
  it('refuses YAML anchors and aliases, as the catalog does', () => {
    const problems = problemsOf(
      edited((t) =>
        t
          .replace('frequent: [alara', 'frequent: &row [alara')
          .replace('probable: [alara, alara, unacceptable, unacceptable, unacceptable]', 'probable: *row'),
      ),
    );
    expect(problems).toEqual([
      `risk-matrix.yaml:${lineOf('frequent: [')}: YAML anchors (&row) are not allowed`,
      `risk-matrix.yaml:${lineOf('probable: [')}: YAML aliases (*row) are not allowed`,
    ]);
  });
});
