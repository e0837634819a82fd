// Reads controls/release-gates.yaml with the catalog's YAML rules (core schema; no anchors, aliases or custom
// tags; 256 KB at most), checks its schema and the release-gate rules, and reports every problem as
// `file:line: message`. Signers' departments are checked against departments.yaml (read from the same
// folder unless the caller gives the keys).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadDepartments, parseFile, zodProblems } from '../catalog/catalog-loader';
import type { CatalogProblem } from '../catalog/domain/catalog-model';
import { APPROVER_ROLES } from '../documents/domain/document-approvals';
import { validateReleaseGates } from './domain/release-gates-policy';
import { AUTOMATIC_GATES, FINDING_SEVERITIES, type ReleaseGatesPolicy } from './domain/release-model';

export const RELEASE_GATES_FILE = 'release-gates.yaml';

const days = (max: number) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? 'is missing' : 'must be a number of days') })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(max, `must be at most ${max} days`);
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const severity = z.enum(FINDING_SEVERITIES, { error: `must be one of ${FINDING_SEVERITIES.join(', ')}` });

const slot = z
  .object({
    role: z.enum(APPROVER_ROLES, { error: `must be one of ${APPROVER_ROLES.join(', ')}` }).optional(),
    department: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a department key (lower case, hyphens)')
      .optional(),
  })
  .strict();

const signedGate = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a lower-case key (letters, digits, underscores)'),
    name: text(120),
    meaning: text(300),
    signers: z.array(slot).max(10, 'must name at most 10 signer slots'),
    riskReport: z.boolean().optional(),
  })
  .strict();

const product = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'must be a lower-case key (letters, digits, hyphens)'),
    name: text(120),
    samd: z.boolean({ error: 'must be true or false' }),
    automatic: z.array(z.enum(AUTOMATIC_GATES, { error: `must be one of ${AUTOMATIC_GATES.join(', ')}` })),
    signed: z.array(signedGate).max(20, 'must list at most 20 signed gates'),
  })
  .strict();

const policySchema = z
  .object({
    blockingSeverity: severity,
    findingSlaDays: z.object(Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, days(366)]))).strict(),
    keyRotationDays: z.object({ third_party: days(366), service_role: days(366) }).strict(),
    products: z.array(product).max(50, 'must list at most 50 products'),
  })
  .strict();

export interface LoadedReleaseGates {
  policy: ReleaseGatesPolicy | null;
  problems: CatalogProblem[];
}

/**
 * Loads and validates `<dir>/release-gates.yaml`. `departmentKeys`: the departments signers may name; when
 * not given, read from `<dir>/departments.yaml` (its problems reported too). `policy` is null when there is
 * any problem.
 */
export function loadReleaseGates(dir: string, departmentKeys?: readonly string[]): LoadedReleaseGates {
  const path = join(dir, RELEASE_GATES_FILE);
  try {
    statSync(path);
  } catch {
    return { policy: null, problems: [{ file: RELEASE_GATES_FILE, line: 1, message: 'file is missing' }] };
  }
  const problems: CatalogProblem[] = [];
  const departments = departmentKeys ?? loadDepartments(dir, problems)?.map((d) => d.key) ?? null;
  const parsed = parseFile(dir, path, problems);
  if (!parsed) return { policy: null, problems };
  const result = policySchema.safeParse(parsed.value);
  if (!result.success) {
    zodProblems(parsed, result.error, problems);
    return { policy: null, problems };
  }
  const policy = result.data as ReleaseGatesPolicy;
  for (const p of validateReleaseGates(policy, departments))
    problems.push({ file: parsed.file, line: parsed.lineOf(p.path), message: p.message });
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { policy: problems.length ? null : policy, problems };
}
