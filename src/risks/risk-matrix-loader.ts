// Reads controls/risk-matrix.yaml with the catalog's YAML rules (core schema; no anchors, aliases or
// custom tags; 256 KB at most), checks its schema and the matrix rules, and reports every problem as
// `file:line: message`.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseFile, zodProblems } from '../catalog/catalog-loader';
import type { CatalogProblem } from '../catalog/domain/catalog-model';
import { MATRIX_SIZES, P1XP2_RULES, RiskMatrixFile, validateMatrix, validateSecurityScale } from './domain/risk-matrix';

export const RISK_MATRIX_FILE = 'risk-matrix.yaml';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** The rationale must say something: at least this many characters. */
export const RATIONALE_MIN = 200;

const matrixFileSchema = z
  .object({
    // Why this matrix is the company's policy (ISO 14971 4.2 and 4.4(d) leave it to the manufacturer).
    rationale: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? "is required: why this matrix is the company's acceptability policy (ISO 14971 4.2, 4.4(d))"
            : 'must be text',
      })
      .trim()
      .min(
        RATIONALE_MIN,
        `must explain the policy in at least ${RATIONALE_MIN} characters (why each cut-off is where it is)`,
      )
      .max(8000, 'must be at most 8000 characters'),
    size: z.union(
      MATRIX_SIZES.map((n) => z.literal(n)),
      { error: `must be ${MATRIX_SIZES.join(' or ')}` },
    ),
    severity: z.array(z.object({ level: z.string(), name: text(100), description: text(500).optional() }).strict()),
    probability: z.array(z.object({ level: z.string(), name: text(100), upper: z.number() }).strict()),
    p1xp2: z.enum(P1XP2_RULES),
    // Cells are checked by validateMatrix, which names the cell.
    matrix: z.record(z.string(), z.array(z.string())),
    // The security register's own scale (SOC 2 CC3): impact × likelihood and its own acceptability.
    security: z
      .object(
        {
          size: z.union(
            MATRIX_SIZES.map((n) => z.literal(n)),
            { error: `must be ${MATRIX_SIZES.join(' or ')}` },
          ),
          impact: z.array(z.object({ level: z.string(), name: text(100), description: text(500).optional() }).strict()),
          likelihood: z.array(
            z.object({ level: z.string(), name: text(100), description: text(500).optional() }).strict(),
          ),
          matrix: z.record(z.string(), z.array(z.string())),
        },
        {
          error: (issue) =>
            issue.input === undefined
              ? "is required: the security register's own scale (impact × likelihood)"
              : 'must be a mapping',
        },
      )
      .strict(),
  })
  .strict();

export interface LoadedRiskMatrix {
  matrix: RiskMatrixFile | null;
  problems: CatalogProblem[];
}

/** Loads and validates `<dir>/risk-matrix.yaml`. `matrix` is null when there is any problem. */
export function loadRiskMatrix(dir: string): LoadedRiskMatrix {
  const problems: CatalogProblem[] = [];
  const path = join(dir, RISK_MATRIX_FILE);
  try {
    statSync(path);
  } catch {
    return { matrix: null, problems: [{ file: RISK_MATRIX_FILE, line: 1, message: 'file is missing' }] };
  }
  const parsed = parseFile(dir, path, problems);
  if (!parsed) return { matrix: null, problems };
  const result = matrixFileSchema.safeParse(parsed.value);
  if (!result.success) {
    zodProblems(parsed, result.error, problems);
    return { matrix: null, problems };
  }
  const matrix = result.data as RiskMatrixFile;
  for (const p of [...validateMatrix(matrix), ...validateSecurityScale(matrix.security)])
    problems.push({ file: parsed.file, line: parsed.lineOf(p.path), message: p.message });
  problems.sort((a, b) => a.line - b.line);
  return { matrix: problems.length ? null : matrix, problems };
}
