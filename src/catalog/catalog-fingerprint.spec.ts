import { appendFileSync, cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogFingerprint } from './catalog-fingerprint';

const VALID = join(__dirname, '..', '..', 'test', 'fixtures', 'catalog', 'valid');
const dirs: string[] = [];
const copy = () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-fingerprint-'));
  cpSync(VALID, dir, { recursive: true });
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const original = catalogFingerprint(VALID);

it('is the same for the same files wherever they are', () => {
  expect(catalogFingerprint(copy())).toBe(original);
  expect(original).toMatch(/^[0-9a-f]{64}$/);
});

it.each<[string, (dir: string) => void]>([
  ['a control file edited', (d) => appendFileSync(join(d, 'controls', 'main.yaml'), '\n# a comment\n')],
  ['a framework file edited', (d) => appendFileSync(join(d, 'frameworks', 'alpha.yaml'), ' ')],
  ['departments.yaml edited', (d) => appendFileSync(join(d, 'departments.yaml'), '\n')],
  ['departments.yaml removed', (d) => rmSync(join(d, 'departments.yaml'))],
  ['a control file added', (d) => writeFileSync(join(d, 'controls', 'more.yml'), 'controls: []\n')],
  ['a control file renamed', (d) => renameSync(join(d, 'controls', 'main.yaml'), join(d, 'controls', 'all.yaml'))],
  ['a framework file removed', (d) => rmSync(join(d, 'frameworks', 'beta.yaml'))],
])('changes with %s', (_, change) => {
  const dir = copy();
  change(dir);
  expect(catalogFingerprint(dir)).not.toBe(original);
});

it('ignores the files a catalog sync does not read', () => {
  const dir = copy();
  appendFileSync(join(dir, 'document-types.yaml'), '\n');
  writeFileSync(join(dir, 'README.md'), 'notes\n');
  writeFileSync(join(dir, 'controls', 'notes.txt'), 'notes\n');
  expect(catalogFingerprint(dir)).toBe(original);
});
