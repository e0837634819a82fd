// The catalog validator: the shipped catalog passes; each rule, broken once in a copy of a small valid
// catalog, fails with the exact `file:line: message`.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, MAX_FILE_BYTES } from './catalog-loader';
import { coverageOf, formatProblem } from './domain/catalog-model';

const VALID = join(__dirname, '..', '..', 'test', 'fixtures', 'catalog', 'valid');
const SHIPPED = join(__dirname, '..', '..', 'controls');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the valid catalog with one file's text replaced. */
function broken(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'attest-catalog-'));
  dirs.push(dir);
  cpSync(VALID, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

const problemsOf = (dir: string) => loadCatalog(dir).problems.map(formatProblem);

describe('catalog loader', () => {
  it('loads the valid fixture: frameworks, requirements, controls, mappings', () => {
    const { catalog, problems } = loadCatalog(VALID);
    expect(problems).toEqual([]);
    expect(catalog!.frameworks.map((f) => [f.key, f.requirements.length])).toEqual([
      ['alpha', 3],
      ['beta', 2],
    ]);
    expect(catalog!.controls.map((c) => c.key)).toEqual(['ACC-01', 'PRV-01']);
    expect(catalog!.controls[1].maps).toEqual({ beta: ['s30', 's37(4)'], alpha: ['A1'] });
    expect(coverageOf(catalog!.frameworks[0], catalog!.controls)).toEqual({
      framework: 'alpha',
      total: 3,
      covered: 2,
      notApplicable: 1,
      uncovered: [],
    });
  });

  it('passes on the shipped catalog, with every requirement of the four frameworks covered or not applicable', () => {
    const { catalog, problems } = loadCatalog(SHIPPED);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(catalog!.frameworks.map((f) => f.key).sort()).toEqual(['iso14971', 'pdpa', 'samd', 'soc2']);
    for (const f of catalog!.frameworks) expect(coverageOf(f, catalog!.controls).uncovered).toEqual([]);
    expect(catalog!.frameworks.find((f) => f.key === 'soc2')!.requirements).toHaveLength(61);
    expect(catalog!.controls.length).toBeGreaterThanOrEqual(60);
    expect(catalog!.controls.length).toBeLessThanOrEqual(90);
  });

  it.each([
    [
      'unknown framework in maps',
      'controls/main.yaml',
      (t: string) => t.replace('alpha: [A1, A2]', 'gamma: [A1, A2]'),
      'controls/main.yaml:10: maps: unknown framework "gamma"',
    ],
    [
      'unknown ref in maps',
      'controls/main.yaml',
      (t: string) => t.replace('alpha: [A1, A2]', 'alpha: [A1, A9]'),
      'controls/main.yaml:10: maps: alpha has no requirement "A9"',
    ],
    [
      'duplicate control key',
      'controls/main.yaml',
      (t: string) => t.replace('key: PRV-01', 'key: ACC-01'),
      'controls/main.yaml:11: control "ACC-01" is already defined in controls/main.yaml:2',
    ],
    [
      'duplicate requirement ref',
      'frameworks/alpha.yaml',
      (t: string) => t.replace('ref: A2', 'ref: A1'),
      'frameworks/alpha.yaml:9: requirement "A1" is already listed at line 6',
    ],
    [
      'unknown department',
      'controls/main.yaml',
      (t: string) => t.replace('owner: privacy', 'owner: marketing'),
      'controls/main.yaml:14: owner "marketing" is not a department in departments.yaml',
    ],
    [
      'bad cadence',
      'controls/main.yaml',
      (t: string) => t.replace('cadence: weekly', 'cadence: daily'),
      'controls/main.yaml:15: controls.1.cadence: must be one of weekly, monthly, quarterly, annual, event',
    ],
    [
      'unknown key',
      'controls/main.yaml',
      (t: string) => t.replace('    cadence: quarterly', '    cadence: quarterly\n    colour: blue'),
      'controls/main.yaml:2: controls.0: unknown key(s) "colour"',
    ],
    [
      'YAML anchors and aliases',
      'controls/main.yaml',
      (t: string) =>
        t
          .replace('evidence: [Signed access review]', 'evidence: &ev [Signed access review]')
          .replace('      - DSR register snapshot', '      - x')
          .replace('    evidence:\n      - x', '    evidence: *ev'),
      'controls/main.yaml:7: YAML anchors (&ev) are not allowed',
    ],
    [
      'custom tags',
      'frameworks/beta.yaml',
      (t: string) => t.replace('name: Beta Act', 'name: !secret Beta Act'),
      'frameworks/beta.yaml:2: custom YAML tags (!secret) are not allowed',
    ],
    [
      'invalid YAML',
      'frameworks/beta.yaml',
      (t: string) => t.replace('requirements:', 'requirements: [oops'),
      'frameworks/beta.yaml:4',
    ],
    [
      'framework named unlike its file',
      'frameworks/beta.yaml',
      (t: string) => t.replace('framework: beta', 'framework: gamma'),
      'frameworks/beta.yaml:1: framework "gamma" must be named like its file ("beta")',
    ],
    [
      'uncovered requirement',
      'frameworks/alpha.yaml',
      (t: string) => t.replace('    not_applicable: The company keeps no paper records\n', ''),
      'frameworks/alpha.yaml:12: requirement "A3" is not mapped by any control and has no not_applicable reason',
    ],
    [
      'empty title',
      'frameworks/alpha.yaml',
      (t: string) => t.replace('title: Access is reviewed', 'title: ""'),
      'frameworks/alpha.yaml:11: requirements.1.title: must not be empty',
    ],
  ])('fails on %s with file:line', (_rule, file, edit, expected) => {
    const problems = problemsOf(broken(file, edit));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
    expect(loadCatalog(broken(file, edit)).catalog).toBeNull();
  });

  it('refuses an alias even without its anchor being reported first', () => {
    const problems = problemsOf(
      broken('controls/main.yaml', (t) =>
        t.replace('    evidence:\n      - DSR register snapshot', '    evidence: *nothing'),
      ),
    );
    expect(problems.some((p) => p.startsWith('controls/main.yaml:16:'))).toBe(true);
  });

  it('refuses files over the size limit', () => {
    const problems = problemsOf(broken('frameworks/beta.yaml', (t) => t + `# ${'x'.repeat(MAX_FILE_BYTES)}\n`));
    expect(problems[0]).toMatch(/^frameworks\/beta\.yaml:1: file is \d+ bytes; the limit is 262144$/);
  });
});

// Regulatory corrections of issue 12 in the shipped catalog (sources: docs/regulatory-sources.md).
describe('shipped catalog: what it tells an auditor', () => {
  const { catalog } = loadCatalog(SHIPPED);
  const control = (key: string) => catalog!.controls.find((c) => c.key === key)!;
  const requirement = (framework: string, ref: string) =>
    catalog!.frameworks.find((f) => f.key === framework)!.requirements.find((r) => r.ref === ref)!;

  it('SOC 2 P6.1 is disclosure to third parties with the data subject\'s explicit consent, not "another valid basis"', () => {
    expect(requirement('soc2', 'P6.1').title).toBe(
      "Personal information is disclosed to third parties only with the data subject's explicit consent",
    );
  });

  it('PRV-01 gives the statutory limit per kind of request: 30 days is access only, erasure 90 days', () => {
    expect(control('PRV-01').title).toBe(
      'Data subject requests answered within 7 days, inside the statutory limits (access 30 days, erasure 90 days)',
    );
    expect(control('PRV-01').title).not.toMatch(/ceiling 30 days\)$/);
  });
});

describe('catalog loader: event cadence (evidence per occurrence)', () => {
  it('loads an event control with its max_interval_days; calendar controls have none', () => {
    const dir = broken('controls/main.yaml', (t) =>
      t.replace('    cadence: quarterly\n', '    cadence: event\n    max_interval_days: 365\n'),
    );
    const { catalog, problems } = loadCatalog(dir);
    expect(problems).toEqual([]);
    expect(catalog!.controls.map((c) => [c.key, c.cadence, c.maxIntervalDays])).toEqual([
      ['ACC-01', 'event', 365],
      ['PRV-01', 'weekly', null],
    ]);
  });

  it.each([
    [
      'an event control without max_interval_days',
      (t: string) => t.replace('cadence: quarterly', 'cadence: event'),
      'controls/main.yaml:6: cadence event needs max_interval_days: the longest gap allowed between two occurrences',
    ],
    [
      'max_interval_days on a calendar cadence',
      (t: string) => t.replace('    cadence: quarterly\n', '    cadence: quarterly\n    max_interval_days: 90\n'),
      'controls/main.yaml:7: max_interval_days belongs to cadence event only (this control is quarterly)',
    ],
    [
      'a max_interval_days of 0',
      (t: string) => t.replace('    cadence: quarterly\n', '    cadence: event\n    max_interval_days: 0\n'),
      'controls/main.yaml:7: controls.0.max_interval_days: must be at least 1',
    ],
    [
      'a max_interval_days over three years',
      (t: string) => t.replace('    cadence: quarterly\n', '    cadence: event\n    max_interval_days: 2000\n'),
      'controls/main.yaml:7: controls.0.max_interval_days: must be at most 1096 (three years)',
    ],
  ])('fails on %s with file:line', (_rule, edit, expected) => {
    expect(problemsOf(broken('controls/main.yaml', edit))).toContain(expected);
  });
});

describe('shipped catalog: cadences agree with titles', () => {
  const { catalog } = loadCatalog(SHIPPED);
  const control = (key: string) => catalog!.controls.find((c) => c.key === key)!;

  it.each([
    ['CLS-04', 183], // risk management report per release (ISO 14971 clause 9), not monthly
    ['CLS-09', 365], // labelling per SaMD version, at least yearly
    ['ENG-05', 365], // the annual penetration test, not quarterly
  ])('%s is evidenced per occurrence (event), at most %i days apart', (key, days) => {
    expect([control(key).cadence, control(key).maxIntervalDays]).toEqual(['event', days]);
  });

  it('a calendar word in a title matches the cadence (an event control: its maximum interval)', () => {
    const words: Record<string, string> = {
      weekly: 'weekly',
      monthly: 'monthly',
      quarterly: 'quarterly',
      yearly: 'annual',
      annual: 'annual',
    };
    const days: Record<string, number> = { weekly: 7, monthly: 31, quarterly: 92, annual: 366 };
    // Titles naming two activities at different rhythms, evidenced at the more frequent one.
    const compound = new Set(['ACC-06', 'PPL-02']); // monthly activations / yearly re-verification; quarterly training / annual re-acknowledgement
    for (const c of catalog!.controls) {
      const said = Object.keys(words)
        .filter((w) => new RegExp(`\\b${w}\\b`, 'i').test(c.title))
        .map((w) => words[w]);
      if (said.length === 0 || compound.has(c.key)) continue;
      if (c.cadence === 'event')
        expect([c.key, c.maxIntervalDays! <= Math.max(...said.map((w) => days[w]))]).toEqual([c.key, true]);
      else expect([c.key, said]).toEqual([c.key, expect.arrayContaining([c.cadence])]);
    }
  });
});

describe('shipped catalog: owners and independence', () => {
  const { catalog } = loadCatalog(SHIPPED);
  const control = (key: string) => catalog!.controls.find((c) => c.key === key)!;
  const ownedBy = (department: string) => catalog!.controls.filter((c) => c.owner === department).map((c) => c.key);

  it('has departments for people and HR, information security, quality and regulatory, and internal audit', () => {
    expect(catalog!.departments.map((d) => d.key)).toEqual(
      expect.arrayContaining(['people', 'security', 'quality-regulatory', 'internal-audit']),
    );
  });

  it('rectification (PDPA s.36, SOC 2 P5.2) has one owner: the Privacy Office through PRV-01; PRV-13 is data accuracy (s.35, P7.1)', () => {
    const rectification = catalog!.controls.filter(
      (c) => c.maps.pdpa?.includes('s36') || c.maps.soc2?.includes('P5.2'),
    );
    expect([...new Set(rectification.map((c) => c.owner))]).toEqual(['privacy']);
    expect(rectification.map((c) => c.key)).toContain('PRV-01');
    expect(control('PRV-13').maps).toEqual({ pdpa: ['s35'], soc2: ['P7.1'] });
  });

  it('the internal audit (GOV-06, SOC 2 CC4.1) is owned by a department that owns nothing else', () => {
    expect(control('GOV-06').owner).toBe('internal-audit');
    expect(ownedBy('internal-audit')).toEqual(['GOV-06']);
  });

  it('compliance no longer owns the functions of other departments', () => {
    expect(ownedBy('compliance').length).toBeLessThanOrEqual(10);
    for (const key of ['REG-01', 'REG-02', 'REG-03', 'REG-04', 'CLS-07', 'GOV-07', 'GOV-08'])
      expect([key, control(key).owner]).toEqual([key, 'quality-regulatory']);
    for (const key of ['PPL-01', 'PPL-03']) expect([key, control(key).owner]).toEqual([key, 'people']);
    for (const key of ['ACC-01', 'PPL-02']) expect([key, control(key).owner]).toEqual([key, 'security']);
  });
});

describe('sources live in the repository', () => {
  const ROOT = join(__dirname, '..', '..');
  const SOURCES = join(ROOT, 'docs', 'regulatory-sources.md');

  it('every framework file names docs/regulatory-sources.md, and no file in controls/ cites notes outside the repository', () => {
    const files = ['frameworks/pdpa.yaml', 'frameworks/soc2.yaml', 'frameworks/iso14971.yaml', 'frameworks/samd.yaml'];
    for (const f of files)
      expect([f, readFileSync(join(SHIPPED, f), 'utf8').includes('docs/regulatory-sources.md')]).toEqual([f, true]);
    const all = [
      'README.md',
      'departments.yaml',
      'risk-matrix.yaml',
      ...files,
      'data-systems/patient-platform.yaml',
    ].map((f) => readFileSync(join(SHIPPED, f), 'utf8'));
    for (const text of all) expect(text).not.toMatch(/shared\/reference|domain-facts/);
  });

  it('docs/regulatory-sources.md states the facts the issue 12 corrections rest on', () => {
    const text = readFileSync(SOURCES, 'utf8');
    expect(text).toContain('**at most 30 days** from receipt: **s. 30 para 4**');
    expect(text).toContain('**9 risk management review: before release for commercial distribution**');
    expect(text).toContain('**10 production and post-production**');
    expect(text).toMatch(
      /\*\*P6\.1\*\* is about disclosing personal information to third parties \*\*with the data subject's \(explicit\)\s+consent\*\*/,
    );
    expect(text).toContain('**Level keys are words**');
  });
});
