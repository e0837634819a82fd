// Controlled documents as files (`policies/*.md`): YAML front matter (key, title, type, owner department,
// audience, review cadence, controls) followed by the Markdown of the version. Read with the catalog's
// YAML rules (core schema; no anchors, aliases or custom tags); every problem as `file:line: message`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { ROLES } from '../authz/actor';
import { parseYamlText, zodProblems } from '../catalog/catalog-loader';
import type { CatalogProblem } from '../catalog/domain/catalog-model';
import { DOCUMENT_KEY, DOCUMENT_LIMITS, DOCUMENT_TYPES, type DocumentType } from './domain/document-model';

const DEPARTMENT = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a department key like security');
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const frontMatterSchema = z
  .object({
    key: z.string().regex(DOCUMENT_KEY, 'must be like POL-ISMS (upper case letters, digits, hyphens)'),
    title: text(DOCUMENT_LIMITS.title),
    type: z.enum(DOCUMENT_TYPES, { error: `must be one of ${DOCUMENT_TYPES.join(', ')}` }),
    owner: DEPARTMENT,
    audience: z.union([
      z.literal('everyone'),
      z
        .object({
          roles: z.array(z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` })).optional(),
          departments: z.array(DEPARTMENT).max(DOCUMENT_LIMITS.audience).optional(),
        })
        .strict(),
    ]),
    reviewCadenceMonths: z.number().int('must be a whole number of months').min(1).max(60).optional(),
    controls: z
      .array(z.string().regex(/^[A-Z]{2,5}-\d{2,3}$/, 'must be a control key like ACC-01'))
      .max(DOCUMENT_LIMITS.controls)
      .optional(),
    changeSummary: text(DOCUMENT_LIMITS.changeSummary).optional(),
    material: z.boolean().optional(),
  })
  .strict();

export interface PolicyFile {
  file: string;
  /** Line of each front matter field (for problems found later, e.g. an unknown control). */
  lineOf: (field: string) => number;
  key: string;
  title: string;
  type: DocumentType;
  ownerDepartment: string;
  audience: { everyone: boolean; roles: string[]; departments: string[] };
  reviewCadenceMonths?: number;
  controls: string[];
  changeSummary: string;
  material: boolean;
  content: string;
}

/** Every `*.md` of `dir` (not recursive), parsed and checked; `files` is empty when there is any problem. */
export function readPolicyDir(dir: string): { files: PolicyFile[]; problems: CatalogProblem[] } {
  const problems: CatalogProblem[] = [];
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.md'))
      .sort();
  } catch {
    return { files: [], problems: [{ file: dir, line: 1, message: 'is not a folder that can be read' }] };
  }
  const files: PolicyFile[] = [];
  const keys = new Map<string, string>();
  for (const name of names) {
    const path = join(dir, name);
    const file = relative(dir, path);
    const parsed = readPolicyFile(file, path, problems);
    if (!parsed) continue;
    const earlier = keys.get(parsed.key);
    if (earlier) problems.push({ file, line: parsed.lineOf('key'), message: `${parsed.key} is also ${earlier}'s key` });
    keys.set(parsed.key, file);
    files.push(parsed);
  }
  if (names.length === 0) problems.push({ file: dir, line: 1, message: 'holds no .md file' });
  return { files: problems.length ? [] : files, problems };
}

function readPolicyFile(file: string, path: string, problems: CatalogProblem[]): PolicyFile | null {
  const limit = DOCUMENT_LIMITS.content + 64 * 1024;
  const size = statSync(path).size;
  if (size > limit) {
    problems.push({ file, line: 1, message: `file is ${size} bytes; the limit is ${limit}` });
    return null;
  }
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[0]?.trimEnd() !== '---') {
    problems.push({ file, line: 1, message: 'must start with YAML front matter between two "---" lines' });
    return null;
  }
  const end = lines.findIndex((l, i) => i > 0 && l.trimEnd() === '---');
  if (end < 0) {
    problems.push({ file, line: 1, message: 'the front matter has no closing "---" line' });
    return null;
  }
  const before = problems.length;
  const parsed = parseYamlText(file, lines.slice(1, end).join('\n'), problems, 2);
  if (!parsed) return null;
  const result = frontMatterSchema.safeParse(parsed.value);
  if (!result.success) {
    zodProblems(parsed, result.error, problems);
    return null;
  }
  const content = lines
    .slice(end + 1)
    .join('\n')
    .replace(/^\n+/, '');
  if (!content.trim()) problems.push({ file, line: end + 1, message: 'has no Markdown after the front matter' });
  if (content.includes('\u0000')) problems.push({ file, line: end + 1, message: 'contains a NUL character' });
  if (problems.length > before) return null;
  const f = result.data;
  return {
    file,
    lineOf: (field) => parsed.lineOf([field]),
    key: f.key,
    title: f.title,
    type: f.type,
    ownerDepartment: f.owner,
    audience:
      f.audience === 'everyone'
        ? { everyone: true, roles: [], departments: [] }
        : {
            everyone: false,
            roles: [...(f.audience.roles ?? [])].sort(),
            departments: [...(f.audience.departments ?? [])].sort(),
          },
    reviewCadenceMonths: f.reviewCadenceMonths,
    controls: [...new Set(f.controls ?? [])].sort(),
    changeSummary: f.changeSummary ?? `Imported from ${file}`,
    material: f.material ?? true,
    content,
  };
}

/** A document and one version's Markdown as a policy file (what readPolicyDir reads back). */
export function renderPolicyFile(doc: {
  key: string;
  title: string;
  type: DocumentType;
  ownerDepartment: string;
  audience: { everyone: boolean; roles: string[]; departments: string[] };
  reviewCadenceMonths: number;
  controls: string[];
  changeSummary: string;
  material: boolean;
  content: string;
}): string {
  const audience = doc.audience.everyone
    ? 'everyone'
    : {
        ...(doc.audience.roles.length ? { roles: doc.audience.roles } : {}),
        ...(doc.audience.departments.length ? { departments: doc.audience.departments } : {}),
      };
  const front = stringify(
    {
      key: doc.key,
      title: doc.title,
      type: doc.type,
      owner: doc.ownerDepartment,
      audience,
      reviewCadenceMonths: doc.reviewCadenceMonths,
      ...(doc.controls.length ? { controls: doc.controls } : {}),
      changeSummary: doc.changeSummary,
      material: doc.material,
    },
    { lineWidth: 0 },
  );
  return `---\n${front}---\n\n${doc.content}`;
}
