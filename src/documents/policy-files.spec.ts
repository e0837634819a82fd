import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../catalog/domain/catalog-model';
import { readPolicyDir, renderPolicyFile } from './policy-files';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'attest-policies-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const GOOD =
  '---\nkey: POL-TEST\ntitle: Test policy\ntype: policy\nowner: security\naudience: everyone\n---\n\n# Test\n\nText.\n';
const problems = (files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = readPolicyDir(dir);
  return { files: r.files, problems: r.problems.map(formatProblem) };
};

describe('readPolicyDir', () => {
  it('reads front matter and Markdown, with defaults', () => {
    const { files, problems: p } = problems({ 'POL-TEST.md': GOOD });
    expect(p).toEqual([]);
    expect(files[0]).toMatchObject({
      key: 'POL-TEST',
      ownerDepartment: 'security',
      audience: { everyone: true, roles: [], departments: [] },
      controls: [],
      material: true,
      changeSummary: 'Imported from POL-TEST.md',
      content: '# Test\n\nText.\n',
    });
  });

  it('names file and line: a bad field, no front matter, no closing line, no text, a YAML alias', () => {
    const { files, problems: p } = problems({
      'a.md': GOOD.replace('type: policy', 'type: memo').replace('POL-TEST', 'POL-A'),
      'b.md': '# No front matter\n',
      'c.md': '---\nkey: POL-C\n',
      'd.md': GOOD.replace('POL-TEST', 'POL-D').replace('\n# Test\n\nText.\n', ''),
      'e.md': GOOD.replace('POL-TEST', 'POL-E').replace('title: Test policy', 'title: &t Test\nx: *t'),
      'f.md': GOOD,
      'g.md': GOOD,
    });
    expect(files).toEqual([]);
    expect(p).toEqual([
      'a.md:4: type: must be one of policy, procedure, plan, standard, work_instruction',
      'b.md:1: must start with YAML front matter between two "---" lines',
      'c.md:1: the front matter has no closing "---" line',
      'd.md:7: has no Markdown after the front matter',
      expect.stringMatching(/^e\.md:3: YAML (anchors|aliases)/),
      expect.stringMatching(/^e\.md:\d: YAML (anchors|aliases)/),
      "g.md:2: POL-TEST is also f.md's key",
    ]);
  });
});

describe('renderPolicyFile', () => {
  it('writes what readPolicyDir reads back', () => {
    const text = renderPolicyFile({
      key: 'POL-KEYS',
      title: 'Keys: rotation',
      type: 'policy',
      ownerDepartment: 'security',
      audience: { everyone: false, roles: ['control_owner'], departments: ['engineering'] },
      reviewCadenceMonths: 6,
      controls: ['ACC-04'],
      changeSummary: 'Rotation every 30 days',
      material: false,
      content: '# Keys\n\n| key | days |\n| --- | --- |\n| service | 30 |\n',
    });
    writeFileSync(join(dir, 'POL-KEYS.md'), text);
    const { files, problems: p } = readPolicyDir(dir);
    expect(p).toEqual([]);
    expect(files[0]).toMatchObject({
      key: 'POL-KEYS',
      title: 'Keys: rotation',
      audience: { everyone: false, roles: ['control_owner'], departments: ['engineering'] },
      reviewCadenceMonths: 6,
      controls: ['ACC-04'],
      changeSummary: 'Rotation every 30 days',
      material: false,
      content: '# Keys\n\n| key | days |\n| --- | --- |\n| service | 30 |\n',
    });
  });
});
