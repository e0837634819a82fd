import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../catalog/domain/catalog-model';
import { INCIDENT_POLICY_FILE, loadIncidentPolicy } from './incident-policy-loader';

const REAL = join(__dirname, '../../controls', INCIDENT_POLICY_FILE);
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'attest-incident-policy-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The reviewed file with one edit, loaded; its problems as `file:line: message`. */
function problemsAfter(edit: (text: string) => string): string[] {
  writeFileSync(join(dir, INCIDENT_POLICY_FILE), edit(readFileSync(REAL, 'utf8')));
  const loaded = loadIncidentPolicy(dir);
  expect(loaded.policy).toBeNull();
  return loaded.problems.map(formatProblem);
}

const lineOf = (needle: string) =>
  readFileSync(REAL, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

describe('loadIncidentPolicy', () => {
  it('loads the reviewed file', () => {
    copyFileSync(REAL, join(dir, INCIDENT_POLICY_FILE));
    expect(loadIncidentPolicy(dir)).toMatchObject({ problems: [] });
  });

  it('says when the file is missing', () => {
    expect(loadIncidentPolicy(dir)).toEqual({
      policy: null,
      problems: [{ file: INCIDENT_POLICY_FILE, line: 1, message: 'file is missing' }],
    });
  });

  it('names the line of a zero or negative period', () => {
    const line = lineOf('key: SEV2');
    expect(
      problemsAfter((t) =>
        t.replace('key: SEV2, name: High, acknowledgeHours: 4', 'key: SEV2, name: High, acknowledgeHours: 0'),
      ),
    ).toEqual([`${INCIDENT_POLICY_FILE}:${line}: severities.1.acknowledgeHours: must be more than 0 hours`]);
  });

  it('refuses a less severe incident that is more urgent, and severities out of order', () => {
    const problems = problemsAfter((t) =>
      t.replace('acknowledgeHours: 24,', 'acknowledgeHours: 2,').replace('key: SEV4', 'key: SEV9'),
    );
    expect(problems).toEqual([
      `${INCIDENT_POLICY_FILE}:${lineOf('key: SEV3')}: must not be shorter than SEV2's (4 h): a less severe incident may not be more urgent`,
      `${INCIDENT_POLICY_FILE}:${lineOf('key: SEV4')}: must be SEV4 (severities are listed SEV1 first)`,
    ]);
  });

  it('refuses an unknown adverse-event category and a missing source', () => {
    const problems = problemsAfter((t) =>
      t
        .replace('    serious_public_health_threat:', '    mild_discomfort:')
        .replace(/\n {4}source: MoPH Notification 22 Oct 2020 \(field safety[^\n]*/, ''),
    );
    expect(problems.join('\n')).toMatch(/unknown key\(s\) "mild_discomfort"/);
    expect(problems.join('\n')).toMatch(/regulatory\.fsca\.source: /);
  });

  it('refuses YAML aliases (no billion laughs)', () => {
    const problems = problemsAfter((t) => `${t}\nx: &a [1]\ny: *a\n`);
    expect(problems.length).toBeGreaterThan(0);
  });
});
