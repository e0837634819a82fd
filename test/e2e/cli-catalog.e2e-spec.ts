// `attest catalog …` as a user runs it: validate (no database), sync, coverage and export on the
// embedded database.
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, runCli } from '../support/processes';

const work = mkdtempSync(join(tmpdir(), 'attest-e2e-catalog-'));
chmodSync(work, 0o755); // the embedded PostgreSQL runs as the postgres OS user, which must reach DATA_DIR
const dataDir = join(work, 'data');
afterAll(() => {
  runCli(['health'], childEnv(dataDir)); // stops an orphaned cluster, if a failed test left one
  rmSync(work, { recursive: true, force: true });
});

it('validate passes on the shipped catalog and prints the coverage', () => {
  const r = runCli(['catalog', 'validate'], childEnv(dataDir));
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/valid — 4 frameworks, \d+ controls, 15 departments/);
  expect(r.stdout).toMatch(/soc2\s+61 requirements: 61 covered, 0 not applicable, 0 uncovered \(100%\)/);
  expect(r.stdout).toContain('risk matrix: ISO 14971 5×5 (severity × probability), security 5×5 (impact × likelihood)');
  // the acceptability policy's written rationale, wrapped and indented under the result
  expect(r.stdout).toContain(
    "  risk matrix rationale:\n    ISO 14971:2019 leaves the criteria for risk acceptability to the manufacturer's policy",
  );
  expect(r.stdout).toMatch(/\n {4}Catastrophic harm \(death\) is never acceptable outright/);
  const rationale = r.stdout.slice(r.stdout.indexOf('risk matrix rationale:'), r.stdout.indexOf('  incident policy:'));
  for (const line of rationale.split('\n').slice(1, -1))
    expect([line.length <= 104, /\s$/.test(line)]).toEqual([true, false]);
  expect(r.stdout.trimEnd().split('\n').slice(-3)).toEqual([
    '  incident policy: SEV1 1 h, SEV2 4 h, SEV3 24 h, SEV4 72 h to acknowledge; breach notice 72 h; Thai FDA reports 48 h / 240 h / 720 h, FSCA 48 h',
    '  document types: policy 2 approver(s), procedure 2 approver(s), work_instruction 1 approver(s), plan 2 approver(s), standard 2 approver(s)',
    '  release gates: patient-platform 4 automatic + 4 signed, hms 4 automatic + 4 signed; high and above blocks',
  ]);
});

it('validate also checks release-gates.yaml, with file:line', () => {
  const dir = join(work, 'broken-release-gates');
  cpSync(join(__dirname, '..', 'fixtures', 'catalog', 'valid'), dir, { recursive: true });
  const file = join(dir, 'release-gates.yaml');
  const text = readFileSync(file, 'utf8');
  const line = text.split('\n').findIndex((l) => /department: privacy/.test(l)) + 1;
  writeFileSync(file, text.replace(/department: privacy/, 'department: no-such-department'));
  const r = runCli(['catalog', 'validate', dir], childEnv(dataDir));
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`broken-release-gates/release-gates\\.yaml:${line}: .*no-such-department`));
  expect(r.stdout).toMatch(/1 problem\(s\) in /);
});

it('validate also checks document-types.yaml, with file:line', () => {
  const dir = join(work, 'broken-document-types');
  cpSync(join(__dirname, '..', 'fixtures', 'catalog', 'valid'), dir, { recursive: true });
  const file = join(dir, 'document-types.yaml');
  const text = readFileSync(file, 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('reviewCadenceMonths: 24')) + 1;
  writeFileSync(file, text.replace('reviewCadenceMonths: 24', 'reviewCadenceMonths: 240'));
  const r = runCli(['catalog', 'validate', dir], childEnv(dataDir));
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(
    new RegExp(
      `broken-document-types/document-types\\.yaml:${line}: types\\.work_instruction\\.reviewCadenceMonths: must be at most 60 months\n1 problem\\(s\\) in `,
    ),
  );
});

it('validate also checks incident-policy.yaml, with file:line', () => {
  const dir = join(work, 'broken-incidents');
  cpSync(join(__dirname, '..', 'fixtures', 'catalog', 'valid'), dir, { recursive: true });
  const file = join(dir, 'incident-policy.yaml');
  const text = readFileSync(file, 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('key: SEV2')) + 1;
  writeFileSync(
    file,
    text.replace('key: SEV2, name: High, acknowledgeHours: 4', 'key: SEV2, name: High, acknowledgeHours: -4'),
  );
  const r = runCli(['catalog', 'validate', dir], childEnv(dataDir));
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(
    new RegExp(
      `broken-incidents/incident-policy\\.yaml:${line}: severities\\.1\\.acknowledgeHours: must be more than 0 hours\n1 problem\\(s\\) in `,
    ),
  );
});

it('validate also checks risk-matrix.yaml, with file:line for each problem, next to the catalog problems', () => {
  const dir = join(work, 'broken-matrix');
  cpSync(join(__dirname, '..', 'fixtures', 'catalog', 'valid'), dir, { recursive: true });
  const file = join(dir, 'risk-matrix.yaml');
  const text = readFileSync(file, 'utf8');
  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  writeFileSync(
    file,
    text
      .replace('occasional: [acceptable, alara, alara', 'occasional: [acceptable, alara, fine')
      .replace('level: I2,', 'level: S2,'),
  );
  const r = runCli(['catalog', 'validate', dir], childEnv(dataDir));
  expect(r.status).toBe(1);
  expect(r.stdout.trim().split('\n')).toEqual([
    `${r.stdout.match(/^(\S*broken-matrix)\//)?.[1]}/risk-matrix.yaml:${lineOf('occasional: [')}: occasional × S3: "fine" is not a level (acceptable, alara, unacceptable)`,
    `${r.stdout.match(/^(\S*broken-matrix)\//)?.[1]}/risk-matrix.yaml:${lineOf('level: I2,')}: level 2 must be named I2, not "S2"`,
    expect.stringMatching(/^2 problem\(s\) in \S*broken-matrix$/),
  ]);

  rmSync(file);
  const missing = runCli(['catalog', 'validate', dir], childEnv(dataDir));
  expect(missing.status).toBe(1);
  expect(missing.stdout).toMatch(/broken-matrix\/risk-matrix\.yaml:1: file is missing\n1 problem\(s\) in /);
});

it('validate fails on a broken copy with file:line for every problem', () => {
  const dir = join(work, 'broken');
  cpSync(join(__dirname, '..', 'fixtures', 'catalog', 'valid'), dir, { recursive: true });
  const file = join(dir, 'controls', 'main.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .replace('owner: privacy', 'owner: marketing')
      .replace('cadence: quarterly', 'cadence: hourly'),
  );
  const r = runCli(['catalog', 'validate', dir], childEnv(dataDir));
  expect(r.status).toBe(1);
  const lines = r.stdout.trim().split('\n');
  expect(lines[lines.length - 1]).toMatch(/^\d+ problem\(s\) in /);
  expect(
    lines.some((l) =>
      /broken\/controls\/main\.yaml:6: controls\.0\.cadence: must be one of weekly, monthly, quarterly, annual, event$/.test(
        l,
      ),
    ),
  ).toBe(true);
});

it('sync, coverage and export work against the embedded database', () => {
  const sync = runCli(['catalog', 'sync'], childEnv(dataDir));
  expect(sync.stderr).toBe('');
  expect(sync.stdout).toMatch(/^catalog synced: \d+ added, 0 updated, 0 retired/);
  expect(runCli(['catalog', 'sync'], childEnv(dataDir)).stdout).toMatch(
    /^catalog synced: 0 added, 0 updated, 0 retired, \d+ unchanged$/m,
  );

  const coverage = runCli(['catalog', 'coverage', '--framework', 'pdpa', '--json'], childEnv(dataDir));
  expect(JSON.parse(coverage.stdout)).toMatchObject({ framework: 'pdpa', uncovered: [] });

  const out = join(work, 'soc2.json');
  const oscal = runCli(
    ['catalog', 'export', '--framework', 'soc2', '--format', 'oscal', '--out', out],
    childEnv(dataDir),
  );
  expect(oscal.status).toBe(0);
  const component = join(work, 'soc2.component-definition.json');
  expect(existsSync(out) && existsSync(component)).toBe(true);
  expect(JSON.parse(readFileSync(out, 'utf8')).catalog.metadata['oscal-version']).toBe('1.1.2');
  expect(
    JSON.parse(readFileSync(component, 'utf8'))['component-definition'].components[0]['control-implementations'][0]
      .source,
  ).toBe('./soc2.json');

  const csv = join(work, 'samd.csv');
  expect(
    runCli(['catalog', 'export', '--framework', 'samd', '--format', 'csv', '--out', csv], childEnv(dataDir)).status,
  ).toBe(0);
  expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe(
    'framework,group,ref,requirement,not_applicable,control,control_title,owner_department,cadence,max_interval_days',
  );

  const bad = runCli(['catalog', 'export', '--framework', 'soc2', '--format', 'pdf', '--out', csv], childEnv(dataDir));
  expect(bad.status).toBe(2);
  expect(bad.stdout).toContain('--format must be oscal or csv');
});
