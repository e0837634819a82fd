import { ConflictError, ValidationError } from '../common/errors/app-error';
import { CreateRiskReviewDto, UpdateRiskDto } from '../risks/dto/risk.dto';
import { PutRiskPlanDto } from '../risks/dto/risk-plan.dto';
import { validated } from './incident-forms';
import { addControlBody, planBody, refusedRiskForm, registerOf, reviewBody, riskFormField } from './risk-forms';

/** The problems the API's own DTO finds in a page form's body (none: []). */
async function problems(cls: new () => object, body: object) {
  try {
    await validated(cls, body);
    return [];
  } catch (e) {
    return (e as ValidationError).errors;
  }
}

describe('registerOf', () => {
  it.each([
    ['security', 'security'],
    ['iso14971', 'iso14971'],
    ['', 'iso14971'],
    [undefined, 'iso14971'],
    ['Security', 'iso14971'],
  ])('%p → %p', (typed, register) => expect(registerOf(typed)).toBe(register));
});

describe('planBody', () => {
  it('trims the texts, clears an empty statement and reads the version shown', () => {
    expect(
      planBody({
        scope: ' App 3.x ',
        intendedUse: 'Adults',
        acceptabilityPolicy: 'Matrix v1',
        reviewCadence: 'quarterly',
        residualRiskStatement: '  ',
        version: '2',
      }),
    ).toEqual({
      scope: 'App 3.x',
      intendedUse: 'Adults',
      acceptabilityPolicy: 'Matrix v1',
      reviewCadence: 'quarterly',
      residualRiskStatement: null,
      version: 2,
    });
  });

  it('leaves what is missing or wrong for the API’s validation to name', async () => {
    const body = planBody({ scope: '   ', version: 'x' });
    expect(body).toMatchObject({ scope: '', intendedUse: '', reviewCadence: '', version: 'x' });
    const fields = (await problems(PutRiskPlanDto, body)).map((p) => p.field);
    expect([...new Set(fields)]).toEqual(['scope', 'intendedUse', 'acceptabilityPolicy', 'reviewCadence', 'version']);
    expect(planBody({})).toMatchObject({ version: '' });
  });
});

describe('reviewBody', () => {
  it('sends the register shown and the trimmed notes; blank notes are refused as the API refuses them', async () => {
    expect(reviewBody({ register: 'security', notes: ' Q4 done ' })).toEqual({
      register: 'security',
      notes: 'Q4 done',
    });
    const blank = reviewBody({ register: '', notes: '  ' });
    expect(blank).toEqual({ register: undefined, notes: '' });
    expect((await problems(CreateRiskReviewDto, blank)).map((p) => p.field)).toEqual(['notes']);
  });
});

describe('addControlBody', () => {
  it('is one new control with its lists split, and no residual when neither level is chosen', async () => {
    const body = addControlBody({
      version: '3',
      type: 'protective_measure',
      description: ' Escalate to a nurse ',
      controlKey: 'CLS-02',
      implementationEvidence: '0b5c3a52-8d0e-4c3c-9f3e-1d2a3b4c5d6e, 1b5c3a52-8d0e-4c3c-9f3e-1d2a3b4c5d6e',
      effectivenessEvidence: '',
      arisingRisks: 'HAZ-007\nHAZ-008',
      residualSeverity: '',
      residualProbability: '',
    });
    expect(body).toEqual({
      version: 3,
      controls: [
        {
          type: 'protective_measure',
          description: 'Escalate to a nurse',
          controlKey: 'CLS-02',
          implementationEvidence: ['0b5c3a52-8d0e-4c3c-9f3e-1d2a3b4c5d6e', '1b5c3a52-8d0e-4c3c-9f3e-1d2a3b4c5d6e'],
          effectivenessEvidence: [],
          arisingRisks: ['HAZ-007', 'HAZ-008'],
        },
      ],
    });
    expect(await problems(UpdateRiskDto, body)).toEqual([]);
  });

  it('sends both residual levels when one is chosen (the other null, for the rules to name)', () => {
    expect(addControlBody({ version: '1', residualSeverity: 'S2' })).toMatchObject({
      residualSeverity: 'S2',
      residualProbability: null,
    });
  });

  it('leaves a blank measure, a missing version and bad ids for the API’s validation, named by form field', async () => {
    const body = addControlBody({ type: 'nonsense', implementationEvidence: 'not-an-id' });
    const found = await problems(UpdateRiskDto, body);
    expect([...new Set(found.map((p) => riskFormField(p.field)))].sort()).toEqual([
      'description',
      'implementationEvidence',
      'type',
      'version',
    ]);
  });
});

describe('riskFormField', () => {
  it.each([
    ['controls.0.description', 'description'],
    ['controls[0].controlKey', 'controlKey'],
    ['controls.0.arisingRisks.1', 'arisingRisks'],
    ['residualProbability', 'residualProbability'],
    ['notes', 'notes'],
  ])('%p → %p', (api, form) => expect(riskFormField(api)).toBe(form));
});

describe('refusedRiskForm', () => {
  it('keeps what was typed and puts each problem, in plain words, on the form’s own field', () => {
    const typed = { description: '', controlKey: 'XYZ-01', version: '4' };
    const state = refusedRiskForm(
      'control',
      typed,
      new ValidationError([
        { field: 'controls.0.description', message: 'description must be longer than or equal to 1 characters' },
        { field: 'controls[0].controlKey', message: 'XYZ-01 is not a control in the catalog' },
      ]),
    );
    expect(state).toEqual({
      form: 'control',
      values: typed,
      errors: { description: 'Description is required.', controlKey: 'XYZ-01 is not a control in the catalog.' },
      detail: 'Description is required. XYZ-01 is not a control in the catalog.',
    });
    expect(state.values).not.toBe(typed);
  });

  it('says a conflict as the service words it, with no field marked', () => {
    const stale = new ConflictError('risk.version_conflict', 'The risk is at version 3, not 2: reload it.');
    expect(refusedRiskForm('control', { version: '2' }, stale)).toMatchObject({
      errors: {},
      detail: 'The risk is at version 3, not 2: reload it.',
    });
  });
});
