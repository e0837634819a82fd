import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareVersions,
  CYCLONEDX_MAX_DEPTH,
  CYCLONEDX_MAX_PROBLEMS,
  diffSbom,
  jsonDepth,
  parseCycloneDx,
} from './cyclonedx';
import type { AttachmentProblem, Parsed, SbomComponent, SbomSummary } from './release-model';

const FIXTURES = join(__dirname, '../../../test/fixtures/releases');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const json = (doc: unknown) => Buffer.from(JSON.stringify(doc), 'utf8');
const bom = (specVersion: string, components: unknown[] = [], extra: object = {}) => ({
  bomFormat: 'CycloneDX',
  specVersion,
  version: 1,
  components,
  ...extra,
});

function value(p: Parsed<SbomSummary>): SbomSummary {
  if (!p.ok) throw new Error(`expected a summary, got ${JSON.stringify(p.problems)}`);
  return p.value;
}
function problems(p: Parsed<SbomSummary>): AttachmentProblem[] {
  if (p.ok) throw new Error(`expected problems, got ${JSON.stringify(p.value)}`);
  return p.problems;
}
const c = (key: string, version: string | null, licenses: string[] = ['MIT']): SbomComponent => ({
  key,
  name: key.split('/').pop()!,
  version,
  purl: null,
  licenses,
});
const summary = (...components: SbomComponent[]): SbomSummary => ({ specVersion: '1.5', components });

describe('parseCycloneDx', () => {
  it('reads the fixture: nested components flattened, the product itself left out, sorted by key then version', async () => {
    const sbom = value(await parseCycloneDx(fixture('sbom-2.json')));
    expect(sbom.specVersion).toBe('1.5');
    expect(sbom.components.map((x) => `${x.key}@${x.version}`)).toEqual([
      '@nestjs/common@10.4.15',
      '@nestjs/core@10.4.15',
      'express@4.21.2',
      'fast-xml-parser@5.2.5',
      'fontkit@2.0.2',
      'lodash@4.17.21',
      'pg@8.13.1',
      'semver@6.3.1',
      'semver@7.6.3',
      'strnum@2.1.1',
      'typeorm@0.3.20',
      'ua-parser-js@2.0.0',
    ]);
    expect(sbom.components[0]).toEqual({
      key: '@nestjs/common',
      name: 'common',
      version: '10.4.15',
      purl: 'pkg:npm/%40nestjs/common@10.4.15',
      licenses: ['MIT'],
    });
  });

  it.each(['1.2', '1.3', '1.4', '1.5', '1.6'])('validates spec version %s with its own schema', async (v) => {
    const doc = bom(v, [{ type: 'library', name: 'x', version: '1.0.0', licenses: [{ license: { id: 'MIT' } }] }]);
    expect(value(await parseCycloneDx(json(doc))).components).toEqual([
      { key: 'x', name: 'x', version: '1.0.0', purl: null, licenses: ['MIT'] },
    ]);
  });

  it('reads licences from id, name or expression, de-duplicated in document order', async () => {
    const doc = bom('1.5', [
      {
        type: 'library',
        name: 'a',
        version: '1',
        licenses: [{ license: { id: 'MIT' } }, { license: { name: 'Custom' } }, { license: { id: 'MIT' } }],
      },
      { type: 'library', name: 'b', version: '1', licenses: [{ expression: 'MIT OR Apache-2.0' }] },
      { type: 'library', name: 'c' },
    ]);
    expect(value(await parseCycloneDx(json(doc))).components.map((x) => [x.key, x.version, x.licenses])).toEqual([
      ['a', '1', ['MIT', 'Custom']],
      ['b', '1', ['MIT OR Apache-2.0']],
      ['c', null, []],
    ]);
  });

  it('lists a key and version once when it appears twice, its licences united', async () => {
    const doc = bom('1.5', [
      { type: 'library', name: 'ms', version: '2.1.3', 'bom-ref': 'a', licenses: [{ license: { id: 'MIT' } }] },
      {
        type: 'library',
        name: 'debug',
        version: '4.3.7',
        components: [
          {
            type: 'library',
            name: 'ms',
            version: '2.1.3',
            'bom-ref': 'b',
            licenses: [{ license: { name: 'MIT License' } }],
          },
        ],
      },
    ]);
    expect(value(await parseCycloneDx(json(doc))).components.filter((x) => x.key === 'ms')).toEqual([
      { key: 'ms', name: 'ms', version: '2.1.3', purl: null, licenses: ['MIT', 'MIT License'] },
    ]);
  });

  it('flattens nested components: 100 levels deep', async () => {
    let inner: Record<string, unknown> = { type: 'library', name: 'leaf', version: '1' };
    for (let i = 0; i < 100; i++) inner = { type: 'library', name: `n${i}`, version: '1', components: [inner] };
    expect(value(await parseCycloneDx(json(bom('1.5', [inner])))).components).toHaveLength(101);
  });

  it(`refuses nesting deeper than ${CYCLONEDX_MAX_DEPTH} levels before the (recursive) validator sees it`, async () => {
    const n = 20_000;
    const text = `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[${'{"type":"library","name":"n","components":['.repeat(n)}${']}'.repeat(n)}]}`;
    expect(await parseCycloneDx(Buffer.from(text))).toEqual({
      ok: false,
      problems: [{ field: '/', message: `nests arrays and objects more than ${CYCLONEDX_MAX_DEPTH} levels deep` }],
    });
  });

  it('measures JSON depth without counting brackets inside strings', () => {
    expect(jsonDepth('{"a": [1, {"b": "[[[{{{\\"]]"}]}')).toBe(3);
    expect(jsonDepth('"just a string"')).toBe(0);
  });

  describe('refuses', () => {
    it.each([
      ['text that is not JSON', Buffer.from('<bom/>'), '/', /not valid JSON/],
      ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), '/', /not UTF-8/],
      ['a JSON array', json([]), '/', /JSON object/],
      ['another format', json({ bomFormat: 'SPDX', specVersion: '1.5' }), '/bomFormat', /must be "CycloneDX"/],
      ['an SPDX document', json({ spdxVersion: 'SPDX-2.3' }), '/bomFormat', /must be "CycloneDX"/],
      [
        'spec version 1.1 (XML only)',
        json(bom('1.1')),
        '/specVersion',
        /must be one of 1\.2, 1\.3, 1\.4, 1\.5, 1\.6 \(got "1\.1"\)/,
      ],
      ['spec version 1.7', json(bom('1.7')), '/specVersion', /\(got "1\.7"\)/],
      ['a numeric spec version', json(bom('1.5', [], { specVersion: 1.5 })), '/specVersion', /\(got 1\.5\)/],
      ['no spec version', json({ bomFormat: 'CycloneDX' }), '/specVersion', /\(got nothing\)/],
    ])('%s', async (_what, bytes, field, message) => {
      expect(await parseCycloneDx(bytes)).toEqual({
        ok: false,
        problems: [{ field, message: expect.stringMatching(message) }],
      });
    });

    it('schema violations, each with its JSON pointer', async () => {
      const doc = bom('1.5', [
        { type: 'library', name: 'ok', version: '1' },
        { type: 'library', name: 'bad', version: 3 },
      ]);
      expect(problems(await parseCycloneDx(json(doc)))).toEqual([
        { field: '/components/1/version', message: 'must be string' },
      ]);
    });

    it('an unknown property under the strict schema, and a document-level problem as /', async () => {
      expect(problems(await parseCycloneDx(json(bom('1.5', [], { surprise: true }))))).toEqual([
        { field: '/', message: expect.stringMatching(/additional properties/) },
      ]);
    });

    it('an unknown SPDX licence id', async () => {
      const doc = bom('1.5', [{ type: 'library', name: 'x', licenses: [{ license: { id: 'NOT-A-LICENCE' } }] }]);
      expect(problems(await parseCycloneDx(json(doc)))).toContainEqual({
        field: '/components/0/licenses/0/license/id',
        message: 'must be equal to one of the allowed values',
      });
    });

    it(`at most ${CYCLONEDX_MAX_PROBLEMS} schema problems`, async () => {
      const components = Array.from({ length: 200 }, () => ({ type: 'library', name: 'x', version: 1 }));
      const found = problems(await parseCycloneDx(json(bom('1.5', components))));
      expect(found.length).toBeGreaterThan(0);
      expect(found.length).toBeLessThanOrEqual(CYCLONEDX_MAX_PROBLEMS);
    });
  });
});

describe('diffSbom', () => {
  it('the fixture pair: added, removed, upgraded (one of two semver copies) and relicensed, exactly', async () => {
    const previous = value(await parseCycloneDx(fixture('sbom-1.json')));
    const current = value(await parseCycloneDx(fixture('sbom-2.json')));
    const diff = diffSbom(previous, current);
    expect(diff.added.map((x) => `${x.key}@${x.version}`)).toEqual([
      'fast-xml-parser@5.2.5',
      'pg@8.13.1',
      'strnum@2.1.1',
    ]);
    expect(diff.removed).toEqual([
      { key: 'left-pad', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0', licenses: ['WTFPL'] },
    ]);
    const mit = { licensesFrom: ['MIT'], licensesTo: ['MIT'] };
    expect(diff.upgraded).toEqual([
      { key: '@nestjs/common', from: '10.4.1', to: '10.4.15', ...mit },
      { key: '@nestjs/core', from: '10.4.1', to: '10.4.15', ...mit },
      { key: 'express', from: '4.19.2', to: '4.21.2', ...mit },
      { key: 'lodash', from: '4.17.20', to: '4.17.21', ...mit },
      { key: 'semver', from: '7.6.0', to: '7.6.3', licensesFrom: ['ISC'], licensesTo: ['ISC'] },
      { key: 'ua-parser-js', from: '1.0.39', to: '2.0.0', licensesFrom: ['MIT'], licensesTo: ['AGPL-3.0-or-later'] },
    ]);
    expect(diff.relicensed).toEqual([
      { key: 'fontkit', version: '2.0.2', licensesFrom: ['SEE LICENSE IN LICENSE'], licensesTo: ['MIT'] },
    ]);
  });

  it('the same SBOM twice: no change', async () => {
    const sbom = value(await parseCycloneDx(fixture('sbom-1.json')));
    expect(diffSbom(sbom, sbom)).toEqual({ added: [], removed: [], upgraded: [], relicensed: [] });
  });

  it('the first release: everything added', () => {
    const current = summary(c('a', '1'), c('b', '2'));
    expect(diffSbom(null, current)).toEqual({ added: current.components, removed: [], upgraded: [], relicensed: [] });
  });

  it('pairs a key’s remaining versions from the highest down; extras are added or removed', () => {
    const previous = summary(c('semver', '5.7.2'), c('semver', '6.3.1'), c('semver', '7.6.0'));
    const current = summary(c('semver', '7.6.3'), c('semver', '6.3.1'), c('semver', '7.7.1'));
    expect(diffSbom(previous, current)).toEqual({
      added: [],
      removed: [],
      upgraded: [
        { key: 'semver', from: '5.7.2', to: '7.6.3', licensesFrom: ['MIT'], licensesTo: ['MIT'] },
        { key: 'semver', from: '7.6.0', to: '7.7.1', licensesFrom: ['MIT'], licensesTo: ['MIT'] },
      ],
      relicensed: [],
    });
    const more = diffSbom(summary(c('x', '1.0.0')), summary(c('x', '1.9.0'), c('x', '1.10.0')));
    expect(more.upgraded.map((u) => [u.from, u.to])).toEqual([['1.0.0', '1.10.0']]);
    expect(more.added.map((a) => a.version)).toEqual(['1.9.0']);
    const fewer = diffSbom(summary(c('x', '1.9.0'), c('x', '1.10.0')), summary(c('x', '2.0.0')));
    expect(fewer.upgraded.map((u) => [u.from, u.to])).toEqual([['1.10.0', '2.0.0']]);
    expect(fewer.removed.map((a) => a.version)).toEqual(['1.9.0']);
  });

  it('shows a downgrade as a change of version, and a version appearing or vanishing', () => {
    expect(diffSbom(summary(c('x', '2.0.0')), summary(c('x', '1.5.0'))).upgraded).toEqual([
      { key: 'x', from: '2.0.0', to: '1.5.0', licensesFrom: ['MIT'], licensesTo: ['MIT'] },
    ]);
    expect(diffSbom(summary(c('x', null)), summary(c('x', '1.0.0'))).upgraded).toEqual([
      { key: 'x', from: null, to: '1.0.0', licensesFrom: ['MIT'], licensesTo: ['MIT'] },
    ]);
  });

  it('compares licences as sets: a reordering is no relicensing', () => {
    expect(
      diffSbom(summary(c('x', '1', ['MIT', 'Apache-2.0'])), summary(c('x', '1', ['Apache-2.0', 'MIT']))).relicensed,
    ).toEqual([]);
    expect(diffSbom(summary(c('x', '1', ['MIT'])), summary(c('x', '1', []))).relicensed).toEqual([
      { key: 'x', version: '1', licensesFrom: ['MIT'], licensesTo: [] },
    ]);
  });

  it('treats duplicate entries of one key and version as one', () => {
    const previous = summary(c('ms', '2.1.3'), c('ms', '2.1.3'));
    expect(diffSbom(previous, summary(c('ms', '2.1.3')))).toEqual({
      added: [],
      removed: [],
      upgraded: [],
      relicensed: [],
    });
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.9.3', '1.10.0', -1],
    ['10.4.15', '10.4.1', 1],
    ['1.0.0', '1.0.0', 0],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-rc.2', '1.0.0-rc.10', -1],
    ['2.0.0-beta', '1.9.9', 1],
    ['1.0.0+build.2', '1.0.0+build.1', 1],
    ['1.0', '1.0.1', -1],
    [null, '0.0.1', -1],
    ['abc', '1', 1],
  ] as const)('%s vs %s', (a, b, sign) => {
    expect(compareVersions(a, b)).toBe(sign);
  });
});
