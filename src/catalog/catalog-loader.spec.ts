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
    expect(catalog!.frameworks.map((f) => [f.key, f.requirements.length])).toEqual([['alpha', 3], ['beta', 2]]);
    expect(catalog!.controls.map((c) => c.key)).toEqual(['ACC-01', 'PRV-01']);
    expect(catalog!.controls[1].maps).toEqual({ beta: ['s30', 's37(4)'], alpha: ['A1'] });
    expect(coverageOf(catalog!.frameworks[0], catalog!.controls)).toEqual({ framework: 'alpha', total: 3, covered: 2, notApplicable: 1, uncovered: [] });
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
    ['unknown framework in maps', 'controls/main.yaml', (t: string) => t.replace('alpha: [A1, A2]', 'gamma: [A1, A2]'), 'controls/main.yaml:10: maps: unknown framework "gamma"'],
    ['unknown ref in maps', 'controls/main.yaml', (t: string) => t.replace('alpha: [A1, A2]', 'alpha: [A1, A9]'), 'controls/main.yaml:10: maps: alpha has no requirement "A9"'],
    ['duplicate control key', 'controls/main.yaml', (t: string) => t.replace('key: PRV-01', 'key: ACC-01'), 'controls/main.yaml:11: control "ACC-01" is already defined in controls/main.yaml:2'],
    ['duplicate requirement ref', 'frameworks/alpha.yaml', (t: string) => t.replace('ref: A2', 'ref: A1'), 'frameworks/alpha.yaml:9: requirement "A1" is already listed at line 6'],
    ['unknown department', 'controls/main.yaml', (t: string) => t.replace('owner: privacy', 'owner: marketing'), 'controls/main.yaml:14: owner "marketing" is not a department in departments.yaml'],
    ['bad cadence', 'controls/main.yaml', (t: string) => t.replace('cadence: weekly', 'cadence: daily'), 'controls/main.yaml:15: controls.1.cadence: must be one of weekly, monthly, quarterly, annual'],
    ['unknown key', 'controls/main.yaml', (t: string) => t.replace('    cadence: quarterly', '    cadence: quarterly\n    colour: blue'), 'controls/main.yaml:2: controls.0: unknown key(s) "colour"'],
    ['YAML anchors and aliases', 'controls/main.yaml', (t: string) => t.replace('evidence: [Signed access review]', 'evidence: &ev [Signed access review]').replace('      - DSR register snapshot', '      - x').replace('    evidence:\n      - x', '    evidence: *ev'), 'controls/main.yaml:7: YAML anchors (&ev) are not allowed'],
    ['custom tags', 'frameworks/beta.yaml', (t: string) => t.replace('name: Beta Act', 'name: !secret Beta Act'), 'frameworks/beta.yaml:2: custom YAML tags (!secret) are not allowed'],
    ['invalid YAML', 'frameworks/beta.yaml', (t: string) => t.replace('requirements:', 'requirements: [oops'), 'frameworks/beta.yaml:4'],
    ['framework named unlike its file', 'frameworks/beta.yaml', (t: string) => t.replace('framework: beta', 'framework: gamma'), 'frameworks/beta.yaml:1: framework "gamma" must be named like its file ("beta")'],
    ['uncovered requirement', 'frameworks/alpha.yaml', (t: string) => t.replace('    not_applicable: The company keeps no paper records\n', ''), 'frameworks/alpha.yaml:12: requirement "A3" is not mapped by any control and has no not_applicable reason'],
    ['empty title', 'frameworks/alpha.yaml', (t: string) => t.replace('title: Access is reviewed', 'title: ""'), 'frameworks/alpha.yaml:11: requirements.1.title: must not be empty'],
  ])('fails on %s with file:line', (_rule, file, edit, expected) => {
    const problems = problemsOf(broken(file, edit));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
    expect(loadCatalog(broken(file, edit)).catalog).toBeNull();
  });

  it('refuses an alias even without its anchor being reported first', () => {
    const problems = problemsOf(broken('controls/main.yaml', (t) => t.replace('    evidence:\n      - DSR register snapshot', '    evidence: *nothing')));
    expect(problems.some((p) => p.startsWith('controls/main.yaml:16:'))).toBe(true);
  });

  it('refuses files over the size limit', () => {
    const problems = problemsOf(broken('frameworks/beta.yaml', (t) => t + `# ${'x'.repeat(MAX_FILE_BYTES)}\n`));
    expect(problems[0]).toMatch(/^frameworks\/beta\.yaml:1: file is \d+ bytes; the limit is 262144$/);
  });
});
