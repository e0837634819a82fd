// CSV rows checked into risk fields, problems named by row and column; all or nothing; export round trip.
import { join } from 'node:path';
import { loadRiskMatrix } from '../risk-matrix-loader';
import { checkRow, CsvColumn, formatCsvProblem, parseControlsCell, parseRiskCsv, riskCsv } from './risk-csv';
import type { RiskSnapshot } from './risk-model';

const M = loadRiskMatrix(join(__dirname, '..', '..', '..', 'controls')).matrix!;
const HEADER =
  'register,ref,product,title,hazard,hazardous_situation,harm,severity,p1,p2,probability,level,residual_severity,residual_probability,benefit_risk,status,treatment,due_on,owner_user_id';
const GOOD =
  'iso14971,HAZ-001,App,Wrong triage,Wrong advice,Patient follows advice,Delayed care,S4,probable,probable,,unacceptable,S4,improbable,,open,,,';
const SEC = 'security,SEC-001,App,Token leak,,,,I3,,,L4,,,,,open,mitigate,2026-12-31,';

const row = (cells: Partial<Record<CsvColumn, string>>) =>
  checkRow(
    M,
    {
      register: 'iso14971',
      ref: 'HAZ-001',
      product: 'App',
      title: 't',
      hazard: 'h',
      hazardous_situation: 's',
      harm: 'x',
      severity: 'S3',
      probability: 'occasional',
      ...cells,
    },
    7,
  );

describe('checkRow', () => {
  it('turns a good row into fields, P from P1 × P2 and levels in the file ignored', () => {
    const { rows, problems } = parseRiskCsv(M, `${HEADER}\n${GOOD}\n${SEC}\n`);
    expect(problems).toEqual([]);
    expect(rows[0]).toMatchObject({
      row: 2,
      register: 'iso14971',
      ref: 'HAZ-001',
      severity: 'S4',
      p1: 'probable',
      p2: 'probable',
      probability: null,
      status: 'open',
      ownerUserId: null,
      treatment: null,
    });
    expect(rows[1]).toMatchObject({
      row: 3,
      register: 'security',
      severity: 'I3',
      probability: 'L4',
      treatment: 'mitigate',
      dueOn: '2026-12-31',
      hazard: null,
    });
  });
  it.each([
    [{ register: 'hipaa' }, 'register', 'must be one of iso14971, security'],
    [{ ref: 'haz 1' }, 'ref', 'must look like HAZ-001'],
    [{ title: '' }, 'title', 'is required'],
    [{ severity: 'S9' }, 'severity', 'must be one of S1, S2, S3, S4, S5'],
    [{ probability: '', p1: 'remote' }, 'p2', 'P1 and P2 go together: give both or neither'],
    [{ probability: 'high' }, 'probability', 'must be one of improbable, remote, occasional, probable, frequent'],
    [
      { residual_severity: 'S2' },
      'residual_probability',
      'residual severity and probability go together: give both or neither',
    ],
    [{ status: 'done' }, 'status', 'must be one of open, controlled, accepted, closed'],
    [{ harm: '' }, 'harm', 'is required in the ISO 14971 register'],
    [{ treatment: 'mitigate' }, 'treatment', 'belongs to the security register only'],
    [
      { register: 'security', severity: 'I3', probability: 'L3', due_on: '2026-02-30' },
      'due_on',
      'must be a day like 2026-12-31',
    ],
    [{ register: 'security', severity: 'S3', probability: 'L3' }, 'severity', 'must be one of I1, I2, I3, I4, I5'],
    [
      { register: 'security', severity: 'I3', probability: 'L3', p1: 'remote', p2: 'remote' },
      'p1',
      'P1 × P2 belongs to the ISO 14971 register only: give the likelihood',
    ],
    [{ owner_user_id: 'kanya' }, 'owner_user_id', 'must be a user id (or empty for yourself)'],
    [{ title: 'x'.repeat(301) }, 'title', 'must be at most 300 characters'],
  ] as [Partial<Record<CsvColumn, string>>, string, string][])('%o: %s %s', (cells, column, message) => {
    expect(row(cells)).toEqual({ fields: null, problems: [{ row: 7, column, message }] });
  });
});

describe('parseRiskCsv: all or nothing', () => {
  it('one bad row rejects the file, naming the row (header = row 1) and column', () => {
    const { rows, problems } = parseRiskCsv(
      M,
      `${HEADER}\n${GOOD}\n${GOOD.replace('HAZ-001', 'HAZ-002').replace(',S4,', ',S7,')}\n`,
    );
    expect(rows).toEqual([]);
    expect(problems.map(formatCsvProblem)).toEqual(['row 3, severity: must be one of S1, S2, S3, S4, S5']);
  });
  it('refuses the same ref twice, unknown, duplicate and missing columns, and broken CSV', () => {
    expect(parseRiskCsv(M, `${HEADER}\n${GOOD}\n${GOOD}\n`).problems.map(formatCsvProblem)).toEqual([
      'row 3, ref: HAZ-001 is already in row 2',
    ]);
    expect(parseRiskCsv(M, 'register,ref,colour,ref\n').problems.map(formatCsvProblem)).toEqual([
      'row 1, colour: is not a column (register, ref, product, title, hazard, sequence_of_events, hazardous_situation, harm, severity, p1, p2, probability, level, residual_severity, residual_probability, residual_level, benefit_risk, status, treatment, due_on, owner_user_id, controls)',
      'row 1, ref: is named twice',
      'row 1, product: column is missing',
      'row 1, title: column is missing',
      'row 1, severity: column is missing',
    ]);
    expect(parseRiskCsv(M, '').problems.map(formatCsvProblem)).toEqual([
      'row 1, (header): the file is empty: the first row must name the columns',
    ]);
    expect(parseRiskCsv(M, `${HEADER}\n"unclosed,HAZ-1\n`).problems[0]).toMatchObject({ column: '(file)' });
    expect(parseRiskCsv(M, `${HEADER}\n${GOOD},extra\n`).problems.map(formatCsvProblem)).toEqual([
      'row 2, (row): has 20 cells; the header names 19',
    ]);
  });
  it('caps the number of rows', () => {
    expect(
      parseRiskCsv(M, `${HEADER}\n${GOOD}\n${GOOD.replace('HAZ-001', 'HAZ-002')}\n`, 1).problems.map(formatCsvProblem),
    ).toEqual(['row 3, (file): more than 1 rows; split the file']);
  });
});

describe('riskCsv (export)', () => {
  const risk: RiskSnapshot = {
    register: 'iso14971',
    ref: 'HAZ-001',
    product: 'App',
    title: '=HYPERLINK("x")',
    hazard: 'h, with a comma',
    sequenceOfEvents: null,
    hazardousSituation: 's',
    harm: 'x\ny',
    severity: 'S4',
    probability: 'occasional',
    p1: 'probable',
    p2: 'probable',
    level: 'unacceptable',
    residualSeverity: 'S4',
    residualProbability: 'improbable',
    residualLevel: 'alara',
    benefitRisk: null,
    status: 'controlled',
    treatment: null,
    dueOn: null,
    ownerUserId: '7d1e1a52-4c39-4f51-9f0b-0b5a0b7f5e11',
    controls: [],
  };
  it('writes every column with levels, guards formulas, and reads back into the same fields', () => {
    const text = riskCsv([risk]);
    expect(text.split('\n')[0]).toBe(
      'register,ref,product,title,hazard,sequence_of_events,hazardous_situation,harm,severity,p1,p2,probability,level,residual_severity,residual_probability,residual_level,benefit_risk,status,treatment,due_on,owner_user_id,controls',
    );
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    const { rows, problems } = parseRiskCsv(M, text);
    expect(problems).toEqual([]);
    expect(rows[0]).toEqual({
      row: 2,
      register: 'iso14971',
      ref: 'HAZ-001',
      product: 'App',
      title: '=HYPERLINK("x")',
      hazard: 'h, with a comma',
      sequenceOfEvents: null,
      hazardousSituation: 's',
      harm: 'x\ny',
      severity: 'S4',
      probability: 'occasional',
      p1: 'probable',
      p2: 'probable',
      residualSeverity: 'S4',
      residualProbability: 'improbable',
      benefitRisk: null,
      status: 'controlled',
      treatment: null,
      dueOn: null,
      ownerUserId: risk.ownerUserId,
      controls: [],
    });
  });

  it('writes the controls as JSON in one cell and reads them back', () => {
    const ev = '0b7f5e11-4c39-4f51-9f0b-7d1e1a520b5a';
    const withControls: RiskSnapshot = {
      ...risk,
      controls: [
        {
          type: 'protective_measure',
          description: 'Escalate, "always"',
          controlKey: 'CLS-02',
          implementationEvidenceIds: [ev],
          effectivenessEvidenceIds: [],
          arisingRiskRefs: ['HAZ-002'],
        },
        {
          type: 'information_for_safety',
          description: 'Warning',
          controlKey: null,
          implementationEvidenceIds: [],
          effectivenessEvidenceIds: [],
          arisingRiskRefs: [],
        },
      ],
    };
    const { rows, problems } = parseRiskCsv(M, riskCsv([withControls]));
    expect(problems).toEqual([]);
    expect(rows[0].controls).toEqual([
      {
        type: 'protective_measure',
        description: 'Escalate, "always"',
        controlKey: 'CLS-02',
        implementationEvidence: [ev],
        effectivenessEvidence: [],
        arisingRisks: ['HAZ-002'],
      },
      {
        type: 'information_for_safety',
        description: 'Warning',
        controlKey: null,
        implementationEvidence: [],
        effectivenessEvidence: [],
        arisingRisks: [],
      },
    ]);
  });
});

describe('the controls column', () => {
  it('is optional: without it a row carries no controls (they stay as they are), an empty cell means none', () => {
    expect(parseRiskCsv(M, `${HEADER}\n${GOOD}\n`).rows[0]).not.toHaveProperty('controls');
    expect(parseRiskCsv(M, `${HEADER},controls\n${GOOD},\n`).rows[0].controls).toEqual([]);
  });
  it('fills left-out fields of a control with their defaults', () => {
    expect(parseControlsCell('[{"type":"inherent_design","description":"Design"}]')).toEqual({
      controls: [
        {
          type: 'inherent_design',
          description: 'Design',
          controlKey: null,
          implementationEvidence: [],
          effectivenessEvidence: [],
          arisingRisks: [],
        },
      ],
      problems: [],
    });
  });
  it.each([
    [
      'not JSON',
      'protective_measure: escalate',
      [
        'must be a JSON array of controls, e.g. [{"type":"protective_measure","description":"…","controlKey":"CLS-02"}]',
      ],
    ],
    ['an object, not an array', '{"type":"inherent_design"}', ['Invalid input: expected array, received object']],
    [
      'an unknown type',
      '[{"type":"training","description":"d"}]',
      ['[0].type: Invalid option: expected one of "inherent_design"|"protective_measure"|"information_for_safety"'],
    ],
    [
      'a bad control key and evidence id',
      '[{"type":"inherent_design","description":"d","controlKey":"cls2","implementationEvidence":["x"]}]',
      ['[0].controlKey: must be a control key like CLN-02', '[0].implementationEvidence[0]: must be an evidence id'],
    ],
    [
      'a bad arising ref and an unknown field',
      '[{"type":"inherent_design","description":"d","arisingRisks":["haz 1"],"owner":"x"}]',
      ['[0].arisingRisks[0]: must be a risk ref like HAZ-001', '[0]: Unrecognized key: "owner"'],
    ],
    ['an empty description', '[{"type":"inherent_design","description":" "}]', ['[0].description: must not be empty']],
  ])('refuses %s, naming the control and field', (_name, cell, problems) => {
    expect(parseControlsCell(cell)).toEqual({ controls: null, problems });
  });
  it('reports a bad cell as row N, controls, and the file is refused', () => {
    const { rows, problems } = parseRiskCsv(M, `${HEADER},controls\n${GOOD},"[{""type"":""inherent_design""}]"\n`);
    expect(rows).toEqual([]);
    expect(problems.map(formatCsvProblem)).toEqual([
      'row 2, controls: [0].description: Invalid input: expected string, received undefined',
    ]);
  });
});
