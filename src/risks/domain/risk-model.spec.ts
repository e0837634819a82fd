// Assessment (levels from the matrix, never from input), versioning diffs and traceability gaps.
import { join } from 'node:path';
import { loadRiskMatrix } from '../risk-matrix-loader';
import { scaleFor } from './risk-matrix';
import { assess, ControlSnapshot, diffSnapshots, fieldIssues, RiskSnapshot, traceabilityGaps } from './risk-model';

const M = loadRiskMatrix(join(__dirname, '..', '..', '..', 'controls')).matrix!;

describe('assess', () => {
  it('computes the level and the residual level from the matrix', () => {
    expect(
      assess(M, { severity: 'S4', probability: 'probable', residualSeverity: 'S4', residualProbability: 'remote' }),
    ).toEqual({
      assessment: {
        severity: 'S4',
        probability: 'probable',
        p1: null,
        p2: null,
        level: 'unacceptable',
        residualSeverity: 'S4',
        residualProbability: 'remote',
        residualLevel: 'alara',
      },
      issues: [],
    });
  });
  it('derives P from P1 × P2, and accepts a P that agrees', () => {
    expect(assess(M, { severity: 'S3', p1: 'probable', p2: 'probable' }).assessment).toMatchObject({
      probability: 'occasional',
      p1: 'probable',
      p2: 'probable',
      level: 'alara',
    });
    expect(assess(M, { severity: 'S3', probability: 'occasional', p1: 'probable', p2: 'probable' }).issues).toEqual([]);
  });
  it.each([
    [
      { severity: 'S3', probability: 'frequent', p1: 'probable', p2: 'probable' },
      [
        {
          field: 'probability',
          message: 'is occasional from P1 × P2 (probable × probable); leave it out or give occasional',
        },
      ],
    ],
    [{ severity: 'S3', p1: 'probable' }, [{ field: 'p2', message: 'P1 and P2 go together: give both or neither' }]],
    [{ severity: 'S3' }, [{ field: 'probability', message: 'is required (or P1 and P2)' }]],
    [
      { severity: 'S6', probability: 'P0' },
      [
        { field: 'severity', message: 'must be one of S1, S2, S3, S4, S5' },
        { field: 'probability', message: 'must be one of improbable, remote, occasional, probable, frequent' },
      ],
    ],
    [
      { severity: 'S3', probability: 'occasional', residualSeverity: 'S2' },
      [
        {
          field: 'residualProbability',
          message: 'residual severity and probability go together: give both or neither',
        },
      ],
    ],
  ])('refuses %o', (input, issues) => {
    expect(assess(M, input)).toEqual({ assessment: null, issues });
  });
  it('asks for the hazard chain in the ISO 14971 register only, and keeps security fields out of it', () => {
    const base = {
      severity: 'S2',
      probability: 'remote',
      hazard: null,
      hazardousSituation: null,
      harm: null,
      treatment: null,
      dueOn: null,
    };
    expect(fieldIssues(M, { ...base, register: 'iso14971' }).map((i) => i.field)).toEqual([
      'hazard',
      'hazardousSituation',
      'harm',
    ]);
    expect(
      fieldIssues(M, {
        ...base,
        severity: 'I2',
        probability: 'L2',
        register: 'security',
        treatment: 'mitigate',
        dueOn: '2026-12-31',
      }),
    ).toEqual([]);
    expect(
      fieldIssues(M, {
        ...base,
        register: 'iso14971',
        hazard: 'h',
        hazardousSituation: 's',
        harm: 'x',
        treatment: 'accept',
        dueOn: null,
      }),
    ).toEqual([{ field: 'treatment', message: 'belongs to the security register only' }]);
  });
});

describe('the security register has its own scale (impact × likelihood)', () => {
  const base = {
    hazard: null,
    hazardousSituation: null,
    harm: null,
    treatment: 'mitigate' as const,
    dueOn: null,
    register: 'security' as const,
  };
  it('levels security risks on I × L from the `security:` section, not on the ISO 14971 matrix', () => {
    expect(
      assess(scaleFor(M, 'security'), {
        severity: 'I3',
        probability: 'L3',
        residualSeverity: 'I3',
        residualProbability: 'L1',
      }).assessment,
    ).toMatchObject({ level: 'alara', residualLevel: 'acceptable' });
    expect(assess(scaleFor(M, 'security'), { severity: 'I4', probability: 'L1' }).assessment?.level).toBe('alara'); // from the security scale's own cells, not the ISO matrix
    expect(fieldIssues(M, { ...base, severity: 'I5', probability: 'L5' })).toEqual([]);
  });
  it('refuses ISO 14971 levels and P1 × P2 in the security register, and security levels in the ISO one', () => {
    expect(fieldIssues(M, { ...base, severity: 'S2', probability: 'remote' })).toEqual([
      { field: 'severity', message: 'must be one of I1, I2, I3, I4, I5' },
      { field: 'probability', message: 'must be one of L1, L2, L3, L4, L5' },
    ]);
    expect(fieldIssues(M, { ...base, severity: 'I2', p1: 'remote', p2: 'occasional' })).toEqual([
      { field: 'p1', message: 'P1 × P2 belongs to the ISO 14971 register only: give the likelihood' },
    ]);
    expect(
      fieldIssues(M, {
        ...base,
        register: 'iso14971',
        hazard: 'h',
        hazardousSituation: 's',
        harm: 'x',
        treatment: null,
        severity: 'I2',
        probability: 'L2',
      }),
    ).toEqual([
      { field: 'severity', message: 'must be one of S1, S2, S3, S4, S5' },
      { field: 'probability', message: 'must be one of improbable, remote, occasional, probable, frequent' },
    ]);
  });
});

const control = (impl: string[], eff: string[]): ControlSnapshot => ({
  type: 'protective_measure',
  description: 'd',
  controlKey: 'CLN-02',
  implementationEvidenceIds: impl,
  effectivenessEvidenceIds: eff,
  arisingRiskRefs: [],
});
const snapshot = (over: Partial<RiskSnapshot> = {}): RiskSnapshot => ({
  register: 'iso14971',
  ref: 'HAZ-001',
  product: 'App',
  title: 't',
  hazard: 'h',
  sequenceOfEvents: null,
  hazardousSituation: 's',
  harm: 'x',
  severity: 'S3',
  probability: 'occasional',
  p1: null,
  p2: null,
  level: 'alara',
  residualSeverity: null,
  residualProbability: null,
  residualLevel: null,
  benefitRisk: null,
  status: 'open',
  treatment: null,
  dueOn: null,
  ownerUserId: 'u1',
  controls: [],
  ...over,
});

describe('diffSnapshots (what a version changed)', () => {
  it('lists every set field on creation, nulls left out', () => {
    expect(diffSnapshots(null, snapshot()).map((c) => c.field)).toEqual([
      'register',
      'ref',
      'product',
      'title',
      'hazard',
      'hazardousSituation',
      'harm',
      'severity',
      'probability',
      'level',
      'status',
      'ownerUserId',
      'controls',
    ]);
  });
  it('lists only what changed, with from and to, levels included', () => {
    expect(
      diffSnapshots(snapshot(), snapshot({ probability: 'frequent', level: 'unacceptable', benefitRisk: 'b' })),
    ).toEqual([
      { field: 'probability', from: 'occasional', to: 'frequent' },
      { field: 'level', from: 'alara', to: 'unacceptable' },
      { field: 'benefitRisk', from: null, to: 'b' },
    ]);
  });
  it('compares controls as a whole, and finds nothing between equal snapshots', () => {
    expect(diffSnapshots(snapshot(), snapshot())).toEqual([]);
    expect(
      diffSnapshots(snapshot({ controls: [control([], [])] }), snapshot({ controls: [control(['e1'], [])] })),
    ).toEqual([{ field: 'controls', from: [control([], [])], to: [control(['e1'], [])] }]);
  });
});

describe('traceabilityGaps', () => {
  it('finds nothing for a verified control and an acceptable residual risk', () => {
    expect(
      traceabilityGaps({
        level: 'unacceptable',
        residualLevel: 'acceptable',
        benefitRisk: null,
        controls: [control(['e1'], ['e2'])],
      }),
    ).toEqual([]);
  });
  it('flags a control without verification of implementation or effectiveness, by position', () => {
    expect(
      traceabilityGaps({
        level: 'alara',
        residualLevel: 'acceptable',
        benefitRisk: null,
        controls: [control(['e1'], ['e2']), control([], ['e3']), control(['e4'], [])],
      }),
    ).toEqual([
      {
        kind: 'control_without_implementation_verification',
        control: 1,
        message: 'control 2 has no evidence verifying its implementation',
      },
      {
        kind: 'control_without_effectiveness_verification',
        control: 2,
        message: 'control 3 has no evidence verifying its effectiveness',
      },
    ]);
  });
  it.each([
    ['unacceptable', null, true],
    ['alara', null, true],
    ['unacceptable', 'Benefits outweigh: …', false],
    ['unacceptable', '   ', true],
    ['acceptable', null, false],
  ] as const)('residual %s with benefit-risk %p: gap %p', (residualLevel, benefitRisk, gap) => {
    expect(
      traceabilityGaps({ level: 'unacceptable', residualLevel, benefitRisk, controls: [] }).map((g) => g.kind),
    ).toEqual(gap ? ['unacceptable_residual_without_benefit_risk'] : []);
  });
  it('before any residual assessment: the initial level counts once controls exist', () => {
    expect(traceabilityGaps({ level: 'unacceptable', residualLevel: null, benefitRisk: null, controls: [] })).toEqual(
      [],
    );
    expect(
      traceabilityGaps({
        level: 'unacceptable',
        residualLevel: null,
        benefitRisk: null,
        controls: [control(['e'], ['f'])],
      }).map((g) => g.kind),
    ).toEqual(['unacceptable_residual_without_benefit_risk']);
  });
});
