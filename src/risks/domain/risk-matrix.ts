// The acceptability matrix (controls/risk-matrix.yaml) after parsing, and the rules on it: the level of
// (S, P), P from P1 × P2, and what makes a matrix valid. Pure: no Nest, no TypeORM.

export const RISK_LEVELS = ['acceptable', 'alara', 'unacceptable'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const MATRIX_SIZES = [3, 5] as const;
export const P1XP2_RULES = ['upper-bound-product'] as const;
export type P1xP2Rule = (typeof P1XP2_RULES)[number];

export interface SeverityLevel {
  level: string;
  name: string;
  description?: string;
}

export interface ProbabilityLevel {
  level: string;
  name: string;
  /** The band's upper bound (inclusive); the band starts above the previous level's. */
  upper: number;
}

export interface RiskMatrix {
  size: number;
  /** Least to most severe: S1 … Sn. */
  severity: SeverityLevel[];
  /**
   * Least to most probable, keyed by lower-case words (improbable, remote, occasional, probable, frequent
   * in the shipped file) — never P1…Pn, which in ISO 14971 Annex C are the two factors of P.
   */
  probability: ProbabilityLevel[];
  p1xp2: P1xP2Rule;
  /** Probability level → levels for S1 … Sn. */
  matrix: Record<string, RiskLevel[]>;
}

export interface ScaleLevel {
  level: string;
  name: string;
  description?: string;
}

/** The security register's own scale (SOC 2 CC3): impact I1…In × likelihood L1…Ln, with its own acceptability. */
export interface SecurityScale {
  size: number;
  /** Least to most harmful: I1 … In. */
  impact: ScaleLevel[];
  /** Least to most likely: L1 … Ln. */
  likelihood: ScaleLevel[];
  /** Likelihood level → levels for I1 … In. */
  matrix: Record<string, RiskLevel[]>;
}

/** controls/risk-matrix.yaml as a whole: the ISO 14971 matrix at the top, the security register's scale under `security:`. */
export interface RiskMatrixFile extends RiskMatrix {
  /** Why this matrix is the company's acceptability policy (ISO 14971 4.2, 4.4(d)); `attest catalog validate` prints it. */
  rationale: string;
  security: SecurityScale;
}

/** A probability level's key: a lower-case word (letters and dashes), so never P1…Pn. */
export const PROBABILITY_KEY = /^[a-z][a-z-]{1,30}$/;

/** How a level reads to a person: "S4 Critical", "L2 Unlikely", or just "Remote" when the key is the name's own word. */
export function levelLabel(l: { level: string; name: string }): string {
  return l.name.toLowerCase() === l.level.toLowerCase() ? l.name : `${l.level} ${l.name}`;
}

/**
 * One register's scale as the level rules use it: a "severity" axis (severity, or impact) and a
 * "probability" axis (probability, or likelihood), the cells, and the P1 × P2 rule where it applies.
 */
export interface RiskScale {
  /** What people call the two axes. */
  axes?: { severity: string; probability: string };
  severity: ScaleLevel[];
  probability: (ScaleLevel & { upper?: number })[];
  /** null: the scale has no probability bands, so P1 × P2 does not apply (the security register). */
  p1xp2: P1xP2Rule | null;
  matrix: Record<string, RiskLevel[]>;
}

/** The scale of a register: the ISO 14971 matrix, or the security register's own. */
export function scaleFor(m: RiskMatrixFile, register: 'iso14971' | 'security'): RiskScale {
  if (register === 'security') {
    return {
      axes: { severity: 'impact', probability: 'likelihood' },
      severity: m.security.impact,
      probability: m.security.likelihood,
      p1xp2: null,
      matrix: m.security.matrix,
    };
  }
  return {
    axes: { severity: 'severity', probability: 'probability' },
    severity: m.severity,
    probability: m.probability,
    p1xp2: m.p1xp2,
    matrix: m.matrix,
  };
}

export interface MatrixProblem {
  /** Where in the file: keys and indexes from the root. */
  path: (string | number)[];
  message: string;
}

const rank = (l: RiskLevel) => RISK_LEVELS.indexOf(l);

/**
 * Every problem of a parsed matrix: severity levels named S1…Sn in order and n probability levels keyed by
 * distinct lower-case words (not P1…Pn: ISO 14971 Annex C's P1 and P2 are the two factors of P), n = size;
 * probability upper bounds increasing and the top one 1; a row per probability level with a known level
 * per severity; and monotonic (a higher severity or probability never lowers the level).
 */
export function validateMatrix(m: RiskMatrix): MatrixProblem[] {
  const problems: MatrixProblem[] = [];
  const n = m.size;
  if (m.severity.length !== n)
    problems.push({ path: ['severity'], message: `must list ${n} levels (size is ${n}), not ${m.severity.length}` });
  m.severity.forEach((l, i) => {
    if (l.level !== `S${i + 1}`)
      problems.push({
        path: ['severity', i, 'level'],
        message: `level ${i + 1} must be named S${i + 1}, not "${l.level}"`,
      });
  });
  if (m.probability.length !== n)
    problems.push({
      path: ['probability'],
      message: `must list ${n} levels (size is ${n}), not ${m.probability.length}`,
    });
  const seen = new Set<string>();
  m.probability.forEach((l, i) => {
    if (/^p\d+$/i.test(l.level))
      problems.push({
        path: ['probability', i, 'level'],
        message: `"${l.level}": name probability levels by a word (e.g. remote), not P1…P${n}, which ISO 14971 Annex C uses for the two factors of P`,
      });
    else if (!PROBABILITY_KEY.test(l.level))
      problems.push({
        path: ['probability', i, 'level'],
        message: `"${l.level}" must be a lower-case word (letters and dashes), e.g. remote`,
      });
    else if (seen.has(l.level))
      problems.push({ path: ['probability', i, 'level'], message: `"${l.level}" is listed twice` });
    seen.add(l.level);
  });
  m.probability.forEach((p, i) => {
    if (!(p.upper > 0 && p.upper <= 1))
      problems.push({ path: ['probability', i, 'upper'], message: 'must be a probability above 0 and at most 1' });
    else if (i > 0 && !(p.upper > m.probability[i - 1].upper))
      problems.push({
        path: ['probability', i, 'upper'],
        message: `must be above ${m.probability[i - 1].level}'s upper bound (${m.probability[i - 1].upper})`,
      });
  });
  const top = m.probability[m.probability.length - 1];
  if (top && top.upper !== 1)
    problems.push({
      path: ['probability', m.probability.length - 1, 'upper'],
      message: 'the most probable level must reach 1',
    });
  if (problems.length) return problems;

  checkGrid(
    problems,
    [],
    m.matrix,
    m.probability.map((p) => p.level),
    n,
    ISO_WORDS,
  );
  return problems;
}

interface GridWords {
  /** Column level prefix (S, I), the row axis' name, and how a less severe column / less probable row is called. */
  column: string;
  row: string;
  lessColumn: string;
  lessRow: string;
}

const ISO_WORDS: GridWords = { column: 'S', row: 'probability', lessColumn: 'less severe', lessRow: 'less probable' };
const SECURITY_WORDS: GridWords = {
  column: 'I',
  row: 'likelihood',
  lessColumn: 'lower impact',
  lessRow: 'less likely',
};

/** A grid's problems: a row per level with n known cells, and monotonic along both axes. */
function checkGrid(
  problems: MatrixProblem[],
  base: (string | number)[],
  matrix: Record<string, RiskLevel[]>,
  rows: string[],
  n: number,
  w: GridWords,
): void {
  const before = problems.length;
  for (const row of Object.keys(matrix)) {
    if (!rows.includes(row))
      problems.push({
        path: [...base, 'matrix', row],
        message: `"${row}" is not a ${w.row} level (${rows.join(', ')})`,
      });
  }
  let complete = problems.length === before;
  for (const p of rows) {
    const row = matrix[p];
    if (!row) {
      problems.push({ path: [...base, 'matrix'], message: `row ${p} is missing` });
      complete = false;
      continue;
    }
    if (row.length !== n) {
      problems.push({
        path: [...base, 'matrix', p],
        message: `row ${p} must have ${n} cells (${w.column}1…${w.column}${n}), not ${row.length}`,
      });
      complete = false;
    }
    row.forEach((cell, i) => {
      if (!RISK_LEVELS.includes(cell)) {
        problems.push({
          path: [...base, 'matrix', p, i],
          message: `${p} × ${w.column}${i + 1}: "${String(cell)}" is not a level (${RISK_LEVELS.join(', ')})`,
        });
        complete = false;
      }
    });
  }
  if (!complete) return;
  checkMonotonic(problems, base, matrix, rows, n, w);
}

/** A complete grid's monotonicity: no cell lower than the one left of it (less severe) or below it (less probable). */
function checkMonotonic(
  problems: MatrixProblem[],
  base: (string | number)[],
  matrix: Record<string, RiskLevel[]>,
  rows: string[],
  n: number,
  w: GridWords,
): void {
  for (let pi = 0; pi < n; pi++) {
    for (let si = 0; si < n; si++) {
      const cell = matrix[rows[pi]][si];
      if (si > 0) {
        const left = matrix[rows[pi]][si - 1];
        if (rank(cell) < rank(left))
          problems.push({
            path: [...base, 'matrix', rows[pi], si],
            message: `not monotonic: ${rows[pi]} × ${w.column}${si + 1} is ${cell}, lower than ${left} at the ${w.lessColumn} ${w.column}${si}`,
          });
      }
      if (pi > 0) {
        const below = matrix[rows[pi - 1]][si];
        if (rank(cell) < rank(below))
          problems.push({
            path: [...base, 'matrix', rows[pi], si],
            message: `not monotonic: ${rows[pi]} × ${w.column}${si + 1} is ${cell}, lower than ${below} at the ${w.lessRow} ${rows[pi - 1]}`,
          });
      }
    }
  }
}

/**
 * Every problem of the security register's scale: impact I1…In and likelihood L1…Ln in order (n = its own
 * size), a row per likelihood level with a known level per impact, and monotonic.
 */
export function validateSecurityScale(s: SecurityScale, base: (string | number)[] = ['security']): MatrixProblem[] {
  const problems: MatrixProblem[] = [];
  const n = s.size;
  const named = (key: 'impact' | 'likelihood', prefix: string) => {
    if (s[key].length !== n)
      problems.push({ path: [...base, key], message: `must list ${n} levels (size is ${n}), not ${s[key].length}` });
    s[key].forEach((l, i) => {
      if (l.level !== `${prefix}${i + 1}`)
        problems.push({
          path: [...base, key, i, 'level'],
          message: `level ${i + 1} must be named ${prefix}${i + 1}, not "${l.level}"`,
        });
    });
  };
  named('impact', 'I');
  named('likelihood', 'L');
  if (problems.length) return problems;
  checkGrid(
    problems,
    base,
    s.matrix,
    s.likelihood.map((l) => l.level),
    n,
    SECURITY_WORDS,
  );
  return problems;
}

/** Thrown for a severity or probability level the matrix does not have. */
export class UnknownLevelError extends Error {
  constructor(
    readonly axis: 'severity' | 'probability',
    readonly value: string,
    readonly known: string[],
  ) {
    super(`"${value}" is not a ${axis} level (${known.join(', ')})`);
  }
}

type Grid = Pick<RiskScale, 'severity' | 'probability' | 'matrix'>;

export function severityIndex(m: Grid, s: string): number {
  const i = m.severity.findIndex((l) => l.level === s);
  if (i < 0)
    throw new UnknownLevelError(
      'severity',
      s,
      m.severity.map((l) => l.level),
    );
  return i;
}

export function probabilityIndex(m: Grid, p: string): number {
  const i = m.probability.findIndex((l) => l.level === p);
  if (i < 0)
    throw new UnknownLevelError(
      'probability',
      p,
      m.probability.map((l) => l.level),
    );
  return i;
}

/** The risk level of a severity and a probability, from the matrix. */
export function levelOf(m: Grid, severity: string, probability: string): RiskLevel {
  severityIndex(m, severity);
  probabilityIndex(m, probability);
  return m.matrix[probability][severityIndex(m, severity)];
}

/**
 * P from P1 × P2 by the `upper-bound-product` rule: the product of the two levels' upper bounds, then the
 * lowest level whose upper bound is at least that product (compared in log10 with a 1e-9 tolerance, so
 * 1e-2 × 1e-2 is exactly 1e-4 whatever the floating point says). Between bounds: the more probable level.
 */
export function combineProbability(m: Pick<RiskMatrix, 'probability'>, p1: string, p2: string): string {
  const index = (p: string) => {
    const i = m.probability.findIndex((l) => l.level === p);
    if (i < 0)
      throw new UnknownLevelError(
        'probability',
        p,
        m.probability.map((l) => l.level),
      );
    return i;
  };
  const product = Math.log10(m.probability[index(p1)].upper) + Math.log10(m.probability[index(p2)].upper);
  const found = m.probability.find((l) => Math.log10(l.upper) >= product - 1e-9);
  return (found ?? m.probability[m.probability.length - 1]).level;
}

export interface HeatmapCell {
  severity: string;
  probability: string;
  level: RiskLevel;
  count: number;
}

/**
 * Every cell of the matrix, most probable row first and S1…Sn within a row, with its count (0 when absent).
 * Counts for levels the matrix no longer has (after a policy change) are returned apart, never dropped.
 */
export function heatmapGrid(
  m: Grid,
  counts: { severity: string; probability: string; count: number }[],
): { cells: HeatmapCell[]; offMatrix: number } {
  const byCell = new Map<string, number>();
  let offMatrix = 0;
  for (const c of counts) {
    if (m.matrix[c.probability]?.[m.severity.findIndex((s) => s.level === c.severity)] === undefined)
      offMatrix += c.count;
    else byCell.set(`${c.severity}|${c.probability}`, (byCell.get(`${c.severity}|${c.probability}`) ?? 0) + c.count);
  }
  const cells: HeatmapCell[] = [];
  for (const p of [...m.probability].reverse()) {
    m.severity.forEach((s, i) =>
      cells.push({
        severity: s.level,
        probability: p.level,
        level: m.matrix[p.level][i],
        count: byCell.get(`${s.level}|${p.level}`) ?? 0,
      }),
    );
  }
  return { cells, offMatrix };
}
