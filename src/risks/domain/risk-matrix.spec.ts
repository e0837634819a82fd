// Level computation for every cell of the shipped 5×5 matrix and of a 3×3 one, the P1 × P2 rounding
// rule, and each matrix rule broken once.
import { join } from 'node:path';
import { loadRiskMatrix } from '../risk-matrix-loader';
import {
  combineProbability,
  levelLabel,
  levelOf,
  RiskLevel,
  RiskMatrix,
  scaleFor,
  SecurityScale,
  UnknownLevelError,
  validateMatrix,
  validateSecurityScale,
} from './risk-matrix';

const SHIPPED = loadRiskMatrix(join(__dirname, '..', '..', '..', 'controls'));

const A = 'acceptable';
const R = 'alara';
const U = 'unacceptable';

/** The probability keys of the shipped scale, least to most probable (one decade per level). */
const BANDS = ['improbable', 'remote', 'occasional', 'probable', 'frequent'] as const;

/** The company's policy as written in controls/risk-matrix.yaml, restated here independently: most probable row first, columns S1 … S5. */
const POLICY_5: Record<string, RiskLevel[]> = {
  frequent: [R, U, U, U, U],
  probable: [R, R, U, U, U],
  occasional: [A, R, R, U, U],
  remote: [A, A, R, R, U],
  improbable: [A, A, A, R, R],
};

const THREE: RiskMatrix = {
  size: 3,
  severity: [
    { level: 'S1', name: 'Minor' },
    { level: 'S2', name: 'Serious' },
    { level: 'S3', name: 'Critical' },
  ],
  probability: [
    { level: 'unlikely', name: 'Unlikely', upper: 1e-4 },
    { level: 'possible', name: 'Possible', upper: 1e-2 },
    { level: 'likely', name: 'Likely', upper: 1 },
  ],
  p1xp2: 'upper-bound-product',
  matrix: { likely: [R, U, U], possible: [A, R, U], unlikely: [A, A, R] },
};

describe('the shipped matrix (controls/risk-matrix.yaml)', () => {
  it('loads without problems as a 5×5 matrix, probability keyed by words (never P1…P5)', () => {
    expect(SHIPPED.problems).toEqual([]);
    expect(SHIPPED.matrix!.size).toBe(5);
    expect(SHIPPED.matrix!.severity.map(levelLabel)).toEqual([
      'S1 Negligible',
      'S2 Minor',
      'S3 Serious',
      'S4 Critical',
      'S5 Catastrophic',
    ]);
    expect(SHIPPED.matrix!.probability.map((p) => p.level)).toEqual([...BANDS]);
    expect(SHIPPED.matrix!.probability.map(levelLabel)).toEqual([
      'Improbable',
      'Remote',
      'Occasional',
      'Probable',
      'Frequent',
    ]);
    expect(SHIPPED.matrix!.probability.map((p) => p.upper)).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1]); // the bands of the first version: stored estimates keep their meaning
  });

  const cells = Object.entries(POLICY_5).flatMap(([p, row]) => row.map((level, i) => [p, `S${i + 1}`, level] as const));
  it('has 25 cells in the policy table', () => expect(cells).toHaveLength(25));
  it.each(cells)('%s × %s is %s', (p, s, level) => {
    expect(levelOf(SHIPPED.matrix!, s, p)).toBe(level);
  });

  it('never accepts catastrophic harm (S5) outright, and above the lowest band it is unacceptable', () => {
    expect(levelOf(SHIPPED.matrix!, 'S5', 'improbable')).toBe(R);
    for (const p of BANDS.slice(1)) expect([p, levelOf(SHIPPED.matrix!, 'S5', p)]).toEqual([p, U]);
  });
  it('never accepts critical harm (S4) outright; serious injury (S3) only in the lowest band', () => {
    for (const p of BANDS) expect([p, levelOf(SHIPPED.matrix!, 'S4', p)]).not.toEqual([p, A]);
    expect(BANDS.filter((p) => levelOf(SHIPPED.matrix!, 'S3', p) === A)).toEqual(['improbable']);
  });
  it('death at up to 1e-3 per use (remote) is unacceptable, no longer merely ALARA; serious injury there is no longer acceptable', () => {
    expect(levelOf(SHIPPED.matrix!, 'S5', 'remote')).toBe(U);
    expect(levelOf(SHIPPED.matrix!, 'S3', 'remote')).toBe(R);
  });
  it('has a written rationale', () => {
    expect(SHIPPED.matrix!.rationale.length).toBeGreaterThanOrEqual(200);
    expect(SHIPPED.matrix!.rationale).toContain('Annex C');
  });
});

describe('levelLabel', () => {
  it('shows the key and the name, or only the name when the key is its word', () => {
    expect(levelLabel({ level: 'S4', name: 'Critical' })).toBe('S4 Critical');
    expect(levelLabel({ level: 'remote', name: 'Remote' })).toBe('Remote');
    expect(levelLabel({ level: 'remote', name: 'Remote (up to 1e-3)' })).toBe('remote Remote (up to 1e-3)');
  });
});

describe('a 3×3 matrix', () => {
  it('is valid', () => expect(validateMatrix(THREE)).toEqual([]));
  it.each([
    ['likely', 'S1', R],
    ['likely', 'S2', U],
    ['likely', 'S3', U],
    ['possible', 'S1', A],
    ['possible', 'S2', R],
    ['possible', 'S3', U],
    ['unlikely', 'S1', A],
    ['unlikely', 'S2', A],
    ['unlikely', 'S3', R],
  ] as const)('%s × %s is %s', (p, s, level) => {
    expect(levelOf(THREE, s, p)).toBe(level);
  });
  it('refuses levels outside its scale', () => {
    expect(() => levelOf(THREE, 'S4', 'unlikely')).toThrow(new UnknownLevelError('severity', 'S4', ['S1', 'S2', 'S3']));
    expect(() => levelOf(THREE, 'S1', 'P1')).toThrow('"P1" is not a probability level (unlikely, possible, likely)');
  });
});

describe('P from P1 × P2 (upper-bound-product)', () => {
  const m = () => SHIPPED.matrix!;
  // One decade per level on the shipped scale: index(P) = index(p1) + index(p2) − 4 (0-based), never below improbable.
  const all = BANDS.flatMap((a, i) => BANDS.map((b, j) => [a, b, BANDS[Math.max(0, i + j - 4)]] as const));
  it.each(all)('%s × %s → %s', (p1, p2, p) => {
    expect(combineProbability(m(), p1, p2)).toBe(p);
  });
  it('is symmetric, and a certain hazardous situation (p1 = frequent) leaves p2 unchanged', () => {
    for (const [a, b] of all) expect(combineProbability(m(), a, b)).toBe(combineProbability(m(), b, a));
    for (const p of BANDS) expect(combineProbability(m(), 'frequent', p)).toBe(p);
  });
  it('a product equal to a bound stays in the band it closes (1e-2 × 1e-2 = 1e-4 is improbable, not remote)', () => {
    expect(combineProbability(m(), 'occasional', 'occasional')).toBe('improbable');
  });
  it('a product between two bounds rounds up to the more probable level', () => {
    // 3×3: possible × possible = 1e-4 is unlikely's bound exactly; possible × likely = 1e-2 is possible's; with uneven bands 1e-2 × 0.5 = 5e-3 → b.
    expect(combineProbability(THREE, 'possible', 'possible')).toBe('unlikely');
    expect(combineProbability(THREE, 'possible', 'likely')).toBe('possible');
    const uneven: RiskMatrix = {
      ...THREE,
      probability: [
        { level: 'a', name: 'a', upper: 1e-3 },
        { level: 'b', name: 'b', upper: 0.5 },
        { level: 'c', name: 'c', upper: 1 },
      ],
    };
    expect(combineProbability(uneven, 'b', 'b')).toBe('b'); // 0.25: above 1e-3, at most 0.5
    expect(combineProbability(uneven, 'a', 'b')).toBe('a'); // 5e-4
    expect(combineProbability(uneven, 'a', 'a')).toBe('a'); // 1e-6: below the scale, the least probable level
  });
});

describe('validateMatrix', () => {
  const copy = (edit: (m: RiskMatrix) => void): RiskMatrix => {
    const m = structuredClone(THREE);
    edit(m);
    return m;
  };
  it.each([
    [
      'a missing row',
      (m: RiskMatrix) => delete m.matrix.possible,
      [{ path: ['matrix'], message: 'row possible is missing' }],
    ],
    [
      'a short row',
      (m: RiskMatrix) => m.matrix.possible.pop(),
      [{ path: ['matrix', 'possible'], message: 'row possible must have 3 cells (S1…S3), not 2' }],
    ],
    [
      'an unknown level',
      (m: RiskMatrix) => (m.matrix.unlikely[0] = 'fine' as RiskLevel),
      [
        {
          path: ['matrix', 'unlikely', 0],
          message: 'unlikely × S1: "fine" is not a level (acceptable, alara, unacceptable)',
        },
      ],
    ],
    [
      'an unknown row',
      (m: RiskMatrix) => (m.matrix.P1 = [A, A, A]),
      [{ path: ['matrix', 'P1'], message: '"P1" is not a probability level (unlikely, possible, likely)' }],
    ],
    [
      'a severity misnamed',
      (m: RiskMatrix) => (m.severity[1].level = 'S9'),
      [{ path: ['severity', 1, 'level'], message: 'level 2 must be named S2, not "S9"' }],
    ],
    [
      'a probability named like an Annex C factor',
      (m: RiskMatrix) => (m.probability[1].level = 'P2'),
      [
        {
          path: ['probability', 1, 'level'],
          message:
            '"P2": name probability levels by a word (e.g. remote), not P1…P3, which ISO 14971 Annex C uses for the two factors of P',
        },
      ],
    ],
    [
      'a probability key that is not a lower-case word',
      (m: RiskMatrix) => (m.probability[0].level = 'very unlikely'),
      [
        {
          path: ['probability', 0, 'level'],
          message: '"very unlikely" must be a lower-case word (letters and dashes), e.g. remote',
        },
      ],
    ],
    [
      'a probability key twice',
      (m: RiskMatrix) => (m.probability[2].level = 'unlikely'),
      [{ path: ['probability', 2, 'level'], message: '"unlikely" is listed twice' }],
    ],
    [
      'a level too few',
      (m: RiskMatrix) => m.probability.pop(),
      [
        { path: ['probability'], message: 'must list 3 levels (size is 3), not 2' },
        { path: ['probability', 1, 'upper'], message: 'the most probable level must reach 1' },
      ],
    ],
    [
      'bounds not increasing',
      (m: RiskMatrix) => (m.probability[1].upper = 1e-5),
      [{ path: ['probability', 1, 'upper'], message: "must be above unlikely's upper bound (0.0001)" }],
    ],
    [
      'a top bound below 1',
      (m: RiskMatrix) => (m.probability[2].upper = 0.5),
      [{ path: ['probability', 2, 'upper'], message: 'the most probable level must reach 1' }],
    ],
    [
      'lower at a higher severity',
      (m: RiskMatrix) => (m.matrix.possible = [A, U, R]),
      [
        {
          path: ['matrix', 'possible', 2],
          message: 'not monotonic: possible × S3 is alara, lower than unacceptable at the less severe S2',
        },
      ],
    ],
    [
      'lower at a higher probability',
      (m: RiskMatrix) => ((m.matrix.likely = [A, U, U]), (m.matrix.possible = [R, R, U])),
      [
        {
          path: ['matrix', 'likely', 0],
          message: 'not monotonic: likely × S1 is acceptable, lower than alara at the less probable possible',
        },
      ],
    ],
  ] as [string, (m: RiskMatrix) => void, { path: unknown[]; message: string }[]][])(
    'finds %s',
    (_name, edit, expected) => {
      expect(validateMatrix(copy(edit))).toEqual(expected);
    },
  );
  it('checks every cell only once its rows are complete and known', () => {
    expect(
      validateMatrix(copy((m) => ((m.matrix.unlikely = [U, A]), (m.matrix.possible[0] = 'x' as RiskLevel)))),
    ).toEqual([
      { path: ['matrix', 'unlikely'], message: 'row unlikely must have 3 cells (S1…S3), not 2' },
      {
        path: ['matrix', 'possible', 0],
        message: 'possible × S1: "x" is not a level (acceptable, alara, unacceptable)',
      },
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
    expect(security().severity.map((l) => `${l.level} ${l.name}`)).toEqual([
      'I1 Minimal',
      'I2 Minor',
      'I3 Moderate',
      'I4 Major',
      'I5 Severe',
    ]);
    expect(security().probability.map((l) => `${l.level} ${l.name}`)).toEqual([
      'L1 Rare',
      'L2 Unlikely',
      'L3 Possible',
      'L4 Likely',
      'L5 Almost certain',
    ]);
  });
  const cells = Object.entries(SECURITY_5).flatMap(([l, row]) =>
    row.map((level, i) => [l, `I${i + 1}`, level] as const),
  );
  it.each(cells)('%s × %s is %s', (l, i, level) => {
    expect(levelOf(security(), i, l)).toBe(level);
  });
  it('does not take ISO 14971 levels', () => {
    expect(() => levelOf(security(), 'S3', 'L3')).toThrow('"S3" is not a severity level (I1, I2, I3, I4, I5)');
  });

  const THREE_SEC: SecurityScale = {
    size: 3,
    impact: [
      { level: 'I1', name: 'Low' },
      { level: 'I2', name: 'Medium' },
      { level: 'I3', name: 'High' },
    ],
    likelihood: [
      { level: 'L1', name: 'Rare' },
      { level: 'L2', name: 'Possible' },
      { level: 'L3', name: 'Likely' },
    ],
    matrix: { L3: [R, U, U], L2: [A, R, U], L1: [A, A, R] },
  };
  const copy = (edit: (s: SecurityScale) => void): SecurityScale => {
    const s = structuredClone(THREE_SEC);
    edit(s);
    return s;
  };
  it('a 3×3 security scale is valid on its own size', () => expect(validateSecurityScale(THREE_SEC)).toEqual([]));
  it.each([
    [
      'an impact misnamed',
      (s: SecurityScale) => (s.impact[0].level = 'S1'),
      [{ path: ['security', 'impact', 0, 'level'], message: 'level 1 must be named I1, not "S1"' }],
    ],
    [
      'a likelihood too few',
      (s: SecurityScale) => s.likelihood.pop(),
      [{ path: ['security', 'likelihood'], message: 'must list 3 levels (size is 3), not 2' }],
    ],
    [
      'a missing row',
      (s: SecurityScale) => delete s.matrix.L2,
      [{ path: ['security', 'matrix'], message: 'row L2 is missing' }],
    ],
    [
      'an unknown row',
      (s: SecurityScale) => (s.matrix.P1 = [A, A, A]),
      [{ path: ['security', 'matrix', 'P1'], message: '"P1" is not a likelihood level (L1, L2, L3)' }],
    ],
    [
      'a short row',
      (s: SecurityScale) => s.matrix.L1.pop(),
      [{ path: ['security', 'matrix', 'L1'], message: 'row L1 must have 3 cells (I1…I3), not 2' }],
    ],
    [
      'an unknown level',
      (s: SecurityScale) => (s.matrix.L1[1] = 'low' as RiskLevel),
      [
        {
          path: ['security', 'matrix', 'L1', 1],
          message: 'L1 × I2: "low" is not a level (acceptable, alara, unacceptable)',
        },
      ],
    ],
    [
      'lower at a higher impact',
      (s: SecurityScale) => (s.matrix.L2 = [A, U, R]),
      [
        {
          path: ['security', 'matrix', 'L2', 2],
          message: 'not monotonic: L2 × I3 is alara, lower than unacceptable at the lower impact I2',
        },
      ],
    ],
    [
      'lower at a higher likelihood',
      (s: SecurityScale) => ((s.matrix.L3 = [A, U, U]), (s.matrix.L2 = [R, R, U])),
      [
        {
          path: ['security', 'matrix', 'L3', 0],
          message: 'not monotonic: L3 × I1 is acceptable, lower than alara at the less likely L2',
        },
      ],
    ],
  ] as [string, (s: SecurityScale) => void, { path: unknown[]; message: string }[]][])(
    'finds %s',
    (_name, edit, expected) => {
      expect(validateSecurityScale(copy(edit))).toEqual(expected);
    },
  );
});
