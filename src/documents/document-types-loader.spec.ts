import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../catalog/domain/catalog-model';
import { DOCUMENT_TYPES_FILE, loadDocumentTypes } from './document-types-loader';

const REAL = join(__dirname, '../../controls', DOCUMENT_TYPES_FILE);
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'attest-document-types-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function problemsAfter(edit: (text: string) => string): string[] {
  writeFileSync(join(dir, DOCUMENT_TYPES_FILE), edit(readFileSync(REAL, 'utf8')));
  const loaded = loadDocumentTypes(dir);
  expect(loaded.types).toBeNull();
  return loaded.problems.map(formatProblem);
}

const lineOf = (needle: string) =>
  readFileSync(REAL, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

const lineIs = (text: string) => readFileSync(REAL, 'utf8').split('\n').indexOf(text) + 1;

describe('loadDocumentTypes', () => {
  it('loads the reviewed file: every type with its approvers', () => {
    copyFileSync(REAL, join(dir, DOCUMENT_TYPES_FILE));
    const { types, problems } = loadDocumentTypes(dir);
    expect(problems).toEqual([]);
    expect(Object.keys(types!).sort()).toEqual(['plan', 'policy', 'procedure', 'standard', 'work_instruction']);
    expect(types!.policy.approvers).toEqual([{ role: 'compliance_manager' }, { department: 'owner' }]);
  });

  it('says when the file is missing', () => {
    expect(loadDocumentTypes(dir)).toEqual({
      types: null,
      problems: [{ file: DOCUMENT_TYPES_FILE, line: 1, message: 'file is missing' }],
    });
  });

  it('names the line of an unknown role and of a bad cadence', () => {
    const problems = problemsAfter((t) =>
      t
        .replace('reviewCadenceMonths: 24', 'reviewCadenceMonths: 0')
        .replace('- { role: compliance_manager }', '- { role: auditor }'),
    );
    expect(problems[0]).toMatch(
      new RegExp(
        `^${DOCUMENT_TYPES_FILE}:${lineOf('- { role: compliance_manager }')}: types\\.policy\\.approvers\\.0\\.role: must be one of`,
      ),
    );
    expect(problems).toContain(
      `${DOCUMENT_TYPES_FILE}:${lineOf('reviewCadenceMonths: 24')}: types.work_instruction.reviewCadenceMonths: must be at least 1 month`,
    );
  });

  it('names a type left out and an approver that is nobody', () => {
    const problems = problemsAfter((t) =>
      t
        .replace(
          '  work_instruction:\n    reviewCadenceMonths: 24\n    approvers:\n      - { department: owner }\n',
          '',
        )
        .replace('      - { department: quality-regulatory }', '      - {}'),
    );
    expect(problems).toEqual([
      `${DOCUMENT_TYPES_FILE}:${lineIs('  policy:')}: type "work_instruction" is not defined`,
      expect.stringMatching(/: must name a role, a department, or both$/),
    ]);
  });
});
