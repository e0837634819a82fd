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
  /** Least to most probable: P1 … Pn. */
  probability: ProbabilityLevel[];
  p1xp2: P1xP2Rule;
  /** Probability level → levels for S1 … Sn. */
  matrix: Record<string, RiskLevel[]>;
}

export interface MatrixProblem {
  /** Where in the file: keys and indexes from the root. */
  path: (string | number)[];
  message: string;
}

const rank = (l: RiskLevel) => RISK_LEVELS.indexOf(l);

/**
 * Every problem of a parsed matrix: levels named S1…Sn and P1…Pn in order, n = size; probability upper
 * bounds increasing and the top one 1; a row per probability level with a known level per severity; and
 * monotonic (a higher severity or probability never lowers the level).
 */
export function validateMatrix(m: RiskMatrix): MatrixProblem[] {
  const problems: MatrixProblem[] = [];
  const n = m.size;
  const named = (key: 'severity' | 'probability', prefix: string) => {
    const levels = m[key];
    if (levels.length !== n) problems.push({ path: [key], message: `must list ${n} levels (size is ${n}), not ${levels.length}` });
    levels.forEach((l, i) => {
      if (l.level !== `${prefix}${i + 1}`) problems.push({ path: [key, i, 'level'], message: `level ${i + 1} must be named ${prefix}${i + 1}, not "${l.level}"` });
    });
  };
  named('severity', 'S');
  named('probability', 'P');
  m.probability.forEach((p, i) => {
    if (!(p.upper > 0 && p.upper <= 1)) problems.push({ path: ['probability', i, 'upper'], message: 'must be a probability above 0 and at most 1' });
    else if (i > 0 && !(p.upper > m.probability[i - 1].upper)) problems.push({ path: ['probability', i, 'upper'], message: `must be above ${m.probability[i - 1].level}'s upper bound (${m.probability[i - 1].upper})` });
  });
  const top = m.probability[m.probability.length - 1];
  if (top && top.upper !== 1) problems.push({ path: ['probability', m.probability.length - 1, 'upper'], message: 'the most probable level must reach 1' });
  if (problems.length) return problems;

  const probabilities = m.probability.map((p) => p.level);
  for (const row of Object.keys(m.matrix)) {
    if (!probabilities.includes(row)) problems.push({ path: ['matrix', row], message: `"${row}" is not a probability level (${probabilities.join(', ')})` });
  }
  let complete = problems.length === 0;
  for (const p of probabilities) {
    const row = m.matrix[p];
    if (!row) {
      problems.push({ path: ['matrix'], message: `row ${p} is missing` });
      complete = false;
      continue;
    }
    if (row.length !== n) {
      problems.push({ path: ['matrix', p], message: `row ${p} must have ${n} cells (S1…S${n}), not ${row.length}` });
      complete = false;
    }
    row.forEach((cell, i) => {
      if (!RISK_LEVELS.includes(cell)) {
        problems.push({ path: ['matrix', p, i], message: `${p} × S${i + 1}: "${String(cell)}" is not a level (${RISK_LEVELS.join(', ')})` });
        complete = false;
      }
    });
  }
  if (!complete) return problems;
  for (let pi = 0; pi < n; pi++) {
    for (let si = 0; si < n; si++) {
      const cell = m.matrix[probabilities[pi]][si];
      if (si > 0) {
        const left = m.matrix[probabilities[pi]][si - 1];
        if (rank(cell) < rank(left)) problems.push({ path: ['matrix', probabilities[pi], si], message: `not monotonic: ${probabilities[pi]} × S${si + 1} is ${cell}, lower than ${left} at the less severe S${si}` });
      }
      if (pi > 0) {
        const below = m.matrix[probabilities[pi - 1]][si];
        if (rank(cell) < rank(below)) problems.push({ path: ['matrix', probabilities[pi], si], message: `not monotonic: ${probabilities[pi]} × S${si + 1} is ${cell}, lower than ${below} at the less probable ${probabilities[pi - 1]}` });
      }
    }
  }
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

export function severityIndex(m: RiskMatrix, s: string): number {
  const i = m.severity.findIndex((l) => l.level === s);
  if (i < 0) throw new UnknownLevelError('severity', s, m.severity.map((l) => l.level));
  return i;
}

export function probabilityIndex(m: RiskMatrix, p: string): number {
  const i = m.probability.findIndex((l) => l.level === p);
  if (i < 0) throw new UnknownLevelError('probability', p, m.probability.map((l) => l.level));
  return i;
}

/** The risk level of a severity and a probability, from the matrix. */
export function levelOf(m: RiskMatrix, severity: string, probability: string): RiskLevel {
  severityIndex(m, severity);
  probabilityIndex(m, probability);
  return m.matrix[probability][severityIndex(m, severity)];
}

/**
 * P from P1 × P2 by the `upper-bound-product` rule: the product of the two levels' upper bounds, then the
 * lowest level whose upper bound is at least that product (compared in log10 with a 1e-9 tolerance, so
 * 1e-2 × 1e-2 is exactly 1e-4 whatever the floating point says). Between bounds: the more probable level.
 */
export function combineProbability(m: RiskMatrix, p1: string, p2: string): string {
  const product = Math.log10(m.probability[probabilityIndex(m, p1)].upper) + Math.log10(m.probability[probabilityIndex(m, p2)].upper);
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
export function heatmapGrid(m: RiskMatrix, counts: { severity: string; probability: string; count: number }[]): { cells: HeatmapCell[]; offMatrix: number } {
  const byCell = new Map<string, number>();
  let offMatrix = 0;
  for (const c of counts) {
    if (m.matrix[c.probability]?.[m.severity.findIndex((s) => s.level === c.severity)] === undefined) offMatrix += c.count;
    else byCell.set(`${c.severity}|${c.probability}`, (byCell.get(`${c.severity}|${c.probability}`) ?? 0) + c.count);
  }
  const cells: HeatmapCell[] = [];
  for (const p of [...m.probability].reverse()) {
    m.severity.forEach((s, i) => cells.push({ severity: s.level, probability: p.level, level: m.matrix[p.level][i], count: byCell.get(`${s.level}|${p.level}`) ?? 0 }));
  }
  return { cells, offMatrix };
}
