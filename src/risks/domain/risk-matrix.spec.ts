// Level computation for every cell of the shipped 5×5 matrix and of a 3×3 one, the P1 × P2 rounding
// rule, and each matrix rule broken once.
import { join } from 'node:path';
import { loadRiskMatrix } from '../risk-matrix-loader';
import { combineProbability, levelOf, RiskLevel, RiskMatrix, scaleFor, SecurityScale, UnknownLevelError, validateMatrix, validateSecurityScale } from './risk-matrix';

const SHIPPED = loadRiskMatrix(join(__dirname, '..', '..', '..', 'controls'));

const A = 'acceptable';
const R = 'alara';
const U = 'unacceptable';

/** The company's policy as written in controls/risk-matrix.yaml, restated here independently: rows P5 … P1, columns S1 … S5. */
const POLICY_5: Record<string, RiskLevel[]> = {
  P5: [R, R, U, U, U],
  P4: [A, R, R, U, U],
  P3: [A, A, R, R, U],
  P2: [A, A, A, R, R],
  P1: [A, A, A, A, R],
};

const THREE: RiskMatrix = {
  size: 3,
  severity: [
    { level: 'S1', name: 'Minor' },
    { level: 'S2', name: 'Serious' },
    { level: 'S3', name: 'Critical' },
  ],
  probability: [
    { level: 'P1', name: 'Unlikely', upper: 1e-4 },
    { level: 'P2', name: 'Possible', upper: 1e-2 },
    { level: 'P3', name: 'Likely', upper: 1 },
  ],
  p1xp2: 'upper-bound-product',
  matrix: { P3: [R, U, U], P2: [A, R, U], P1: [A, A, R] },
};

describe('the shipped matrix (controls/risk-matrix.yaml)', () => {
  it('loads without problems as a 5×5 matrix', () => {
    expect(SHIPPED.problems).toEqual([]);
    expect(SHIPPED.matrix!.size).toBe(5);
    expect(SHIPPED.matrix!.severity.map((s) => `${s.level} ${s.name}`)).toEqual(['S1 Negligible', 'S2 Minor', 'S3 Serious', 'S4 Critical', 'S5 Catastrophic']);
    expect(SHIPPED.matrix!.probability.map((p) => `${p.level} ${p.name}`)).toEqual(['P1 Improbable', 'P2 Remote', 'P3 Occasional', 'P4 Probable', 'P5 Frequent']);
  });

  const cells = Object.entries(POLICY_5).flatMap(([p, row]) => row.map((level, i) => [p, `S${i + 1}`, level] as const));
  it('has 25 cells in the policy table', () => expect(cells).toHaveLength(25));
  it.each(cells)('%s × %s is %s', (p, s, level) => {
    expect(levelOf(SHIPPED.matrix!, s, p)).toBe(level);
  });
});

describe('a 3×3 matrix', () => {
  it('is valid', () => expect(validateMatrix(THREE)).toEqual([]));
  it.each([
    ['P3', 'S1', R], ['P3', 'S2', U], ['P3', 'S3', U],
    ['P2', 'S1', A], ['P2', 'S2', R], ['P2', 'S3', U],
    ['P1', 'S1', A], ['P1', 'S2', A], ['P1', 'S3', R],
  ] as const)('%s × %s is %s', (p, s, level) => {
    expect(levelOf(THREE, s, p)).toBe(level);
  });
  it('refuses levels outside its scale', () => {
    expect(() => levelOf(THREE, 'S4', 'P1')).toThrow(new UnknownLevelError('severity', 'S4', ['S1', 'S2', 'S3']));
    expect(() => levelOf(THREE, 'S1', 'P5')).toThrow('"P5" is not a probability level (P1, P2, P3)');
  });
});

describe('P from P1 × P2 (upper-bound-product)', () => {
  const m = () => SHIPPED.matrix!;
  // One decade per level on the shipped scale: P = P1 + P2 − 5, never below P1.
  const all = [1, 2, 3, 4, 5].flatMap((a) => [1, 2, 3, 4, 5].map((b) => [`P${a}`, `P${b}`, `P${Math.max(1, a + b - 5)}`] as const));
  it.each(all)('%s × %s → %s', (p1, p2, p) => {
    expect(combineProbability(m(), p1, p2)).toBe(p);
  });
  it('is symmetric, and a certain hazardous situation (P1 = P5) leaves P2 unchanged', () => {
    for (const [a, b] of all) expect(combineProbability(m(), a, b)).toBe(combineProbability(m(), b, a));
    for (const p of ['P1', 'P2', 'P3', 'P4', 'P5']) expect(combineProbability(m(), 'P5', p)).toBe(p);
  });
  it('a product equal to a bound stays in the band it closes (1e-2 × 1e-2 = 1e-4 is P1, not P2)', () => {
    expect(combineProbability(m(), 'P3', 'P3')).toBe('P1');
  });
  it('a product between two bounds rounds up to the more probable level', () => {
    // 3×3: P2 × P2 = 1e-4 is P1's bound exactly; P2 × P3 = 1e-2 is P2's; with uneven bands 1e-2 × 0.5 = 5e-3 → P2.
    expect(combineProbability(THREE, 'P2', 'P2')).toBe('P1');
    expect(combineProbability(THREE, 'P2', 'P3')).toBe('P2');
    const uneven: RiskMatrix = { ...THREE, probability: [{ level: 'P1', name: 'a', upper: 1e-3 }, { level: 'P2', name: 'b', upper: 0.5 }, { level: 'P3', name: 'c', upper: 1 }] };
    expect(combineProbability(uneven, 'P2', 'P2')).toBe('P2'); // 0.25: above 1e-3, at most 0.5
    expect(combineProbability(uneven, 'P1', 'P2')).toBe('P1'); // 5e-4
    expect(combineProbability(uneven, 'P1', 'P1')).toBe('P1'); // 1e-6: below the scale, the least probable level
  });
});

describe('validateMatrix', () => {
  const copy = (edit: (m: RiskMatrix) => void): RiskMatrix => {
    const m = structuredClone(THREE);
    edit(m);
    return m;
  };
  it.each([
    ['a missing row', (m: RiskMatrix) => delete m.matrix.P2, [{ path: ['matrix'], message: 'row P2 is missing' }]],
    ['a short row', (m: RiskMatrix) => m.matrix.P2.pop(), [{ path: ['matrix', 'P2'], message: 'row P2 must have 3 cells (S1…S3), not 2' }]],
    ['an unknown level', (m: RiskMatrix) => (m.matrix.P1[0] = 'fine' as RiskLevel), [{ path: ['matrix', 'P1', 0], message: 'P1 × S1: "fine" is not a level (acceptable, alara, unacceptable)' }]],
    ['an unknown row', (m: RiskMatrix) => (m.matrix.P9 = [A, A, A]), [{ path: ['matrix', 'P9'], message: '"P9" is not a probability level (P1, P2, P3)' }]],
    ['a severity misnamed', (m: RiskMatrix) => (m.severity[1].level = 'S9'), [{ path: ['severity', 1, 'level'], message: 'level 2 must be named S2, not "S9"' }]],
    ['a level too few', (m: RiskMatrix) => m.probability.pop(), [
        { path: ['probability'], message: 'must list 3 levels (size is 3), not 2' },
        { path: ['probability', 1, 'upper'], message: 'the most probable level must reach 1' },
      ],
    ],
    ['bounds not increasing', (m: RiskMatrix) => (m.probability[1].upper = 1e-5), [{ path: ['probability', 1, 'upper'], message: "must be above P1's upper bound (0.0001)" }]],
    ['a top bound below 1', (m: RiskMatrix) => (m.probability[2].upper = 0.5), [{ path: ['probability', 2, 'upper'], message: 'the most probable level must reach 1' }]],
    ['lower at a higher severity', (m: RiskMatrix) => (m.matrix.P2 = [A, U, R]), [{ path: ['matrix', 'P2', 2], message: 'not monotonic: P2 × S3 is alara, lower than unacceptable at the less severe S2' }]],
    [
      'lower at a higher probability',
      (m: RiskMatrix) => ((m.matrix.P3 = [A, U, U]), (m.matrix.P2 = [R, R, U])),
      [{ path: ['matrix', 'P3', 0], message: 'not monotonic: P3 × S1 is acceptable, lower than alara at the less probable P2' }],
    ],
  ] as [string, (m: RiskMatrix) => void, { path: unknown[]; message: string }[]][])('finds %s', (_name, edit, expected) => {
    expect(validateMatrix(copy(edit))).toEqual(expected);
  });
  it('checks every cell only once its rows are complete and known', () => {
    expect(validateMatrix(copy((m) => ((m.matrix.P1 = [U, A]), (m.matrix.P2[0] = 'x' as RiskLevel))))).toEqual([
      { path: ['matrix', 'P1'], message: 'row P1 must have 3 cells (S1…S3), not 2' },
      { path: ['matrix', 'P2', 0], message: 'P2 × S1: "x" is not a level (acceptable, alara, unacceptable)' },
    ]);
  });
});

describe('the security register scale (`security:` in controls/risk-matrix.yaml)', () => {
  /** The security policy as written in the file, restated independently: rows L5 … L1, columns I1 … I5. */
  const SECURITY_5: Record<string, RiskLevel[]> = {
    L5: [R, R, U, U, U],
    L4: [A, R, R, U, U],
    L3: [A, R, R, R, U],
    L2: [A, A, R, R, R],
    L1: [A, A, A, R, R],
  };
  const security = () => scaleFor(SHIPPED.matrix!, 'security');
  it('is its own 5×5 scale with impact and likelihood names', () => {
    expect(security().axes).toEqual({ severity: 'impact', probability: 'likelihood' });
    expect(security().p1xp2).toBeNull();
    expect(security().severity.map((l) => `${l.level} ${l.name}`)).toEqual(['I1 Minimal', 'I2 Minor', 'I3 Moderate', 'I4 Major', 'I5 Severe']);
    expect(security().probability.map((l) => `${l.level} ${l.name}`)).toEqual(['L1 Rare', 'L2 Unlikely', 'L3 Possible', 'L4 Likely', 'L5 Almost certain']);
  });
  const cells = Object.entries(SECURITY_5).flatMap(([l, row]) => row.map((level, i) => [l, `I${i + 1}`, level] as const));
  it.each(cells)('%s × %s is %s', (l, i, level) => {
    expect(levelOf(security(), i, l)).toBe(level);
  });
  it('does not take ISO 14971 levels', () => {
    expect(() => levelOf(security(), 'S3', 'L3')).toThrow('"S3" is not a severity level (I1, I2, I3, I4, I5)');
  });

  const THREE_SEC: SecurityScale = {
    size: 3,
    impact: [{ level: 'I1', name: 'Low' }, { level: 'I2', name: 'Medium' }, { level: 'I3', name: 'High' }],
    likelihood: [{ level: 'L1', name: 'Rare' }, { level: 'L2', name: 'Possible' }, { level: 'L3', name: 'Likely' }],
    matrix: { L3: [R, U, U], L2: [A, R, U], L1: [A, A, R] },
  };
  const copy = (edit: (s: SecurityScale) => void): SecurityScale => {
    const s = structuredClone(THREE_SEC);
    edit(s);
    return s;
  };
  it('a 3×3 security scale is valid on its own size', () => expect(validateSecurityScale(THREE_SEC)).toEqual([]));
  it.each([
    ['an impact misnamed', (s: SecurityScale) => (s.impact[0].level = 'S1'), [{ path: ['security', 'impact', 0, 'level'], message: 'level 1 must be named I1, not "S1"' }]],
    ['a likelihood too few', (s: SecurityScale) => s.likelihood.pop(), [{ path: ['security', 'likelihood'], message: 'must list 3 levels (size is 3), not 2' }]],
    ['a missing row', (s: SecurityScale) => delete s.matrix.L2, [{ path: ['security', 'matrix'], message: 'row L2 is missing' }]],
    ['an unknown row', (s: SecurityScale) => (s.matrix.P1 = [A, A, A]), [{ path: ['security', 'matrix', 'P1'], message: '"P1" is not a likelihood level (L1, L2, L3)' }]],
    ['a short row', (s: SecurityScale) => s.matrix.L1.pop(), [{ path: ['security', 'matrix', 'L1'], message: 'row L1 must have 3 cells (I1…I3), not 2' }]],
    ['an unknown level', (s: SecurityScale) => (s.matrix.L1[1] = 'low' as RiskLevel), [{ path: ['security', 'matrix', 'L1', 1], message: 'L1 × I2: "low" is not a level (acceptable, alara, unacceptable)' }]],
    ['lower at a higher impact', (s: SecurityScale) => (s.matrix.L2 = [A, U, R]), [{ path: ['security', 'matrix', 'L2', 2], message: 'not monotonic: L2 × I3 is alara, lower than unacceptable at the lower impact I2' }]],
    ['lower at a higher likelihood', (s: SecurityScale) => ((s.matrix.L3 = [A, U, U]), (s.matrix.L2 = [R, R, U])), [{ path: ['security', 'matrix', 'L3', 0], message: 'not monotonic: L3 × I1 is acceptable, lower than alara at the less likely L2' }]],
  ] as [string, (s: SecurityScale) => void, { path: unknown[]; message: string }[]][])('finds %s', (_name, edit, expected) => {
    expect(validateSecurityScale(copy(edit))).toEqual(expected);
  });
});
